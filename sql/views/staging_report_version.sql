-- Grain: one row per loaded report file, ranked among the files of the same issuer × year × quarter.
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
    loaded_at,
    version_rank,
    version_rank = 1 as is_current,
    first_value(report_id) over (
        partition by issuer, year, quarter order by version_rank
    ) as current_report_id
from ranked;

comment on view staging.report_version is 'Grain: one row per report file. Every version of every issuer × year × quarter, ranked; version_rank 1 is current.';
