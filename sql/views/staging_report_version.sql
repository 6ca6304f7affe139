-- Grain: one row per loaded report file, ranked among the files of the same issuer × year × period (periods are the
-- same when they end in the same month: 三季度, 1-9月 and 前三季度 are one period).
-- A corrected re-issue (revision_label such as 修订) outranks an original whatever the order they arrived in;
-- among files of the same kind the latest load wins.
create or replace view staging.report_version as
with reports as (
    select * from core.report
),

ranked as (
    select
        *,
        row_number() over (
            partition by issuer, year, period_end_month
            order by (revision_label is not null) desc, loaded_at desc, report_id
        ) as version_rank
    from reports
)

select
    report_id,
    issuer,
    year,
    quarter,
    period_kind,
    period_end_month,
    period_label,
    is_synthetic,
    title,
    revision_label,
    source_sha256,
    source_file,
    loaded_at,
    version_rank,
    version_rank = 1 as is_current,
    first_value(report_id) over (
        partition by issuer, year, period_end_month order by version_rank
    ) as current_report_id
from ranked;

comment on view staging.report_version is 'Grain: one row per report file. Every version of every issuer × year × period (period_end_month), ranked; version_rank 1 is current.';
comment on column staging.report_version.report_id is 'Report id (SHA-256 of the source file).';
comment on column staging.report_version.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column staging.report_version.year is 'Year of the work report.';
comment on column staging.report_version.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter (1-11月).';
comment on column staging.report_version.period_kind is 'quarter, half_year, months or year.';
comment on column staging.report_version.period_end_month is 'The month the period ends (1-12): the report covers January to it.';
comment on column staging.report_version.period_label is 'The period as written: 三季度, 上半年, 1-9月, 前三季度, 全年 …';
comment on column staging.report_version.is_synthetic is 'True for synthetic demo data (declared as such), false for a real report.';
comment on column staging.report_version.title is 'Title as printed.';
comment on column staging.report_version.revision_label is 'Re-issue marker (修订 …); NULL for an original issue.';
comment on column staging.report_version.source_sha256 is 'SHA-256 of the source file.';
comment on column staging.report_version.source_file is 'Source file name.';
comment on column staging.report_version.loaded_at is 'When the file was loaded: an instant (TIMESTAMP WITH TIME ZONE, stored as UTC). DuckDB shows it in the session TimeZone (by default the client machine''s zone); a tool that drops the zone, such as Superset, shows that zone''s clock time, so set TimeZone or convert: loaded_at AT TIME ZONE ''Asia/Shanghai'' is Beijing time, AT TIME ZONE ''UTC'' is UTC.';
comment on column staging.report_version.version_rank is '1 for the current version of the issuer × year × period; a re-issue ranks before an original, then the latest load.';
comment on column staging.report_version.is_current is 'True for version_rank 1: the version the marts show.';
comment on column staging.report_version.current_report_id is 'report_id of the current version of the same issuer × year × period.';
