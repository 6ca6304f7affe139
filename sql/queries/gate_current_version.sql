-- Quality gate (versions, etl.load.versions): for each report being loaded, the current version of the same
-- issuer × year × period (period_end_month: 三季度, 1-9月 and 前三季度 are one period, as in staging.report_version)
-- — the version a new one of that period would replace — and that version's task rows; no row when there is none.
-- Parameters: targets, a list of struct(target_no, issuer, year, period_end_month, report_id): the reports loaded.
with targets as (
    select unnest($targets, recursive := true)
),

current_versions as (
    select
        t.target_no,
        c.report_id,
        c.source_file,
        c.revision_label,
        r.content_sha256
    from targets as t
    inner join staging.current_report as c
        on c.issuer = t.issuer and c.year = t.year and c.period_end_month = t.period_end_month
        and c.report_id <> t.report_id
    inner join core.report as r on r.report_id = c.report_id
)

select
    v.target_no,
    v.report_id,
    v.source_file,
    v.revision_label,
    v.content_sha256,
    tr.task_no,
    tr.plan_type,
    tr.task_title,
    tr.lead_office,
    tr.status,
    tr.plan_text,
    tr.progress_text
from current_versions as v
inner join core.task_row as tr on tr.report_id = v.report_id
order by v.target_no, tr.task_no, tr.plan_type
