-- Grain: one row per issuer × year × period (period_end_month) × lead_office. Its tasks add up to
-- mart.quarterly_completion.tasks.
create or replace view mart.office_quarterly_completion as
with task_history as (
    select * from mart.task_history
)

select
    issuer,
    year,
    any_value(quarter) as quarter,
    lead_office,
    count(*) as tasks,
    count(*) filter (where status = 'completed') as tasks_completed,
    count(*) filter (where status = 'in_progress') as tasks_in_progress,
    count(*) filter (where status = 'not_completed') as tasks_not_completed,
    round(count(*) filter (where status = 'completed') / nullif(count(status), 0), 4) as completion_rate,
    bool_or(is_latest_period) as is_latest_quarter,
    any_value(period_kind) as period_kind,
    period_end_month,
    any_value(period_label) as period_label,
    count(*) filter (where status = 'on_schedule') as tasks_on_schedule,
    count(*) filter (where status = 'ahead_of_schedule') as tasks_ahead_of_schedule,
    count(*) filter (where status = 'behind_schedule') as tasks_behind_schedule,
    count(*) filter (where status = 'not_started') as tasks_not_started,
    count(*) filter (where status is null) as tasks_without_status,
    bool_or(is_latest_period) as is_latest_period
from task_history
group by issuer, year, period_end_month, lead_office;

comment on view mart.office_quarterly_completion is 'Grain: issuer × year × period_end_month × lead_office. Completion of each internal office''s tasks; the offices of a period add up to mart.quarterly_completion.';
comment on column mart.office_quarterly_completion.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column mart.office_quarterly_completion.year is 'Year of the work report.';
comment on column mart.office_quarterly_completion.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter.';
comment on column mart.office_quarterly_completion.lead_office is 'Internal lead office from 【】 in 责任分工, e.g. 中小办; NULL for tasks that name none.';
comment on column mart.office_quarterly_completion.tasks is 'Tasks of the office reported that period.';
comment on column mart.office_quarterly_completion.tasks_completed is 'Of them, tasks completed.';
comment on column mart.office_quarterly_completion.tasks_in_progress is 'Of them, tasks in progress (正在推进 …).';
comment on column mart.office_quarterly_completion.tasks_not_completed is 'Of them, tasks not completed (未完成).';
comment on column mart.office_quarterly_completion.completion_rate is 'tasks_completed / tasks with a status, 0-1, 4 decimals; NULL without a status column.';
comment on column mart.office_quarterly_completion.is_latest_quarter is 'Same as is_latest_period (the name dashboards made before periods were general use).';
comment on column mart.office_quarterly_completion.period_kind is 'quarter, half_year, months or year.';
comment on column mart.office_quarterly_completion.period_end_month is 'The month the period ends (1-12).';
comment on column mart.office_quarterly_completion.period_label is 'The period as written.';
comment on column mart.office_quarterly_completion.tasks_on_schedule is 'Of them, tasks on schedule (达序时进度 …).';
comment on column mart.office_quarterly_completion.tasks_ahead_of_schedule is 'Of them, tasks ahead of schedule (超序时进度).';
comment on column mart.office_quarterly_completion.tasks_behind_schedule is 'Of them, tasks behind schedule (欠进度, 滞后).';
comment on column mart.office_quarterly_completion.tasks_not_started is 'Of them, tasks not started (未启动).';
comment on column mart.office_quarterly_completion.tasks_without_status is 'Of them, tasks whose table has no status column.';
comment on column mart.office_quarterly_completion.is_latest_period is 'True for the latest year and period loaded for the issuer.';
