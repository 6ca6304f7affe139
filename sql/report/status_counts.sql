-- Tasks by status in each quarter.
-- Grain: one row per year × quarter × status.
with task_history as (
    select * from mart.task_history
)

select
    year,
    quarter,
    status,
    count(*) as tasks
from task_history
where quarter is not null and status is not null
group by year, quarter, status
order by year, quarter, status;
