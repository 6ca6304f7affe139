-- Tasks not completed in the period, once per responsible unit (mart.task_units), with the status as written and
-- the source file and pages of the task's rows. A task whose table names no unit is listed under a NULL unit.
-- Parameters: $issuer, $year, $period_end_month.
-- Grain: one row per responsible unit × task_no (unit_no) of an open task.
with task_units as (
    select * from mart.task_units
    where issuer = $issuer and year = $year and period_end_month = $period_end_month
        and status is not null and status <> 'completed'
),

task_sources as (
    select * from staging.task_source
    where issuer = $issuer and year = $year and period_end_month = $period_end_month
)

select
    u.responsible_unit,
    u.unit_no,
    u.task_no,
    u.task_title,
    u.lead_office,
    u.status,
    u.status_text,
    s.source_file,
    s.source_pages_text
from task_units as u
left join task_sources as s on s.task_no = u.task_no
order by u.responsible_unit nulls last, u.task_no;
