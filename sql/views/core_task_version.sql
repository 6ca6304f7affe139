-- Grain: one row per issuer × year × task_no × version of the task's attributes.
-- A task is identified within its issuer and year by task_no (tasks of different years are different tasks).
-- A new version starts in the period its title, responsible units, office or phone first differ from the period
-- before (periods ordered by their end month); computed from the current reports, so the order reports arrived in
-- does not matter.
create or replace view core.task_version as
with current_reports as (
    select * from staging.current_report
),

task_rows as (
    select * from core.task_row
),

task_periods as (
    select
        r.issuer,
        r.year,
        r.period_end_month,
        any_value(r.quarter) as quarter,
        t.task_no,
        any_value(t.task_title) as task_title,
        any_value(t.responsible_units) as responsible_units,
        any_value(t.lead_office) as lead_office,
        any_value(t.phone) as phone
    from current_reports as r
    inner join task_rows as t on t.report_id = r.report_id
    group by r.issuer, r.year, r.period_end_month, t.task_no
),

fingerprinted as (
    select
        *,
        md5(concat_ws('|', task_title, array_to_string(responsible_units, ','), lead_office, phone)) as attributes_md5
    from task_periods
),

flagged as (
    select
        *,
        attributes_md5 is distinct from lag(attributes_md5) over (
            partition by issuer, year, task_no order by period_end_month
        ) as starts_version
    from fingerprinted
),

numbered as (
    select
        *,
        sum(starts_version::integer) over (
            partition by issuer, year, task_no order by period_end_month rows unbounded preceding
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
        arg_min(quarter, period_end_month) as effective_from_quarter,
        min(period_end_month) as effective_from_period_end_month,
        max(period_end_month) as last_seen_period_end_month
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
    -- a period is dated by its last quarter-long span: 三季度 and 1-9月 from July, 1-11月 from September
    make_date(year, greatest(effective_from_period_end_month - 2, 1), 1) as effective_from,
    case when lead(effective_from_period_end_month) over w is not null then
        cast(make_date(year, greatest(lead(effective_from_period_end_month) over w - 2, 1), 1) - interval 1 day as date)
    end as effective_to,
    lead(effective_from_period_end_month) over w is null as is_current,
    effective_from_period_end_month,
    lead(effective_from_period_end_month) over w as next_version_period_end_month
from versions
window w as (partition by issuer, year, task_no order by version_no);

comment on view core.task_version is 'Grain: issuer × year × task_no × version. Task attributes (title, units, office, phone) with effective-from/effective-to periods: the task''s history.';
comment on column core.task_version.issuer is 'Issuing bureau.';
comment on column core.task_version.year is 'Year of the work report; tasks of different years are different tasks.';
comment on column core.task_version.task_no is 'Task number 序号 within the year''s list.';
comment on column core.task_version.version_no is '1 for the attributes first reported, +1 at each change.';
comment on column core.task_version.task_title is 'Target task 目标任务 in this version.';
comment on column core.task_version.responsible_units is 'Responsible units 责任分工 in this version.';
comment on column core.task_version.lead_office is 'Lead office 【】 in this version.';
comment on column core.task_version.phone is 'Supervision phone 监督方式 in this version.';
comment on column core.task_version.effective_from_quarter is 'Quarter of the first period this version was reported in (NULL when that period ends mid-quarter).';
comment on column core.task_version.effective_to_quarter is 'Last quarter before the next version; NULL for the current version (or when the next version''s period ends mid-quarter).';
comment on column core.task_version.effective_from is 'First day of the last three months of the first period this version was reported in (the quarter, for a quarter''s report).';
comment on column core.task_version.effective_to is 'The day before the next version''s effective_from; NULL for the current version.';
comment on column core.task_version.effective_from_period_end_month is 'End month of the first period this version was reported in.';
comment on column core.task_version.next_version_period_end_month is 'End month of the period the next version starts in; NULL for the current version.';
comment on column core.task_version.is_current is 'True for the latest version of the task.';
