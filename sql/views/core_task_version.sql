-- Grain: one row per issuer × year × task_no × version of the task's attributes.
-- A task is identified within its issuer and year by task_no (tasks of different years are different tasks).
-- A new version starts in the quarter its title, responsible units, office or phone first differ from the
-- quarter before; computed from the current reports, so the order reports arrived in does not matter.
create or replace view core.task_version as
with current_reports as (
    select * from staging.current_report
),

task_rows as (
    select * from core.task_row
),

task_quarters as (
    select
        r.issuer,
        r.year,
        r.quarter,
        t.task_no,
        any_value(t.task_title) as task_title,
        any_value(t.responsible_units) as responsible_units,
        any_value(t.lead_office) as lead_office,
        any_value(t.phone) as phone
    from current_reports as r
    inner join task_rows as t on t.report_id = r.report_id
    group by r.issuer, r.year, r.quarter, t.task_no
),

fingerprinted as (
    select
        *,
        md5(concat_ws('|', task_title, array_to_string(responsible_units, ','), lead_office, phone)) as attributes_md5
    from task_quarters
),

flagged as (
    select
        *,
        attributes_md5 is distinct from lag(attributes_md5) over (
            partition by issuer, year, task_no order by quarter
        ) as starts_version
    from fingerprinted
),

numbered as (
    select
        *,
        sum(starts_version::integer) over (
            partition by issuer, year, task_no order by quarter rows unbounded preceding
        ) as version_no
    from flagged
),

versions as (
    select
        issuer,
        year,
        task_no,
        version_no,
        any_value(task_title) as task_title,
        any_value(responsible_units) as responsible_units,
        any_value(lead_office) as lead_office,
        any_value(phone) as phone,
        min(quarter) as effective_from_quarter,
        max(quarter) as last_seen_quarter
    from numbered
    group by issuer, year, task_no, version_no
)

select
    issuer,
    year,
    task_no,
    version_no,
    task_title,
    responsible_units,
    lead_office,
    phone,
    effective_from_quarter,
    lead(effective_from_quarter) over w - 1 as effective_to_quarter,
    make_date(year, (effective_from_quarter - 1) * 3 + 1, 1) as effective_from,
    cast(make_date(year, (lead(effective_from_quarter) over w - 1) * 3 + 1, 1) - interval 1 day as date) as effective_to,
    lead(effective_from_quarter) over w is null as is_current
from versions
window w as (partition by issuer, year, task_no order by version_no);

comment on view core.task_version is 'Grain: issuer × year × task_no × version. Task attributes (title, units, office, phone) with effective-from/effective-to quarters: the task''s history.';
comment on column core.task_version.issuer is 'Issuing bureau.';
comment on column core.task_version.year is 'Year of the work report; tasks of different years are different tasks.';
comment on column core.task_version.task_no is 'Task number 序号 within the year''s list.';
comment on column core.task_version.version_no is '1 for the attributes first reported, +1 at each change.';
comment on column core.task_version.task_title is 'Target task 目标任务 in this version.';
comment on column core.task_version.responsible_units is 'Responsible units 责任分工 in this version.';
comment on column core.task_version.lead_office is 'Lead office 【】 in this version.';
comment on column core.task_version.phone is 'Supervision phone 监督方式 in this version.';
comment on column core.task_version.effective_from_quarter is 'First quarter of the year this version was reported.';
comment on column core.task_version.effective_to_quarter is 'Last quarter before the next version; NULL for the current version.';
comment on column core.task_version.effective_from is 'First day of effective_from_quarter.';
comment on column core.task_version.effective_to is 'Last day of effective_to_quarter; NULL for the current version.';
comment on column core.task_version.is_current is 'True for the latest version of the task.';
