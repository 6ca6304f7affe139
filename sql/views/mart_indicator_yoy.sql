-- Grain: one row per indicator × issuer × year × period (period_end_month) with a comparable actual figure.
-- value is the largest actual (落实情况) figure of the indicator in the quarter's current report that measures the
-- year to date or a level (figure_scope year_to_date / level): one quarter's figures, stocks to date and counts of
-- applications, diagnoses or assessments are other quantities and are left out (staging_figure_scope.sql).
-- Changes respect units: for an indicator in % (or pp) the change is in percentage points (18.2 % → 31.3 % is
-- +13.1 pp, not +71.98 %); for counts and amounts it is relative, in %. change_kind says which.
-- Reports give year-to-date figures, so the quarter-over-quarter change compares the period three months earlier
-- in the same year (Q1 has none); the year-over-year change compares the period ending in the same month of the
-- previous year (like with like: 1-9月 with 三季度, never 上半年 with 三季度).
create or replace view mart.indicator_yoy as
with observations as (
    select * from mart.metric_observation
),

indicators as (
    select * from core.indicator
),

quarterly as (
    select
        indicator,
        issuer,
        year,
        period_end_month,
        any_value(quarter) as quarter,
        any_value(period_kind) as period_kind,
        any_value(period_label) as period_label,
        max(value_normalized) as value,
        -- the largest figure; of equal ones the first in reading order (a tie must not fall to row order)
        arg_max(figure_text, case when value_normalized is not null then row(value_normalized, -metric_no) end)
            as figure_text,
        arg_max(clause, case when value_normalized is not null then row(value_normalized, -metric_no) end) as clause
    from observations
    where kind = 'actual' and indicator is not null and figure_scope in ('year_to_date', 'level')
    group by indicator, issuer, year, period_end_month
),

compared as (
    select
        q.*,
        i.indicator_name,
        i.unit_normalized as unit,
        i.measure,
        case when i.unit_normalized in ('%', 'pp') then 'percentage_points' else 'relative' end as change_kind,
        y.value as prev_year_value,
        p.value as prev_quarter_value
    from quarterly as q
    inner join indicators as i on i.indicator = q.indicator
    left join quarterly as y
        on y.indicator = q.indicator and y.issuer = q.issuer and y.year = q.year - 1
        and y.period_end_month = q.period_end_month
    left join quarterly as p
        on p.indicator = q.indicator and p.issuer = q.issuer and p.year = q.year
        and p.period_end_month = q.period_end_month - 3
)

select
    indicator,
    indicator_name,
    unit,
    measure,
    issuer,
    year,
    quarter,
    value,
    figure_text,
    clause,
    change_kind,
    prev_year_value,
    round(value - prev_year_value, 4) as yoy_difference,
    case
        when change_kind = 'percentage_points' then round(value - prev_year_value, 4)
        else round((value - prev_year_value) / nullif(prev_year_value, 0) * 100, 4)
    end as yoy_change,
    prev_quarter_value,
    round(value - prev_quarter_value, 4) as qoq_difference,
    case
        when change_kind = 'percentage_points' then round(value - prev_quarter_value, 4)
        else round((value - prev_quarter_value) / nullif(prev_quarter_value, 0) * 100, 4)
    end as qoq_change,
    period_kind,
    period_end_month,
    period_label
from compared;

comment on view mart.indicator_yoy is 'Grain: indicator × issuer × year × period_end_month. An indicator''s year-to-date (or level) value against the same period of the previous year and the previous quarter, in percentage points for rates and relative for counts (change_kind).';
comment on column mart.indicator_yoy.indicator is 'Catalog indicator code, e.g. new_5g_base_stations.';
comment on column mart.indicator_yoy.indicator_name is 'Indicator name in Chinese, e.g. 新建5G基站.';
comment on column mart.indicator_yoy.unit is 'Normalized unit of the indicator (%, pp, 个, 家, 亿元 …).';
comment on column mart.indicator_yoy.measure is 'cumulative (a year-to-date quantity), level (a level reached) or rate (a rate over the year to date).';
comment on column mart.indicator_yoy.issuer is 'Issuing bureau, e.g. 市工信局.';
comment on column mart.indicator_yoy.year is 'Year.';
comment on column mart.indicator_yoy.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter.';
comment on column mart.indicator_yoy.period_kind is 'quarter, half_year, months or year.';
comment on column mart.indicator_yoy.period_end_month is 'The month the period ends (1-12): figures run from January to it.';
comment on column mart.indicator_yoy.period_label is 'The period as written.';
comment on column mart.indicator_yoy.value is 'Largest year-to-date or level figure of the indicator in the quarter (one-quarter figures, stocks and application counts excluded).';
comment on column mart.indicator_yoy.figure_text is 'The figure value came from, as written, e.g. 1152个.';
comment on column mart.indicator_yoy.clause is 'The clause value came from.';
comment on column mart.indicator_yoy.change_kind is 'percentage_points (unit % or pp: yoy_change and qoq_change are differences in pp) or relative (yoy_change and qoq_change are relative changes in %).';
comment on column mart.indicator_yoy.prev_year_value is 'value of the period ending in the same month of the previous year; NULL when that year has none.';
comment on column mart.indicator_yoy.yoy_difference is 'value - prev_year_value, in unit (for % this is percentage points).';
comment on column mart.indicator_yoy.yoy_change is 'Year-over-year change: value - prev_year_value in percentage points when change_kind = percentage_points; (value - prev_year_value) / prev_year_value × 100 (%) when relative. 4 decimals (round for display).';
comment on column mart.indicator_yoy.prev_quarter_value is 'value of the period ending three months earlier in the same year, the previous quarter (figures are year-to-date, so Q1 has none).';
comment on column mart.indicator_yoy.qoq_difference is 'value - prev_quarter_value, in unit.';
comment on column mart.indicator_yoy.qoq_change is 'Quarter-over-quarter change, in percentage points or relative % as change_kind says. 4 decimals.';
