-- Grain: one row per issuer × year × task_no × quarter reported (one row per task, not per row kind).
-- A task's status in a quarter: completed when both its rows (进度安排, 施工图) are completed; not_completed when any
-- row is not completed; otherwise in_progress. The completion views count tasks from here.
create or replace view mart.task_history as
with task_progress as (
    select * from mart.task_progress
),

task_quarters as (
    select
        issuer,
        year,
        task_no,
        quarter,
        any_value(task_title) as task_title,
        any_value(lead_office) as lead_office,
        any_value(responsible_units) as responsible_units,
        case
            when bool_and(status = 'completed') then 'completed'
            when bool_or(status = 'not_completed') then 'not_completed'
            else 'in_progress'
        end as status,
        any_value(status_text) filter (where plan_type = 'schedule') as schedule_status_text,
        any_value(status_text) filter (where plan_type = 'roadmap') as roadmap_status_text,
        any_value(progress_text) filter (where plan_type = 'schedule') as schedule_progress_text,
        any_value(progress_text) filter (where plan_type = 'roadmap') as roadmap_progress_text,
        any_value(is_latest_quarter) as is_latest_quarter
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
    quarter,
    task_no,
    task_title,
    lead_office,
    responsible_units,
    status,
    prev_quarter,
    prev_status,
    coalesce(prev_status <> status, false) as status_changed,
    schedule_status_text,
    roadmap_status_text,
    schedule_progress_text,
    roadmap_progress_text,
    is_latest_quarter
from with_previous;

comment on view mart.task_history is 'Grain: issuer × year × task_no × quarter (one row per task and quarter). Each task''s status, how it moved from the previous quarter, and what was done.';
comment on column mart.task_history.issuer is 'Issuing bureau, e.g. 市工信局.';
comment on column mart.task_history.year is 'Year of the work report.';
comment on column mart.task_history.quarter is 'Quarter, 1-4.';
comment on column mart.task_history.task_no is 'Task number 序号 (unique within issuer and year).';
comment on column mart.task_history.task_title is 'Target task 目标任务 as reported that quarter.';
comment on column mart.task_history.lead_office is 'Lead office 【】 of the task that quarter, e.g. 中小办.';
comment on column mart.task_history.responsible_units is 'Responsible units 责任分工 that quarter, as a list.';
comment on column mart.task_history.status is 'completed (both rows completed), not_completed (a row not completed) or in_progress.';
comment on column mart.task_history.prev_quarter is 'The previous quarter reported that year; NULL in the first.';
comment on column mart.task_history.prev_status is 'Status in prev_quarter; NULL in the first quarter reported that year.';
comment on column mart.task_history.status_changed is 'True when the status differs from prev_status (false in the first quarter).';
comment on column mart.task_history.schedule_status_text is 'Status mark or words of the 进度安排 row as written (✓, 正在推进 …).';
comment on column mart.task_history.roadmap_status_text is 'Status mark or words of the 施工图 row as written.';
comment on column mart.task_history.schedule_progress_text is 'What was done 落实情况 on the 进度安排 (schedule) row.';
comment on column mart.task_history.roadmap_progress_text is 'What was done 落实情况 on the 施工图 (roadmap) row; may be empty.';
comment on column mart.task_history.is_latest_quarter is 'True for the latest year and quarter loaded for the issuer: "this quarter".';
