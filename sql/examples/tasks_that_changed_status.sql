-- Tasks whose status changed since the previous quarter reported.
select
    year,
    quarter,
    task_no,
    task_title,
    prev_status,
    status
from mart.task_history
where status_changed
order by year, quarter, task_no;
