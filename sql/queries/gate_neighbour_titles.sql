-- Quality gate (history_titles): for each report being checked, the task titles in the neighbouring current reports
-- of the same issuer and year — the nearest earlier quarter, the same quarter (the version a re-issue supersedes)
-- and the nearest later quarter — so that a change is reported once, by the report where it happens, whatever the
-- order the quarters arrive in.
-- Parameters: targets, a list of struct(target_no, issuer, year, quarter, report_id): the reports being checked.
with targets as (
    select unnest($targets, recursive := true)
),

others as (
    select t.target_no, t.quarter as checked_quarter, c.report_id, c.quarter
    from targets as t
    inner join staging.current_report as c
        on c.issuer = t.issuer and c.year = t.year and c.report_id <> t.report_id
),

bounds as (
    select
        target_no,
        max(quarter) filter (where quarter < checked_quarter) as earlier_quarter,
        min(quarter) filter (where quarter > checked_quarter) as later_quarter
    from others
    group by target_no
),

neighbours as (
    select o.target_no, o.report_id, o.quarter
    from others as o
    inner join bounds as b on b.target_no = o.target_no
    where o.quarter = o.checked_quarter or o.quarter = b.earlier_quarter or o.quarter = b.later_quarter
)

select
    n.target_no,
    t.task_no,
    n.quarter as other_quarter,
    min(t.task_title) as other_title,
    n.report_id as other_report_id
from neighbours as n
inner join core.task_row as t on t.report_id = n.report_id
group by n.target_no, t.task_no, n.quarter, n.report_id
