-- Grain: one row per loaded report file (every version, current or superseded).
create or replace view mart.report_versions as
with versions as (
    select * from staging.report_version
),

files as (
    select * from raw.source_file
)

select
    v.issuer,
    v.year,
    v.quarter,
    v.report_id,
    v.title,
    v.revision_label,
    f.file_name as source_file,
    f.source_format,
    v.loaded_at,
    v.is_current,
    case when v.is_current then null else v.current_report_id end as superseded_by,
    v.is_synthetic,
    v.period_kind,
    v.period_end_month,
    v.period_label
from versions as v
inner join files as f on f.source_sha256 = v.source_sha256;

comment on view mart.report_versions is 'Grain: report_id (one row per loaded report file, current or superseded). Lineage of every version of each issuer × year × period: which is current, which superseded which.';
comment on column mart.report_versions.issuer is 'Issuing bureau.';
comment on column mart.report_versions.year is 'Year of the work report.';
comment on column mart.report_versions.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter.';
comment on column mart.report_versions.report_id is 'Report id (SHA-256 of the file).';
comment on column mart.report_versions.title is 'Title as printed.';
comment on column mart.report_versions.revision_label is 'Re-issue marker (修订 …), NULL for an original issue.';
comment on column mart.report_versions.source_file is 'Source file name.';
comment on column mart.report_versions.source_format is 'The format that read the file, as the format registry names it (src/etl/extract/formats.py), e.g. text, pdf, docx, xlsx, html, or scan (read by OCR).';
comment on column mart.report_versions.loaded_at is 'When the file was loaded: an instant (TIMESTAMP WITH TIME ZONE, stored as UTC). DuckDB shows it in the session TimeZone (by default the client machine''s zone); a tool that drops the zone, such as Superset, shows that zone''s clock time, so set TimeZone or convert: loaded_at AT TIME ZONE ''Asia/Shanghai'' is Beijing time, AT TIME ZONE ''UTC'' is UTC.';
comment on column mart.report_versions.is_current is 'True for the version the marts show.';
comment on column mart.report_versions.superseded_by is 'report_id of the current version, for a superseded one; NULL when current.';
comment on column mart.report_versions.is_synthetic is 'True for synthetic demo data (declared synthetic in its .meta.yaml; see data/samples/synthetic_manifest.json), false for a real report.';
comment on column mart.report_versions.period_kind is 'quarter, half_year, months or year.';
comment on column mart.report_versions.period_end_month is 'The month the period ends (1-12); versions of one period share it.';
comment on column mart.report_versions.period_label is 'The period as written: 三季度, 上半年, 1-9月, 前三季度, 全年 …';
