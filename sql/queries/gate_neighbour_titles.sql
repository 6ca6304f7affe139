-- Quality gate (history_titles): for each report being checked, the task titles in the neighbouring current reports
-- of the same issuer and year — the nearest earlier period, the same period (the version a re-issue supersedes)
-- and the nearest later period, periods ordered by their end month — so that a change is reported once, by the
-- report where it happens, whatever the order the periods arrive in.
-- Parameters: targets, a list of struct(target_no, issuer, year, period_end_month, report_id): the reports checked.
with targets as (
    select unnest($targets, recursive := true)
),

others as (
    select
        t.target_no,
        t.period_end_month as checked_end,
        c.report_id,
        c.period_end_month,
        -- a period declared, not written, is named by its months
        coalesce(c.period_label, '1-' || c.period_end_month || '月') as period_label
    from targets as t
    inner join staging.current_report as c
        on c.issuer = t.issuer and c.year = t.year and c.report_id <> t.report_id
),

bounds as (
    select
        target_no,
        max(period_end_month) filter (where period_end_month < checked_end) as earlier_end,
        min(period_end_month) filter (where period_end_month > checked_end) as later_end
    from others
    group by target_no
),

neighbours as (
    select o.target_no, o.report_id, o.period_end_month, o.period_label
    from others as o
    inner join bounds as b on b.target_no = o.target_no
    where o.period_end_month in (o.checked_end, b.earlier_end, b.later_end)
)

select
    n.target_no,
    t.task_no,
    n.period_label as other_period,
    n.period_end_month as other_period_end_month,
    min(t.task_title) as other_title,
    n.report_id as other_report_id
from neighbours as n
inner join core.task_row as t on t.report_id = n.report_id
group by n.target_no, t.task_no, n.period_label, n.period_end_month, n.report_id
