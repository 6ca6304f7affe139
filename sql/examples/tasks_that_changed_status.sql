-- Tasks whose status changed since the previous quarter reported.
select
    issuer,
    year,
    quarter,
    task_no,
    task_title,
    lead_office,
    prev_status,
    status
from mart.task_history
where status_changed
order by issuer, year, quarter, task_no;
