-- Grain: one row per issuer × year × period × task_no × target_no: every figure of a task title (目标任务) of a current
-- report, with an explicit assessment. Nothing drops out: a target without a usable actual says why.
--
-- How a target finds its actual (figures of the same task's 落实情况, same report):
--   1. Same indicator. The figure must measure the year to date or a level (figure_scope year_to_date / level, see
--      staging_figure_scope.sql): applications (申报), diagnoses (诊断), assessments (测评), inspections, one quarter's
--      figure (三季度 … 20户) and stocks to date (累计建成, 已培育 … 家) are other quantities. The largest such figure is
--      the actual (reports state running totals).
--   2. A combined indicator (catalog parts: 智能工厂和数字化车间) takes the sum of one figure per part, and only when
--      every part has a usable figure.
--   3. Figures of the task in the target's unit that no rule above takes are listed in considered_figures.
-- How it is judged (attainment = actual / target, signed so that a 下降 target is met by a decrease):
--   cumulative  achieved when attainment >= 1; on_track when attainment >= elapsed_share = end month / 12 (序时进度);
--               else behind
--   level       achieved when the level reaches the target; else behind (序时进度 means nothing for a level)
--   rate        meeting the target is on_track before the year's end and achieved at it (a rate can still move); else behind
--   A <= target (以下/以内) is met when the actual is at most the target.
--   not_comparable     figures exist but none measures the target's quantity over the same span, only part of a
--                      combined target is reported, or no catalog indicator takes the target (assessment_reason says)
--   no_actual_reported the task's progress text has no figure of the indicator or in the target's unit
create or replace view mart.target_attainment as
with observations as (
    select * from mart.metric_observation
),

indicators as (
    select * from core.indicator
),

indicator_parts as (
    select * from core.indicator_part
),

current_reports as (
    select * from staging.current_report
),

latest as (
    select issuer, max(year * 100 + period_end_month) as latest_year_period
    from current_reports
    group by issuer
),

targets as (
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
    where o.kind = 'target'
),

actuals as (
    select
        *,
        figure_scope in ('year_to_date', 'level') as is_usable,
        -- the order the actual is picked in: the largest figure; of equal ones the first in reading order (a tie
        -- must not fall to the rows' physical order)
        case when value_normalized is not null then row(value_normalized, -metric_no) end as largest_first
    from observations
    where kind = 'actual'
    -- a sentence repeated on both plan rows (进度安排, 施工图) gives the same figure twice: it is one figure
    qualify row_number() over (
        partition by issuer, year, period_end_month, task_no, figure_text, clause order by metric_no
    ) = 1
),

-- The indicators whose figures can make a target's actual: its own, or its parts for a combined indicator.
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
),

source_figures as (
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
    group by s.issuer, s.year, s.period_end_month, s.task_no, s.target_no, s.source_indicator
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
    from source_figures
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
        from target_sources as s
        where s.issuer = t.issuer and s.year = t.year and s.period_end_month = t.period_end_month and s.task_no = t.task_no
            and s.target_no = t.target_no and s.source_indicator = a.indicator
    )
    group by t.issuer, t.year, t.period_end_month, t.task_no, t.target_no
),

combined as (
    select
        t.*,
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
        nullif(concat_ws('; ', m.rejected, r.related), '') as considered_figures,
        t.year * 100 + t.period_end_month = l.latest_year_period as is_latest_quarter
    from targets as t
    left join matched as m
        on m.issuer = t.issuer and m.year = t.year and m.period_end_month = t.period_end_month and m.task_no = t.task_no
        and m.target_no = t.target_no
    left join related as r
        on r.issuer = t.issuer and r.year = t.year and r.period_end_month = t.period_end_month and r.task_no = t.task_no
        and r.target_no = t.target_no
    inner join latest as l on l.issuer = t.issuer
),

judged as (
    select
        *,
        case when measure = 'cumulative' then period_end_month / 12 end as elapsed_share,
        case when measure = 'cumulative' then round(target_value * period_end_month / 12, 4) else target_value end as expected_value,
        case when comparator = '<=' then actual_value <= target_value else attainment >= 1 end as is_met
    from combined
)

select
    issuer,
    year,
    quarter,
    task_no,
    task_title,
    lead_office,
    target_no,
    indicator,
    indicator_name,
    target_text,
    target_clause,
    target_value,
    comparator,
    direction,
    unit,
    measure,
    actual_value,
    actual_text,
    actual_clause,
    actual_period_text,
    attainment,
    elapsed_share,
    expected_value,
    case
        when indicator is null then 'not_comparable'
        when not has_actual and (figures > 0 or considered_figures is not null) then 'not_comparable'
        when not has_actual then 'no_actual_reported'
        when is_met and measure = 'rate' and period_end_month < 12 then 'on_track'
        when is_met then 'achieved'
        when measure = 'cumulative' and attainment >= elapsed_share then 'on_track'
        else 'behind'
    end as assessment,
    case
        when indicator is null then format(
            'no catalog indicator takes the target figure {} ({}); add one to data/indicators.yaml to judge it',
            target_text, target_clause
        )
        when not has_actual and sources > 1 and figures > 0 then format(
            'the target adds up {} parts and not every part has a year-to-date figure; considered: {}',
            sources, coalesce(considered_figures, 'none')
        )
        when not has_actual and (figures > 0 or considered_figures is not null) then format(
            'no figure of the task measures {} over the year to date; considered: {}',
            coalesce(indicator_name, indicator), considered_figures
        )
        when not has_actual then format(
            'the progress text (落实情况) of the task gives no figure of {} and none in {}',
            coalesce(indicator_name, indicator), unit
        )
        when measure = 'cumulative' and is_met then format(
            '{} reaches the target {}', actual_text, target_text
        )
        when measure = 'cumulative' then format(
            '{} is {:.1f}% of the target {}, {} the elapsed share {:.0f}% (序时进度)',
            actual_text, attainment * 100, target_text,
            case when attainment >= elapsed_share then 'at or above' else 'below' end, elapsed_share * 100
        )
        when is_met and measure = 'rate' and period_end_month < 12 then format(
            'the rate {} meets the target {}; a rate is judged against the target itself and can still move before Q4',
            actual_text, target_text
        )
        when is_met then format('{} meets the target {} (judged against the target itself)', actual_text, target_text)
        else format(
            '{} falls short of the target {} ({} judged against the target itself, not the elapsed share)',
            actual_text, target_text, measure
        )
    end as assessment_reason,
    considered_figures,
    is_latest_quarter,
    period_kind,
    period_end_month,
    period_label,
    is_latest_quarter as is_latest_period
from judged;

comment on view mart.target_attainment is 'Grain: issuer × year × period_end_month × task_no × target_no (every figure of a task title 目标任务 in a current report). The target, the actual that measures the same thing over the same span (if any), and an explicit assessment with its reason.';
comment on column mart.target_attainment.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column mart.target_attainment.year is 'Year of the work report.';
comment on column mart.target_attainment.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter.';
comment on column mart.target_attainment.task_no is 'Task number 序号.';
comment on column mart.target_attainment.task_title is 'Target task 目标任务 as reported that quarter.';
comment on column mart.target_attainment.lead_office is 'Lead office 【】 of the task, e.g. 运行办.';
comment on column mart.target_attainment.target_no is '1, 2, … : position of the figure among the figures of the task title.';
comment on column mart.target_attainment.indicator is 'Catalog indicator code of the target; NULL when no indicator takes it (then not_comparable).';
comment on column mart.target_attainment.indicator_name is 'Indicator name in Chinese, e.g. 新增规上工业企业.';
comment on column mart.target_attainment.target_text is 'The target figure as written, e.g. 260户以上.';
comment on column mart.target_attainment.target_clause is 'The clause of the task title the target came from.';
comment on column mart.target_attainment.target_value is 'Target figure in the normalized unit.';
comment on column mart.target_attainment.comparator is '= , >= (以上), <= (以下/以内), ~ (约/左右) of the target.';
comment on column mart.target_attainment.direction is 'increase (增长) or decrease (下降) of the target; NULL when not stated.';
comment on column mart.target_attainment.unit is 'Normalized unit of the target.';
comment on column mart.target_attainment.measure is 'cumulative (judged against target and 序时进度), level or rate (judged against the target value itself); NULL without indicator.';
comment on column mart.target_attainment.actual_value is 'The actual in the normalized unit (the sum of the parts for a combined target); NULL when none is usable.';
comment on column mart.target_attainment.actual_text is 'The actual figure(s) as written, e.g. 99个, or 20家 + 92家 for parts.';
comment on column mart.target_attainment.actual_clause is 'Clause(s) the actual came from.';
comment on column mart.target_attainment.actual_period_text is 'Period words of the actual, e.g. 前三季度, 1-8月份.';
comment on column mart.target_attainment.attainment is 'actual / target, direction-aware (a 下降 target is met by a decrease), 4 decimals; NULL without a usable actual.';
comment on column mart.target_attainment.elapsed_share is 'period_end_month / 12, the share of the year elapsed (序时进度: 0.75 at the end of September), for cumulative targets only; NULL for levels and rates.';
comment on column mart.target_attainment.expected_value is 'What the actual is compared with: target × elapsed_share for a cumulative target, the target itself for a level or rate.';
comment on column mart.target_attainment.assessment is 'achieved, on_track, behind, not_comparable or no_actual_reported — never NULL (rules in sql/views/mart_target_attainment.sql).';
comment on column mart.target_attainment.assessment_reason is 'Why, in one sentence: the figures compared, or the figures considered and why none is the actual.';
comment on column mart.target_attainment.considered_figures is 'Figures of the task that were looked at and not used, each with its scope and reason; NULL when none.';
comment on column mart.target_attainment.is_latest_quarter is 'Same as is_latest_period (the name dashboards made before periods were general use).';
comment on column mart.target_attainment.period_kind is 'quarter, half_year, months or year.';
comment on column mart.target_attainment.period_end_month is 'The month the period ends (1-12).';
comment on column mart.target_attainment.period_label is 'The period as written.';
comment on column mart.target_attainment.is_latest_period is 'True for the latest year and period loaded for the issuer.';
