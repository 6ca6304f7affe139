-- The report files the bulletin's figures come from: the current version of the issuer's period, and the versions
-- it superseded.
-- Parameters: $issuer, $year, $period_end_month.
-- Grain: one row per report file (report_id) of that issuer and period.
with versions as (
    select * from mart.report_versions
    where issuer = $issuer and year = $year and period_end_month = $period_end_month
)

select
    source_file,
    report_id,
    source_format,
    title,
    revision_label,
    loaded_at,
    is_current,
    is_synthetic
from versions
order by is_current desc, loaded_at desc;
