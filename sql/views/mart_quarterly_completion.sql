-- Grain: one row per issuer × year × quarter × lead_office, plus one row per issuer × year × quarter with
-- lead_office NULL for all offices together.
create or replace view mart.quarterly_completion as
with task_progress as (
    select * from mart.task_progress
),

tasks as (
    -- A task is completed in a quarter when all its rows (进度安排 and 施工图) are completed.
    select
        issuer,
        year,
        quarter,
        task_no,
        any_value(lead_office) as lead_office,
        bool_and(status = 'completed') as is_completed
    from task_progress
    group by issuer, year, quarter, task_no
)

select
    issuer,
    year,
    quarter,
    lead_office,
    count(*) as tasks,
    count(*) filter (where is_completed) as tasks_completed,
    round(count(*) filter (where is_completed) / count(*), 4) as completion_rate
from tasks
group by grouping sets ((issuer, year, quarter, lead_office), (issuer, year, quarter));

comment on view mart.quarterly_completion is 'Grain: issuer × year × quarter × lead_office, plus a row with lead_office NULL for all offices. Share of tasks completed.';
comment on column mart.quarterly_completion.issuer is 'Issuing bureau.';
comment on column mart.quarterly_completion.year is 'Year of the work report.';
comment on column mart.quarterly_completion.quarter is 'Quarter, 1-4.';
comment on column mart.quarterly_completion.lead_office is 'Internal lead office (【】); NULL = all offices of the issuer.';
comment on column mart.quarterly_completion.tasks is 'Tasks reported.';
comment on column mart.quarterly_completion.tasks_completed is 'Tasks all of whose rows are completed.';
comment on column mart.quarterly_completion.completion_rate is 'tasks_completed / tasks, 0-1.';
