-- Grain: one row per issuer × year × period (period_end_month). Offices are in the view office_quarterly_completion:
-- two grains, two views, so that a BI sum never counts a task twice. The name says quarterly for the dashboards made
-- when every report was a quarter's; every period is here (上半年, 1-11月, 全年 …).
create or replace view mart.quarterly_completion as
with task_history as (
    select * from mart.task_history
),

current_reports as (
    select * from staging.current_report
),

periods as (
    select
        issuer,
        year,
        period_end_month,
        count(*) as tasks,
        count(*) filter (where status = 'completed') as tasks_completed,
        count(*) filter (where status = 'in_progress') as tasks_in_progress,
        count(*) filter (where status = 'not_completed') as tasks_not_completed,
        count(*) filter (where status = 'on_schedule') as tasks_on_schedule,
        count(*) filter (where status = 'ahead_of_schedule') as tasks_ahead_of_schedule,
        count(*) filter (where status = 'behind_schedule') as tasks_behind_schedule,
        count(*) filter (where status = 'not_started') as tasks_not_started,
        count(*) filter (where status is null) as tasks_without_status,
        bool_or(is_latest_period) as is_latest_period
    from task_history
    group by issuer, year, period_end_month
)

select
    p.issuer,
    p.year,
    r.quarter,
    p.tasks,
    p.tasks_completed,
    p.tasks_in_progress,
    p.tasks_not_completed,
    round(p.tasks_completed / nullif(p.tasks - p.tasks_without_status, 0), 4) as completion_rate,
    p.is_latest_period as is_latest_quarter,
    r.is_synthetic,
    r.source_file,
    r.period_kind,
    p.period_end_month,
    r.period_label,
    p.tasks_on_schedule,
    p.tasks_ahead_of_schedule,
    p.tasks_behind_schedule,
    p.tasks_not_started,
    p.tasks_without_status,
    p.is_latest_period
from periods as p
inner join current_reports as r
    on r.issuer = p.issuer and r.year = p.year and r.period_end_month = p.period_end_month;

comment on view mart.quarterly_completion is 'Grain: issuer × year × period_end_month. How many of the period''s tasks are in each status (per office: the view office_quarterly_completion).';
comment on column mart.quarterly_completion.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column mart.quarterly_completion.year is 'Year of the work report.';
comment on column mart.quarterly_completion.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter (1-11月).';
comment on column mart.quarterly_completion.tasks is 'Tasks reported that period (this year''s task list).';
comment on column mart.quarterly_completion.tasks_completed is 'Tasks completed (with plan rows: both rows 进度安排, 施工图 completed).';
comment on column mart.quarterly_completion.tasks_in_progress is 'Tasks in progress (正在推进 …).';
comment on column mart.quarterly_completion.tasks_not_completed is 'Tasks not completed (a row marked 未完成).';
comment on column mart.quarterly_completion.completion_rate is 'tasks_completed / tasks with a status, 0-1, 4 decimals; NULL when the table has no status column.';
comment on column mart.quarterly_completion.is_latest_quarter is 'Same as is_latest_period (the name dashboards made before periods were general use).';
comment on column mart.quarterly_completion.is_synthetic is 'True when the current report is synthetic demo data (declared as such), not a real report.';
comment on column mart.quarterly_completion.source_file is 'Source file name of the current report version.';
comment on column mart.quarterly_completion.period_kind is 'quarter, half_year, months or year.';
comment on column mart.quarterly_completion.period_end_month is 'The month the period ends (1-12).';
comment on column mart.quarterly_completion.period_label is 'The period as written: 三季度, 上半年, 1-9月, 前三季度, 全年 …';
comment on column mart.quarterly_completion.tasks_on_schedule is 'Tasks on schedule (达序时进度, 序时推进 …).';
comment on column mart.quarterly_completion.tasks_ahead_of_schedule is 'Tasks ahead of schedule (超序时进度, 超进度).';
comment on column mart.quarterly_completion.tasks_behind_schedule is 'Tasks behind schedule (欠进度, 未达序时进度, 滞后).';
comment on column mart.quarterly_completion.tasks_not_started is 'Tasks not started (未启动).';
comment on column mart.quarterly_completion.tasks_without_status is 'Tasks whose table has no status column (judged from the narrative by the office, never guessed here).';
comment on column mart.quarterly_completion.is_latest_period is 'True for the latest year and period loaded for the issuer.';
