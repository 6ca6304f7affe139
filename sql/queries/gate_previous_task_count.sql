-- Quality gate (history_task_count): for each report being checked, the latest earlier quarter of the same issuer
-- and year among the current reports, and its task count (no row when there is none).
-- Parameters: targets, a list of struct(target_no, issuer, year, quarter, report_id): the reports being checked.
with targets as (
    select unnest($targets, recursive := true)
),

earlier as (
    select
        t.target_no,
        c.quarter,
        r.task_count,
        row_number() over (partition by t.target_no order by c.quarter desc) as nearest
    from targets as t
    inner join staging.current_report as c
        on c.issuer = t.issuer and c.year = t.year and c.quarter < t.quarter and c.report_id <> t.report_id
    inner join core.report as r on r.report_id = c.report_id
)

select target_no, quarter, task_count
from earlier
where nearest = 1
