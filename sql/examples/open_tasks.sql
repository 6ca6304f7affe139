-- Tasks not completed in the latest quarter, with their office and what was done.
select
    issuer,
    year,
    quarter,
    task_no,
    task_title,
    lead_office,
    status,
    schedule_status_text,
    schedule_progress_text,
    roadmap_progress_text
from mart.task_history
where is_latest_quarter and status <> 'completed'
order by issuer, task_no;
