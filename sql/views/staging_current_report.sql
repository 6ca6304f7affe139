-- Grain: one row per issuer × year × quarter — the report version analysts see.
-- A corrected re-issue (revision_label such as 修订) supersedes the original; among equals the latest load wins.
create or replace view staging.current_report as
with reports as (
    select * from core.report
),

ranked as (
    select
        *,
        row_number() over (
            partition by issuer, year, quarter
            order by (revision_label is not null) desc, loaded_at desc, report_id
        ) as version_rank
    from reports
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
from ranked
where version_rank = 1;

comment on view staging.current_report is 'Grain: issuer × year × quarter. The current version of each report (a re-issue supersedes the original).';
