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
