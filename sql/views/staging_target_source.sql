-- Grain: one row per issuer × year × period (period_end_month) × task_no × target_no × source_indicator: each
-- indicator whose figures can make a target's actual — its own (rule 1), or each of its parts for a combined
-- indicator (rule 2: catalog parts, e.g. 智能工厂和数字化车间) — with the figure of that indicator the actual takes.
--   1. Same indicator. The figure must measure the year to date or a level (staging.task_actual.is_usable):
--      applications (申报), diagnoses (诊断), assessments (测评), inspections, one quarter's figure (三季度 … 20户)
--      and stocks to date (累计建成, 已培育 … 家) are other quantities. The largest such figure is the actual
--      (reports state running totals).
--   2. A combined indicator takes one figure per part (added up per target only when every part has one).
-- Targets without an indicator have no source.
create or replace view staging.target_source as
with targets as (
    select * from staging.task_target
),

indicator_parts as (
    select * from core.indicator_part
),

actuals as (
    select * from staging.task_actual
),

target_sources as (
    select
        t.issuer,
        t.year,
        t.period_end_month,
        t.task_no,
        t.target_no,
        coalesce(p.part_indicator, t.indicator) as source_indicator
    from targets as t
    left join indicator_parts as p on p.indicator = t.indicator
    where t.indicator is not null
)

select
    s.issuer,
    s.year,
    s.period_end_month,
    s.task_no,
    s.target_no,
    s.source_indicator,
    count(a.metric_no) as figures,
    max(a.value_normalized) filter (where a.is_usable) as value,
    arg_max(a.metric_no, a.largest_first) filter (where a.is_usable) as metric_no,
    arg_max(a.direction, a.largest_first) filter (where a.is_usable) as direction,
    arg_max(a.figure_text, a.largest_first) filter (where a.is_usable) as figure_text,
    arg_max(a.clause, a.largest_first) filter (where a.is_usable) as clause,
    arg_max(a.period_text, a.largest_first) filter (where a.is_usable) as period_text,
    string_agg(a.figure_text || ' (' || a.scope_reason || ')', '; ' order by a.metric_no)
        filter (where not a.is_usable) as rejected
from target_sources as s
left join actuals as a
    on a.issuer = s.issuer
    and a.year = s.year
    and a.period_end_month = s.period_end_month
    and a.task_no = s.task_no
    and a.indicator = s.source_indicator
group by s.issuer, s.year, s.period_end_month, s.task_no, s.target_no, s.source_indicator;

comment on view staging.target_source is 'Grain: issuer × year × period_end_month × task_no × target_no × source_indicator (each indicator whose figures can make a target''s actual: its own, or each part of a combined one). The figure of that indicator the actual takes, if any.';
comment on column staging.target_source.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column staging.target_source.year is 'Year of the work report.';
comment on column staging.target_source.period_end_month is 'The month the period ends (1-12).';
comment on column staging.target_source.task_no is 'Task number 序号.';
comment on column staging.target_source.target_no is 'The target''s position among the figures of the task title.';
comment on column staging.target_source.source_indicator is 'The target''s indicator, or one part of it for a combined indicator (core.indicator_part).';
comment on column staging.target_source.figures is 'Figures of the task''s progress text of this indicator, usable or not.';
comment on column staging.target_source.value is 'The largest usable figure of this indicator (normalized unit); NULL when none is usable.';
comment on column staging.target_source.metric_no is 'Position in the report of the figure taken.';
comment on column staging.target_source.direction is 'increase or decrease of the figure taken; NULL when not stated.';
comment on column staging.target_source.figure_text is 'The figure taken as written, e.g. 99个.';
comment on column staging.target_source.clause is 'The clause of the figure taken.';
comment on column staging.target_source.period_text is 'Period words of the figure taken, e.g. 前三季度.';
comment on column staging.target_source.rejected is 'Figures of this indicator not usable as the actual, each with the reason of its span; NULL when none.';
