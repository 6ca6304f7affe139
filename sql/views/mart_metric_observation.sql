-- Grain: one row per figure of a current report (issuer × year × period × metric_no).
create or replace view mart.metric_observation as
with current_reports as (
    select * from staging.current_report
),

metrics as (
    select * from staging.figure_scope
),

task_rows as (
    select * from core.task_row
),

indicators as (
    select * from core.indicator
),

tasks as (
    -- Task columns are the same on every row of a task; one per report × task.
    select
        report_id,
        task_no,
        any_value(task_title) as task_title,
        any_value(lead_office) as lead_office
    from task_rows
    group by report_id, task_no
)

select
    r.issuer,
    r.year,
    r.quarter,
    m.task_no,
    t.task_title,
    t.lead_office,
    m.plan_type,
    m.kind,
    m.metric_no,
    m.indicator,
    i.indicator_name,
    m.subject,
    m.value,
    m.unit,
    m.unit_normalized,
    m.value_normalized,
    m.comparator,
    m.direction,
    m.period_text,
    m.clause,
    m.figure_text,
    m.figure_scope,
    m.scope_reason,
    r.source_file,
    r.period_kind,
    r.period_end_month,
    r.period_label
from current_reports as r
inner join metrics as m on m.report_id = r.report_id
left join tasks as t on t.report_id = m.report_id and t.task_no = m.task_no
left join indicators as i on i.indicator = m.indicator;

comment on view mart.metric_observation is 'Grain: issuer × year × period_end_month × metric_no (a figure of a current report). Every figure of the text: targets (目标任务), plans (第N季度), actuals (落实情况), with its indicator and, for actuals, the span it measures.';
comment on column mart.metric_observation.issuer is 'Issuing bureau, e.g. 市工信局.';
comment on column mart.metric_observation.year is 'Year of the work report.';
comment on column mart.metric_observation.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter.';
comment on column mart.metric_observation.task_no is 'Task number 序号.';
comment on column mart.metric_observation.task_title is 'Target task 目标任务 the figure belongs to.';
comment on column mart.metric_observation.lead_office is 'Lead office 【】 of the task, e.g. 信推办.';
comment on column mart.metric_observation.plan_type is 'schedule (进度安排) or roadmap (施工图); NULL for targets taken from the task title.';
comment on column mart.metric_observation.kind is 'target (目标任务), plan (第N季度) or actual (落实情况).';
comment on column mart.metric_observation.metric_no is 'Position of the figure in the report, in reading order.';
comment on column mart.metric_observation.indicator is 'Catalog indicator code (data/indicators.yaml); NULL when unmatched (see etl indicators --unmatched).';
comment on column mart.metric_observation.indicator_name is 'Indicator name in Chinese, e.g. 新建5G基站; NULL when unmatched.';
comment on column mart.metric_observation.subject is 'What the figure counts, e.g. 5G基站.';
comment on column mart.metric_observation.value is 'The number as written.';
comment on column mart.metric_observation.unit is 'Unit as written.';
comment on column mart.metric_observation.unit_normalized is 'Normalized unit (户 → 家, 万元 → 亿元, 个百分点 → pp).';
comment on column mart.metric_observation.value_normalized is 'Value in the normalized unit.';
comment on column mart.metric_observation.comparator is '=, >= (以上), <= (以下/以内), ~ (约/左右).';
comment on column mart.metric_observation.direction is 'increase (增长) or decrease (下降), NULL when not stated.';
comment on column mart.metric_observation.period_text is 'Period words of the sentence: 1-8月份, 三季度, 前三季度, 今年以来 …';
comment on column mart.metric_observation.clause is 'The clause the figure came from (was source_text before issue 15).';
comment on column mart.metric_observation.figure_text is 'The figure as written, e.g. 260户以上.';
comment on column mart.metric_observation.figure_scope is 'Actuals only: the span the figure measures — year_to_date, level, one_quarter, stock_to_date, applications, diagnoses, assessments, inspections or unqualified (rules in sql/views/staging_figure_scope.sql). Only year_to_date and level figures can be a target''s actual. NULL for targets and plans.';
comment on column mart.metric_observation.scope_reason is 'The words that decided figure_scope, e.g. 三季度: one quarter''s figure, not the year to date.';
comment on column mart.metric_observation.source_file is 'Source file name of the current report version.';
comment on column mart.metric_observation.period_kind is 'quarter, half_year, months or year.';
comment on column mart.metric_observation.period_end_month is 'The month the period ends (1-12).';
comment on column mart.metric_observation.period_label is 'The period as written.';
