-- The header's counts. Tasks are counted in the year of the latest quarter only: a task is identified by
-- issuer × year × task_no, so two years' lists would count the same work twice (a director expects 17, not 34).
-- And per issuer of the latest quarter (the issuers the page's title names): another issuer's list is not theirs.
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

issuers_this_quarter as (
    select distinct issuer
    from task_progress
    where year = $year and quarter = $quarter
),

tasks_this_year as (
    select
        issuer,
        count(distinct task_no) as tasks
    from task_progress
    where year = $year and issuer in (select issuer from issuers_this_quarter)
    group by issuer
),

per_issuer as (
    select
        list(issuer order by issuer) as issuers,
        list(tasks order by issuer) as tasks_by_issuer
    from tasks_this_year
)

select
    f.reports,
    f.current_reports,
    f.last_loaded_at,
    q.first_year_quarter,
    q.last_year_quarter,
    i.tasks_by_issuer,
    i.issuers
from files as f
cross join quarters as q
cross join per_issuer as i;
