-- Grain: one row per issuer × year × period (period_end_month) × task_no × target_no: every target of
-- staging.task_target with its actual, if it has one, and the figures that were looked at and not taken.
--   The actual is the figure of each source indicator (staging.target_source) added up, and only when every source
--   has a usable figure: a combined target with one part reported has no actual.
--   attainment = actual / target, signed so that a 下降 target is met by a decrease.
--   considered_figures: the sources' figures that measure another span, then the task's figures in the target's
--   unit that belong to none of its indicators (rule 3).
create or replace view staging.target_actual as
with targets as (
    select * from staging.task_target
),

sources as (
    select * from staging.target_source
),

actuals as (
    select * from staging.task_actual
),

matched as (
    select
        issuer,
        year,
        period_end_month,
        task_no,
        target_no,
        count(*) as sources,
        count(value) as usable_sources,
        sum(figures) as figures,
        sum(value * case when direction = 'decrease' then -1 else 1 end) as signed_actual,
        sum(value) as actual_value,
        string_agg(figure_text, ' + ' order by metric_no) as actual_text,
        string_agg(clause, '; ' order by metric_no) as actual_clause,
        string_agg(distinct period_text, ', ') as actual_period_text,
        string_agg(rejected, '; ' order by source_indicator) as rejected
    from sources
    group by issuer, year, period_end_month, task_no, target_no
),

-- Figures of the task in the target's unit that belong to none of the target's indicators.
related as (
    select
        t.issuer,
        t.year,
        t.period_end_month,
        t.task_no,
        t.target_no,
        string_agg(
            a.figure_text || ' ' || coalesce(a.subject, '') || ' (' || a.scope_reason || ')',
            '; ' order by a.metric_no
        ) as related
    from targets as t
    inner join actuals as a
        on a.issuer = t.issuer
        and a.year = t.year
        and a.period_end_month = t.period_end_month
        and a.task_no = t.task_no
        and a.unit_normalized = t.unit
    where not exists (
        select 1
        from sources as s
        where s.issuer = t.issuer and s.year = t.year and s.period_end_month = t.period_end_month and s.task_no = t.task_no
            and s.target_no = t.target_no and s.source_indicator = a.indicator
    )
    group by t.issuer, t.year, t.period_end_month, t.task_no, t.target_no
)

select
    t.issuer,
    t.year,
    t.period_end_month,
    t.task_no,
    t.target_no,
    m.sources,
    m.figures,
    m.usable_sources = m.sources as has_actual,
    case when m.usable_sources = m.sources then m.actual_value end as actual_value,
    case when m.usable_sources = m.sources then m.actual_text end as actual_text,
    case when m.usable_sources = m.sources then m.actual_clause end as actual_clause,
    case when m.usable_sources = m.sources then m.actual_period_text end as actual_period_text,
    case
        when m.usable_sources = m.sources
            then round(m.signed_actual / nullif(t.target_value * case when t.direction = 'decrease' then -1 else 1 end, 0), 4)
    end as attainment,
    nullif(concat_ws('; ', m.rejected, r.related), '') as considered_figures
from targets as t
left join matched as m
    on m.issuer = t.issuer and m.year = t.year and m.period_end_month = t.period_end_month and m.task_no = t.task_no
    and m.target_no = t.target_no
left join related as r
    on r.issuer = t.issuer and r.year = t.year and r.period_end_month = t.period_end_month and r.task_no = t.task_no
    and r.target_no = t.target_no;

comment on view staging.target_actual is 'Grain: issuer × year × period_end_month × task_no × target_no (every target of staging.task_target). Its actual if every source indicator has a usable figure, the attainment, and the figures considered and not taken.';
comment on column staging.target_actual.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column staging.target_actual.year is 'Year of the work report.';
comment on column staging.target_actual.period_end_month is 'The month the period ends (1-12).';
comment on column staging.target_actual.task_no is 'Task number 序号.';
comment on column staging.target_actual.target_no is 'The target''s position among the figures of the task title.';
comment on column staging.target_actual.sources is 'Indicators whose figures make the actual (1, or the parts of a combined indicator); NULL without indicator.';
comment on column staging.target_actual.figures is 'Figures of those indicators in the progress text, usable or not; NULL without indicator.';
comment on column staging.target_actual.has_actual is 'True when every source has a usable figure; NULL without indicator.';
comment on column staging.target_actual.actual_value is 'The actual in the normalized unit (the sum of the parts for a combined target); NULL when none is usable.';
comment on column staging.target_actual.actual_text is 'The actual figure(s) as written, e.g. 99个, or 20家 + 92家 for parts.';
comment on column staging.target_actual.actual_clause is 'Clause(s) the actual came from.';
comment on column staging.target_actual.actual_period_text is 'Period words of the actual, e.g. 前三季度, 1-8月份.';
comment on column staging.target_actual.attainment is 'actual / target, direction-aware (a 下降 target is met by a decrease), 4 decimals; NULL without a usable actual.';
comment on column staging.target_actual.considered_figures is 'Figures of the task looked at and not taken, each with its scope and reason; NULL when none.';
