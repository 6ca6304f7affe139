-- Grain: one row per issuer × year × period (period_end_month) — the report version analysts see.
create or replace view staging.current_report as
with versions as (
    select * from staging.report_version
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
    loaded_at
from versions
where is_current;

comment on view staging.current_report is 'Grain: issuer × year × period (period_end_month). The current version of each report (a re-issue supersedes the original).';
comment on column staging.current_report.report_id is 'Report id (SHA-256 of the source file).';
comment on column staging.current_report.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column staging.current_report.year is 'Year of the work report.';
comment on column staging.current_report.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter (1-11月).';
comment on column staging.current_report.period_kind is 'quarter, half_year, months or year.';
comment on column staging.current_report.period_end_month is 'The month the period ends (1-12): the report covers January to it.';
comment on column staging.current_report.period_label is 'The period as written: 三季度, 上半年, 1-9月, 前三季度, 全年 …';
comment on column staging.current_report.is_synthetic is 'True for synthetic demo data (declared as such), false for a real report.';
comment on column staging.current_report.title is 'Title as printed.';
comment on column staging.current_report.revision_label is 'Re-issue marker (修订 …); NULL for an original issue.';
comment on column staging.current_report.source_sha256 is 'SHA-256 of the source file.';
comment on column staging.current_report.source_file is 'Source file name.';
comment on column staging.current_report.loaded_at is 'When the file was loaded: an instant (TIMESTAMP WITH TIME ZONE, stored as UTC). DuckDB shows it in the session TimeZone (by default the client machine''s zone); a tool that drops the zone, such as Superset, shows that zone''s clock time, so set TimeZone or convert: loaded_at AT TIME ZONE ''Asia/Shanghai'' is Beijing time, AT TIME ZONE ''UTC'' is UTC.';
