-- Grain: one row per figure of a current report (report × metric_no).
create or replace view mart.metric_observation as
with current_reports as (
    select * from staging.current_report
),

metrics as (
    select * from staging.metric_indicator
)

select
    r.issuer,
    r.year,
    r.quarter,
    m.task_no,
    m.plan_type,
    m.kind,
    m.indicator,
    m.subject,
    m.value,
    m.unit,
    m.unit_normalized,
    m.value_normalized,
    m.comparator,
    m.direction,
    m.period_text,
    m.clause as source_text,
    m.source_text as figure_text,
    r.source_file,
    m.metric_no
from current_reports as r
inner join metrics as m on m.report_id = r.report_id;

comment on view mart.metric_observation is 'Grain: current report × figure. Every figure of the text: targets (目标任务), plans (第N季度), actuals (落实情况), with its indicator.';
comment on column mart.metric_observation.issuer is 'Issuing bureau.';
comment on column mart.metric_observation.year is 'Year of the work report.';
comment on column mart.metric_observation.quarter is 'Quarter, 1-4.';
comment on column mart.metric_observation.task_no is 'Task number 序号.';
comment on column mart.metric_observation.plan_type is 'schedule (进度安排) or roadmap (施工图); NULL for targets taken from the task title.';
comment on column mart.metric_observation.kind is 'target, plan or actual.';
comment on column mart.metric_observation.indicator is 'Catalog indicator code (data/indicators.yaml); NULL when unmatched (see etl indicators --unmatched).';
comment on column mart.metric_observation.subject is 'What the figure counts, e.g. 5G基站.';
comment on column mart.metric_observation.value is 'The number as written.';
comment on column mart.metric_observation.unit is 'Unit as written.';
comment on column mart.metric_observation.unit_normalized is 'Normalized unit (户 → 家, 万元 → 亿元, 个百分点 → pp).';
comment on column mart.metric_observation.value_normalized is 'Value in the normalized unit.';
comment on column mart.metric_observation.comparator is '=, >= (以上), <= (以下/以内), ~ (约/左右).';
comment on column mart.metric_observation.direction is 'increase (增长) or decrease (下降), NULL when not stated.';
comment on column mart.metric_observation.period_text is 'Period words: 1-8月份, 三季度, 前三季度, 今年以来 …';
comment on column mart.metric_observation.source_text is 'The clause the figure came from.';
comment on column mart.metric_observation.figure_text is 'The figure as written, e.g. 260户以上.';
comment on column mart.metric_observation.source_file is 'Source file name.';
comment on column mart.metric_observation.metric_no is 'Position of the figure in the report.';
