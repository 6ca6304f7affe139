-- The header's counts. Tasks are counted in the year of the latest quarter only: a task is identified by
-- issuer × year × task_no, so two years' lists would count the same work twice (a director expects 17, not 34).
-- Parameters: $year, $quarter (the latest quarter, latest_quarter.sql).
-- Grain: one row.
with report_versions as (
    select * from mart.report_versions
),

task_progress as (
    select * from mart.task_progress
),

files as (
    select
        count(*) as reports,
        count(*) filter (where is_current) as current_reports,
        max(loaded_at) filter (where is_current) as last_loaded_at
    from report_versions
),

quarters as (
    select
        min(year * 10 + quarter) as first_year_quarter,
        max(year * 10 + quarter) as last_year_quarter
    from task_progress
    where quarter is not null
),

tasks_this_year as (
    select count(*) as tasks
    from (select distinct issuer, task_no from task_progress where year = $year)
),

issuers_this_quarter as (
    select list(distinct issuer order by issuer) as issuers
    from task_progress
    where year = $year and quarter = $quarter
)

select
    f.reports,
    f.current_reports,
    f.last_loaded_at,
    q.first_year_quarter,
    q.last_year_quarter,
    t.tasks as tasks_this_year,
    i.issuers
from files as f
cross join quarters as q
cross join tasks_this_year as t
cross join issuers_this_quarter as i;
