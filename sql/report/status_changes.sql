-- Tasks whose status differs from the previous period reported that year, newest first.
-- Grain: one row per issuer × year × period_end_month × task_no that changed status.
with task_history as (
    select * from mart.task_history
)

select
    issuer,
    year,
    period_end_month,
    period_kind,
    period_label,
    task_no,
    task_title,
    lead_office,
    prev_period_end_month,
    prev_period_label,
    prev_status,
    status
from task_history
where status_changed
order by year desc, period_end_month desc, issuer, task_no;
