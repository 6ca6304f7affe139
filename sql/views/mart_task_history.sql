-- Grain: one row per issuer × year × task_no × quarter reported.
create or replace view mart.task_history as
with task_progress as (
    select * from mart.task_progress
),

task_quarters as (
    -- A task's status in a quarter: completed when all its rows are; not_completed when any row is not;
    -- otherwise in_progress.
    select
        issuer,
        year,
        task_no,
        quarter,
        any_value(task_title) as task_title,
        case
            when bool_and(status = 'completed') then 'completed'
            when bool_or(status = 'not_completed') then 'not_completed'
            else 'in_progress'
        end as status
    from task_progress
    group by issuer, year, task_no, quarter
),

with_previous as (
    select
        *,
        lag(status) over w as prev_status,
        lag(quarter) over w as prev_quarter
    from task_quarters
    window w as (partition by issuer, year, task_no order by quarter)
)

select
    issuer,
    year,
    task_no,
    quarter,
    task_title,
    status,
    prev_status,
    prev_quarter,
    coalesce(prev_status <> status, false) as status_changed
from with_previous;

comment on view mart.task_history is 'Grain: issuer × year × task_no × quarter. How each task''s status moved from quarter to quarter.';
comment on column mart.task_history.issuer is 'Issuing bureau.';
comment on column mart.task_history.year is 'Year of the work report.';
comment on column mart.task_history.task_no is 'Task number 序号.';
comment on column mart.task_history.quarter is 'Quarter, 1-4.';
comment on column mart.task_history.task_title is 'Target task 目标任务 as reported that quarter.';
comment on column mart.task_history.status is 'completed (all rows completed), not_completed (any row not completed) or in_progress.';
comment on column mart.task_history.prev_status is 'Status in the previous quarter reported that year; NULL in the first.';
comment on column mart.task_history.prev_quarter is 'The previous quarter reported that year.';
comment on column mart.task_history.status_changed is 'True when the status differs from prev_status.';
