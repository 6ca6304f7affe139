-- Grain: one row per issuer × year × period (period_end_month) × metric_no: every figure of a task's progress text
-- (落实情况) of a current report that could be a target's actual, once: a sentence repeated on both plan rows
-- (进度安排, 施工图) gives the same figure twice, and it is one figure (the first in reading order is kept).
-- A figure is usable as an actual when it measures the year to date or a level (figure_scope, see
-- staging_figure_scope.sql); the others are kept, to be listed as considered with their reason.
create or replace view staging.task_actual as
with observations as (
    select * from mart.metric_observation
)

select
    issuer,
    year,
    period_end_month,
    task_no,
    metric_no,
    indicator,
    subject,
    value_normalized,
    unit_normalized,
    direction,
    figure_text,
    clause,
    period_text,
    scope_reason,
    figure_scope in ('year_to_date', 'level') as is_usable,
    -- the order the actual is picked in: the largest figure; of equal ones the first in reading order (a tie must
    -- not fall to the rows' physical order)
    case when value_normalized is not null then row(value_normalized, -metric_no) end as largest_first
from observations
where kind = 'actual'
qualify row_number() over (
    partition by issuer, year, period_end_month, task_no, figure_text, clause order by metric_no
) = 1;

comment on view staging.task_actual is 'Grain: issuer × year × period_end_month × metric_no (a figure of a task''s progress text 落实情况 in a current report, a figure repeated on both plan rows once). The candidates for a target''s actual.';
comment on column staging.task_actual.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column staging.task_actual.year is 'Year of the work report.';
comment on column staging.task_actual.period_end_month is 'The month the period ends (1-12).';
comment on column staging.task_actual.task_no is 'Task number 序号.';
comment on column staging.task_actual.metric_no is 'Position of the figure in the report, in reading order.';
comment on column staging.task_actual.indicator is 'Catalog indicator code of the figure; NULL when unmatched.';
comment on column staging.task_actual.subject is 'What the figure counts, e.g. 5G基站.';
comment on column staging.task_actual.value_normalized is 'Value in the normalized unit.';
comment on column staging.task_actual.unit_normalized is 'Normalized unit (户 → 家, 万元 → 亿元, 个百分点 → pp).';
comment on column staging.task_actual.direction is 'increase (增长) or decrease (下降), NULL when not stated.';
comment on column staging.task_actual.figure_text is 'The figure as written, e.g. 99个.';
comment on column staging.task_actual.clause is 'The clause the figure came from.';
comment on column staging.task_actual.period_text is 'Period words of the sentence: 1-8月份, 三季度, 前三季度, 今年以来 …';
comment on column staging.task_actual.scope_reason is 'The words that decided the figure''s span (staging.figure_scope).';
comment on column staging.task_actual.is_usable is 'True when the figure measures the year to date or a level: it can be a target''s actual.';
comment on column staging.task_actual.largest_first is 'Sort key (value, -metric_no): the largest figure first, the first in reading order of equal ones; NULL without value.';
