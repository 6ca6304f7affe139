-- Tasks behind schedule (欠进度, 未达序时进度, 滞后) or not started in every issuer's latest period, with who is responsible.
select
    issuer,
    year,
    period_label,
    task_no,
    task_title,
    responsible_units,
    responsible_people,
    lead_office,
    status,
    coalesce(status_text, schedule_status_text) as status_as_written
from mart.task_history
where is_latest_period and status in ('behind_schedule', 'not_started')
order by issuer, task_no;
