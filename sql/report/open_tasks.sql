-- Tasks not completed in the given period, by name, with their office and what was done (落实情况) in each row.
-- Parameters: $year, $period_end_month.
-- Grain: one row per issuer × task_no open in that period; rows = its 进度安排 / 施工图 rows in plan order (one row
-- for a table of one row per task).
with task_history as (
    select * from mart.task_history
    where year = $year and period_end_month = $period_end_month
),

task_progress as (
    select * from mart.task_progress
    where year = $year and period_end_month = $period_end_month
),

open_tasks as (
    select * from task_history
    where status <> 'completed'
)

select
    t.issuer,
    t.year,
    t.period_end_month,
    t.period_kind,
    t.period_label,
    t.task_no,
    t.task_title,
    t.lead_office,
    t.status,
    list(
        {
            'plan_type_label': p.plan_type_label,
            'status': p.status,
            'status_text': p.status_text,
            'plan_text': p.plan_text,
            'progress_text': p.progress_text
        }
        order by p.plan_type desc nulls first
    ) as rows
from open_tasks as t
inner join task_progress as p on p.issuer = t.issuer and p.task_no = t.task_no
group by all
order by t.issuer, t.task_no;
