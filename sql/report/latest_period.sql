-- The period the report leads with when none is asked for: the latest year × period end month of any current
-- report version (periods compare by their end month: 三季度 and 1-9月 are one period).
-- Grain: one row (none on an empty warehouse).
with current_reports as (
    select * from mart.report_versions
    where is_current
)

select
    year,
    period_end_month
from current_reports
order by year desc, period_end_month desc
limit 1;
