-- Grain: one row per issuer × year × period (period_end_month) × task_no × target_no: every figure of a task title
-- (目标任务) of a current report, numbered in reading order, with its catalog indicator and how that indicator is
-- judged (measure: cumulative, level or rate; core.indicator): the targets the attainment mart judges.
create or replace view staging.task_target as
with observations as (
    select * from mart.metric_observation
),

indicators as (
    select * from core.indicator
)

select
    o.issuer,
    o.year,
    o.quarter,
    o.period_kind,
    o.period_end_month,
    o.period_label,
    o.task_no,
    o.task_title,
    o.lead_office,
    row_number() over (partition by o.issuer, o.year, o.period_end_month, o.task_no order by o.metric_no) as target_no,
    o.indicator,
    o.indicator_name,
    i.measure,
    o.figure_text as target_text,
    o.clause as target_clause,
    o.value_normalized as target_value,
    o.comparator,
    o.direction,
    o.unit_normalized as unit
from observations as o
left join indicators as i on i.indicator = o.indicator
where o.kind = 'target';

comment on view staging.task_target is 'Grain: issuer × year × period_end_month × task_no × target_no (every figure of a task title 目标任务 in a current report). The target with its indicator and how the indicator is judged.';
comment on column staging.task_target.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column staging.task_target.year is 'Year of the work report.';
comment on column staging.task_target.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter.';
comment on column staging.task_target.period_kind is 'quarter, half_year, months or year.';
comment on column staging.task_target.period_end_month is 'The month the period ends (1-12).';
comment on column staging.task_target.period_label is 'The period as written.';
comment on column staging.task_target.task_no is 'Task number 序号.';
comment on column staging.task_target.task_title is 'Target task 目标任务 as reported that period.';
comment on column staging.task_target.lead_office is 'Lead office 【】 of the task, e.g. 运行办.';
comment on column staging.task_target.target_no is '1, 2, … : position of the figure among the figures of the task title.';
comment on column staging.task_target.indicator is 'Catalog indicator code of the target; NULL when no indicator takes it.';
comment on column staging.task_target.indicator_name is 'Indicator name in Chinese, e.g. 新增规上工业企业.';
comment on column staging.task_target.measure is 'cumulative, level or rate (core.indicator.measure); NULL without indicator.';
comment on column staging.task_target.target_text is 'The target figure as written, e.g. 260户以上.';
comment on column staging.task_target.target_clause is 'The clause of the task title the target came from.';
comment on column staging.task_target.target_value is 'Target figure in the normalized unit.';
comment on column staging.task_target.comparator is '= , >= (以上), <= (以下/以内), ~ (约/左右) of the target.';
comment on column staging.task_target.direction is 'increase (增长) or decrease (下降) of the target; NULL when not stated.';
comment on column staging.task_target.unit is 'Normalized unit of the target.';
