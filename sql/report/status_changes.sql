-- Tasks whose status differs from the previous quarter reported that year, newest first.
-- Grain: one row per issuer × year × quarter × task_no that changed status.
with task_history as (
    select * from mart.task_history
)

select
    issuer,
    year,
    quarter,
    task_no,
    task_title,
    lead_office,
    prev_quarter,
    prev_status,
    status
from task_history
where status_changed and quarter is not null and prev_quarter is not null
order by year desc, quarter desc, issuer, task_no;
