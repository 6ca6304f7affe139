-- Grain: one row per issuer × year × period (period_end_month) × task_no × unit_no: each responsible unit of each
-- task, for tools that filter and group by unit but cannot read a list (Superset's filters on a VARCHAR[] fail: IN
-- cannot cast VARCHAR to VARCHAR[], LIKE finds no function). A task whose table names no unit (开化县) has one row,
-- unit_no 0 and responsible_unit NULL, so that every task appears. A task with several units appears once per unit:
-- count distinct task_no, not rows, for a number of tasks.
create or replace view mart.task_units as
with task_history as (
    select * from mart.task_history
),

task_progress as (
    select * from mart.task_progress
),

-- the status as written on the row that decides the task's status (its least advanced row; 进度安排 first)
status_texts as (
    select
        h.issuer,
        h.year,
        h.period_end_month,
        h.task_no,
        arg_min(p.status_text, coalesce(p.plan_type = 'roadmap', false)) as status_text
    from task_history as h
    inner join task_progress as p
        on p.issuer = h.issuer and p.year = h.year and p.period_end_month = h.period_end_month
        and p.task_no = h.task_no and p.status = h.status
    group by h.issuer, h.year, h.period_end_month, h.task_no
),

units as (
    select
        h.* exclude (status_text),
        t.status_text,
        u.unit_no,
        u.responsible_unit
    from task_history as h
    left join status_texts as t
        on t.issuer = h.issuer and t.year = h.year and t.period_end_month = h.period_end_month and t.task_no = h.task_no
    cross join lateral (
        select
            generate_subscripts(h.responsible_units, 1) as unit_no,
            unnest(h.responsible_units) as responsible_unit
        union all
        select 0, null
        where len(h.responsible_units) = 0
    ) as u
)

select
    issuer,
    year,
    quarter,
    period_kind,
    period_end_month,
    period_label,
    task_no,
    unit_no,
    responsible_unit,
    cast(len(responsible_units) as bigint) as units_of_task,
    array_to_string(responsible_units, '、') as responsible_units_text,
    task_title,
    lead_office,
    status,
    status_text,
    is_latest_period
from units;

comment on view mart.task_units is 'Grain: issuer × year × period_end_month × task_no × unit_no. One row per responsible unit of each task (one row with unit_no 0 and responsible_unit NULL for a task whose table names none): filter or group by responsible_unit; count distinct task_no for tasks.';
comment on column mart.task_units.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column mart.task_units.year is 'Year of the work report.';
comment on column mart.task_units.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter (1-11月).';
comment on column mart.task_units.period_kind is 'quarter, half_year, months or year.';
comment on column mart.task_units.period_end_month is 'The month the period ends (1-12).';
comment on column mart.task_units.period_label is 'The period as written: 三季度, 上半年, 1-9月 …; NULL when declared, not written.';
comment on column mart.task_units.task_no is 'Task number 序号.';
comment on column mart.task_units.unit_no is '1, 2, … : the unit''s position in the task''s responsible_units (1 is the first named, usually the lead unit); 0 when the table names no unit.';
comment on column mart.task_units.responsible_unit is 'One responsible unit (责任单位, 牵头单位, 责任科室 …) as written; NULL when the table names none.';
comment on column mart.task_units.units_of_task is 'How many units the task names (a task with 3 units has 3 rows).';
comment on column mart.task_units.responsible_units_text is 'Every unit of the task joined with 、, as in mart.task_history.responsible_units_text.';
comment on column mart.task_units.task_title is 'The task as reported that period.';
comment on column mart.task_units.lead_office is 'Lead office 【】 of the task, e.g. 中小办; NULL when the table names none.';
comment on column mart.task_units.status is 'The task''s status that period (mart.task_history.status): completed, in_progress, on_schedule, ahead_of_schedule, behind_schedule, not_started, not_completed; NULL without a status column.';
comment on column mart.task_units.status_text is 'Status as written on the row that decides the task''s status (its least advanced row; a mark such as ✓ is as written, its column not said); NULL without a status column.';
comment on column mart.task_units.is_latest_period is 'True for the latest year and period loaded for the issuer.';
