-- The bulletin's counts: tasks by status and targets by assessment, with shares, for one issuer and period.
-- Parameters: $issuer, $year, $period_end_month.
-- Grain: one row (mart.supervision_summary's grain: issuer × year × period_end_month).
with summary as (
    select * from mart.supervision_summary
    where issuer = $issuer and year = $year and period_end_month = $period_end_month
)

select *
from summary;
