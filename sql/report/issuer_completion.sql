-- Completion of all offices together, per issuer and period, and whether that period's report is synthetic demo data
-- (the page says so wherever it shows the period: a director must not take a synthetic period for a real one).
-- Grain: one row per issuer × year × period_end_month.
with completion as (
    select * from mart.quarterly_completion
)

select
    issuer,
    year,
    period_end_month,
    period_kind,
    period_label,
    tasks,
    tasks_completed,
    completion_rate,
    is_synthetic
from completion
order by issuer, year, period_end_month;
