-- Grain: one row per issuer × year × quarter — the report version analysts see.
create or replace view staging.current_report as
with versions as (
    select * from staging.report_version
)

select
    report_id,
    issuer,
    year,
    quarter,
    title,
    revision_label,
    source_sha256,
    source_file,
    loaded_at
from versions
where is_current;

comment on view staging.current_report is 'Grain: issuer × year × quarter. The current version of each report (a re-issue supersedes the original).';
comment on column staging.current_report.report_id is 'Report id (SHA-256 of the source file).';
comment on column staging.current_report.issuer is 'Issuing bureau, e.g. 市工信局.';
comment on column staging.current_report.year is 'Year of the work report.';
comment on column staging.current_report.quarter is 'Quarter reported on, 1-4.';
comment on column staging.current_report.title is 'Title as printed.';
comment on column staging.current_report.revision_label is 'Re-issue marker (修订 …); NULL for an original issue.';
comment on column staging.current_report.source_sha256 is 'SHA-256 of the source file.';
comment on column staging.current_report.source_file is 'Source file name.';
comment on column staging.current_report.loaded_at is 'When the file was loaded.';
