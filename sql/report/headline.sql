-- The header's counts for the period the page leads with. Tasks are counted in that period's year only: a task is
-- identified by issuer × year × task_no, so two years' lists would count the same work twice (17, not 34).
-- And per issuer of that period (the issuers the page's title names): another issuer's list is not theirs.
-- Parameters: $year, $period_end_month (the period the page leads with).
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
        count(*) filter (where revision_label is not null) as revisions,
        max(loaded_at) filter (where is_current) as last_loaded_at
    from report_versions
),

periods as (
    select
        arg_min(year * 100 + period_end_month, year * 100 + period_end_month) as first_key,
        arg_min(coalesce(period_label, ''), year * 100 + period_end_month) as first_label,
        arg_max(year * 100 + period_end_month, year * 100 + period_end_month) as last_key,
        arg_max(coalesce(period_label, ''), year * 100 + period_end_month) as last_label
    from task_progress
),

issuers_this_period as (
    select distinct issuer
    from task_progress
    where year = $year and period_end_month = $period_end_month
),

tasks_this_year as (
    select
        issuer,
        count(distinct task_no) as tasks
    from task_progress
    where year = $year and issuer in (select issuer from issuers_this_period)
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
    f.revisions,
    f.last_loaded_at,
    p.first_key,
    p.first_label,
    p.last_key,
    p.last_label,
    i.tasks_by_issuer,
    i.issuers
from files as f
cross join periods as p
cross join per_issuer as i;
