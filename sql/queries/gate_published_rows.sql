-- Quality gate (published_rows), after loading: each report's stated row count next to the rows loaded.
select r.report_id, r.row_count, count(t.report_id) as loaded_rows
from core.report as r
left join core.task_row as t on t.report_id = r.report_id
group by r.report_id, r.row_count
