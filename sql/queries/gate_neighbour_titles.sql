-- Quality gate (history_titles): task titles in the neighbouring current reports of the same issuer and year —
-- the nearest earlier quarter, the same quarter (the version a re-issue supersedes) and the nearest later quarter —
-- so that a change is reported once, by the report where it happens, whatever the order the quarters arrive in.
-- Parameters: issuer, year, quarter, report_id (the report being checked).
with others as (
    select report_id, quarter
    from staging.current_report
    where issuer = $issuer and year = $year and report_id <> $report_id
),

neighbours as (
    select report_id, quarter
    from others
    where quarter = $quarter
        or quarter = (select max(quarter) from others where quarter < $quarter)
        or quarter = (select min(quarter) from others where quarter > $quarter)
)

select t.task_no, n.quarter as other_quarter, min(t.task_title) as other_title, n.report_id as other_report_id
from neighbours as n
inner join core.task_row as t on t.report_id = n.report_id
group by t.task_no, n.quarter, n.report_id
