-- Quality gate (history_task_count): the latest earlier quarter of the same issuer and year among the current
-- reports, and its task count. Parameters: issuer, year, quarter, report_id (the report being checked).
select c.quarter, r.task_count
from staging.current_report as c
inner join core.report as r on r.report_id = c.report_id
where c.issuer = $issuer and c.year = $year and c.quarter < $quarter and c.report_id <> $report_id
order by c.quarter desc
limit 1
