-- Tasks by status in each period (status NULL: the table has no status column).
-- Grain: one row per year × period_end_month × status.
with task_history as (
    select * from mart.task_history
)

select
    year,
    period_end_month,
    any_value(period_kind) as period_kind,
    any_value(period_label) as period_label,
    status,
    count(*) as tasks
from task_history
group by year, period_end_month, status
order by year, period_end_month, status;
