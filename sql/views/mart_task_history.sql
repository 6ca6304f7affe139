-- Grain: one row per issuer × year × task_no × period reported (one row per task, not per plan row).
-- A task's status in a period is the least advanced status of its rows (a task with plan rows is completed when both
-- its rows are; one row not completed makes it not completed), NULL when the table has no status. The previous
-- period is the nearest earlier period of the same issuer and year. The completion views count tasks from here.
create or replace view mart.task_history as
with task_progress as (
    select * from mart.task_progress
),

status_order as (
    -- least advanced first: a task's status is its rows' first in this order
    select * from (values
        ('not_completed', 1), ('behind_schedule', 2), ('not_started', 3), ('in_progress', 4),
        ('on_schedule', 5), ('ahead_of_schedule', 6), ('completed', 7)
    ) as s (status, rank)
),

task_periods as (
    select
        p.issuer,
        p.year,
        p.task_no,
        p.period_end_month,
        any_value(p.quarter) as quarter,
        any_value(p.period_kind) as period_kind,
        any_value(p.period_label) as period_label,
        any_value(p.task_title) as task_title,
        any_value(p.lead_office) as lead_office,
        any_value(p.responsible_units) as responsible_units,
        any_value(p.responsible_people) as responsible_people,
        arg_min(p.status, o.rank) as status,
        any_value(p.status_text) filter (where p.plan_type = 'schedule') as schedule_status_text,
        any_value(p.status_text) filter (where p.plan_type = 'roadmap') as roadmap_status_text,
        any_value(p.progress_text) filter (where p.plan_type = 'schedule') as schedule_progress_text,
        any_value(p.progress_text) filter (where p.plan_type = 'roadmap') as roadmap_progress_text,
        any_value(p.status_text) filter (where p.plan_type is null) as status_text,
        any_value(p.progress_text) filter (where p.plan_type is null) as progress_text,
        any_value(p.is_latest_period) as is_latest_period
    from task_progress as p
    left join status_order as o on o.status = p.status
    group by p.issuer, p.year, p.task_no, p.period_end_month
),

with_previous as (
    select
        *,
        lag(status) over w as prev_status,
        lag(quarter) over w as prev_quarter,
        lag(period_end_month) over w as prev_period_end_month,
        lag(period_label) over w as prev_period_label
    from task_periods
    window w as (partition by issuer, year, task_no order by period_end_month)
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
    is_latest_period as is_latest_quarter,
    period_kind,
    period_end_month,
    period_label,
    prev_period_end_month,
    prev_period_label,
    status_text,
    progress_text,
    responsible_people,
    is_latest_period,
    array_to_string(responsible_units, '、') as responsible_units_text,
    array_to_string(responsible_people, '、') as responsible_people_text
from with_previous;

comment on view mart.task_history is 'Grain: issuer × year × task_no × period_end_month (one row per task and period). Each task''s status, how it moved from the previous period, and what was done.';
comment on column mart.task_history.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column mart.task_history.year is 'Year of the work report.';
comment on column mart.task_history.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter (1-11月).';
comment on column mart.task_history.task_no is 'Task number 序号 (unique within issuer and year).';
comment on column mart.task_history.task_title is 'The task as reported that period.';
comment on column mart.task_history.lead_office is 'Lead office 【】 of the task that period, e.g. 中小办.';
comment on column mart.task_history.responsible_units is 'Responsible units that period, as a list.';
comment on column mart.task_history.status is 'The least advanced status of the task''s rows: not_completed, behind_schedule, not_started, in_progress, on_schedule, ahead_of_schedule, completed (a task with plan rows is completed when both are); NULL when the table has no status column.';
comment on column mart.task_history.prev_quarter is 'The quarter of the previous period reported that year; NULL in the first or when it ends mid-quarter.';
comment on column mart.task_history.prev_status is 'Status in the previous period reported that year; NULL in the first.';
comment on column mart.task_history.status_changed is 'True when the status differs from prev_status (false in the first period, or when either is NULL).';
comment on column mart.task_history.schedule_status_text is 'Status mark or words of the 进度安排 row as written (✓, 正在推进 …); NULL for a table of one row per task.';
comment on column mart.task_history.roadmap_status_text is 'Status mark or words of the 施工图 row as written; NULL for a table of one row per task.';
comment on column mart.task_history.schedule_progress_text is 'What was done 落实情况 on the 进度安排 (schedule) row; NULL for a table of one row per task.';
comment on column mart.task_history.roadmap_progress_text is 'What was done 落实情况 on the 施工图 (roadmap) row; may be empty.';
comment on column mart.task_history.is_latest_quarter is 'Same as is_latest_period (the name dashboards made before periods were general use).';
comment on column mart.task_history.period_kind is 'quarter, half_year, months or year.';
comment on column mart.task_history.period_end_month is 'The month the period ends (1-12).';
comment on column mart.task_history.period_label is 'The period as written: 三季度, 上半年, 1-9月, 前三季度, 全年 …';
comment on column mart.task_history.prev_period_end_month is 'End month of the previous period reported that year; NULL in the first.';
comment on column mart.task_history.prev_period_label is 'The previous period as written; NULL in the first.';
comment on column mart.task_history.status_text is 'Status as written, for a table of one row per task; NULL for plan rows (see schedule_/roadmap_status_text) or without a status column.';
comment on column mart.task_history.progress_text is 'What was done, for a table of one row per task; NULL for plan rows (see schedule_/roadmap_progress_text).';
comment on column mart.task_history.responsible_people is 'People responsible (责任领导, 责任人) that period, as a list.';
comment on column mart.task_history.is_latest_period is 'True for the latest year and period loaded for the issuer: "this period".';
comment on column mart.task_history.responsible_units_text is 'responsible_units joined with 、: for BI tools that cannot show or filter a list; to filter by one unit use the view task_units (one row per task and unit).';
comment on column mart.task_history.responsible_people_text is 'responsible_people joined with 、; empty when the table names none.';
