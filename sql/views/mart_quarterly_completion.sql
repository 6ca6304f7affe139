-- Grain: one row per issuer × year × quarter. Offices are in the view office_quarterly_completion: two grains, two
-- views, so that a BI sum never counts a task twice.
create or replace view mart.quarterly_completion as
with task_history as (
    select * from mart.task_history
),

current_reports as (
    select * from staging.current_report
),

quarters as (
    select
        issuer,
        year,
        quarter,
        count(*) as tasks,
        count(*) filter (where status = 'completed') as tasks_completed,
        count(*) filter (where status = 'in_progress') as tasks_in_progress,
        count(*) filter (where status = 'not_completed') as tasks_not_completed,
        bool_or(is_latest_quarter) as is_latest_quarter
    from task_history
    group by issuer, year, quarter
)

select
    q.issuer,
    q.year,
    q.quarter,
    q.tasks,
    q.tasks_completed,
    q.tasks_in_progress,
    q.tasks_not_completed,
    round(q.tasks_completed / q.tasks, 4) as completion_rate,
    q.is_latest_quarter,
    r.source_file ilike '%synthetic%' as is_synthetic,
    r.source_file
from quarters as q
inner join current_reports as r on r.issuer = q.issuer and r.year = q.year and r.quarter = q.quarter;

comment on view mart.quarterly_completion is 'Grain: issuer × year × quarter. How many of the quarter''s tasks are completed, in progress, not completed (per office: the view office_quarterly_completion).';
comment on column mart.quarterly_completion.issuer is 'Issuing bureau, e.g. 市工信局.';
comment on column mart.quarterly_completion.year is 'Year of the work report.';
comment on column mart.quarterly_completion.quarter is 'Quarter, 1-4.';
comment on column mart.quarterly_completion.tasks is 'Tasks reported that quarter (this year''s task list).';
comment on column mart.quarterly_completion.tasks_completed is 'Tasks both of whose rows (进度安排, 施工图) are completed.';
comment on column mart.quarterly_completion.tasks_in_progress is 'Tasks with no row not completed and not all completed (正在推进 …).';
comment on column mart.quarterly_completion.tasks_not_completed is 'Tasks with a row marked 未完成.';
comment on column mart.quarterly_completion.completion_rate is 'tasks_completed / tasks, 0-1, 4 decimals.';
comment on column mart.quarterly_completion.is_latest_quarter is 'True for the latest year and quarter loaded for the issuer.';
comment on column mart.quarterly_completion.is_synthetic is 'True when the current report is synthetic demo data (file name contains synthetic), not a real report.';
comment on column mart.quarterly_completion.source_file is 'Source file name of the current report version.';
