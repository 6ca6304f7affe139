-- Grain: one row per issuer × year × quarter × lead_office. Its tasks add up to mart.quarterly_completion.tasks.
create or replace view mart.office_quarterly_completion as
with task_history as (
    select * from mart.task_history
)

select
    issuer,
    year,
    quarter,
    lead_office,
    count(*) as tasks,
    count(*) filter (where status = 'completed') as tasks_completed,
    count(*) filter (where status = 'in_progress') as tasks_in_progress,
    count(*) filter (where status = 'not_completed') as tasks_not_completed,
    round(count(*) filter (where status = 'completed') / count(*), 4) as completion_rate,
    bool_or(is_latest_quarter) as is_latest_quarter
from task_history
group by issuer, year, quarter, lead_office;

comment on view mart.office_quarterly_completion is 'Grain: issuer × year × quarter × lead_office. Completion of each internal office''s tasks; the offices of a quarter add up to mart.quarterly_completion.';
comment on column mart.office_quarterly_completion.issuer is 'Issuing bureau, e.g. 市工信局.';
comment on column mart.office_quarterly_completion.year is 'Year of the work report.';
comment on column mart.office_quarterly_completion.quarter is 'Quarter, 1-4.';
comment on column mart.office_quarterly_completion.lead_office is 'Internal lead office from 【】 in 责任分工, e.g. 中小办; NULL for tasks that name none.';
comment on column mart.office_quarterly_completion.tasks is 'Tasks of the office reported that quarter.';
comment on column mart.office_quarterly_completion.tasks_completed is 'Of them, tasks both of whose rows are completed.';
comment on column mart.office_quarterly_completion.tasks_in_progress is 'Of them, tasks in progress (正在推进 …).';
comment on column mart.office_quarterly_completion.tasks_not_completed is 'Of them, tasks with a row marked 未完成.';
comment on column mart.office_quarterly_completion.completion_rate is 'tasks_completed / tasks, 0-1, 4 decimals.';
comment on column mart.office_quarterly_completion.is_latest_quarter is 'True for the latest year and quarter loaded for the issuer.';
