-- Rows not completed in the latest quarter of each issuer, with what was done.
with latest as (
    select issuer, max(year * 10 + quarter) as year_quarter
    from mart.task_progress
    group by issuer
)

select
    p.issuer,
    p.year,
    p.quarter,
    p.task_no,
    p.task_title,
    p.plan_type_label,
    p.status_text,
    p.progress_text
from mart.task_progress as p
inner join latest as l on l.issuer = p.issuer and l.year_quarter = p.year * 10 + p.quarter
where p.status <> 'completed'
order by p.task_no, p.plan_type;
