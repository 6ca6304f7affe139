-- Quality gate (history_task_count): for each report being checked, the latest earlier period of the same issuer
-- and year among the current reports (periods ordered by their end month), and its task count (no row when there
-- is none).
-- Parameters: targets, a list of struct(target_no, issuer, year, period_end_month, report_id): the reports checked.
with targets as (
    select unnest($targets, recursive := true)
),

earlier as (
    select
        t.target_no,
        coalesce(c.period_label, '1-' || c.period_end_month || '月') as period_label,
        r.task_count,
        row_number() over (partition by t.target_no order by c.period_end_month desc) as nearest
    from targets as t
    inner join staging.current_report as c
        on c.issuer = t.issuer and c.year = t.year and c.period_end_month < t.period_end_month
        and c.report_id <> t.report_id
    inner join core.report as r on r.report_id = c.report_id
)

select target_no, period_label, task_count
from earlier
where nearest = 1
