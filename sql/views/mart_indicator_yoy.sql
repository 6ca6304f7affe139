-- Grain: one row per indicator × issuer × year × quarter with an actual figure.
-- value is the largest actual (落实情况) figure of the indicator in that quarter's current report: reports
-- state year-to-date totals, so the largest is the running total when several are given.
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
        quarter,
        max(value_normalized) as value
    from observations
    where kind = 'actual' and indicator is not null
    group by indicator, issuer, year, quarter
)

select
    q.indicator,
    i.unit_normalized as unit,
    q.issuer,
    q.year,
    q.quarter,
    q.value,
    p.value as prev_year_value,
    q.value - p.value as yoy_change,
    round((q.value - p.value) / nullif(p.value, 0) * 100, 2) as yoy_pct
from quarterly as q
inner join indicators as i on i.indicator = q.indicator
left join quarterly as p
    on p.indicator = q.indicator
    and p.issuer = q.issuer
    and p.year = q.year - 1
    and p.quarter = q.quarter;

comment on view mart.indicator_yoy is 'Grain: indicator × issuer × year × quarter. Actual value against the same quarter of the previous year.';
comment on column mart.indicator_yoy.indicator is 'Catalog indicator code.';
comment on column mart.indicator_yoy.unit is 'Normalized unit of the indicator.';
comment on column mart.indicator_yoy.issuer is 'Issuing bureau.';
comment on column mart.indicator_yoy.year is 'Year.';
comment on column mart.indicator_yoy.quarter is 'Quarter, 1-4.';
comment on column mart.indicator_yoy.value is 'Largest actual figure of the indicator in the quarter (year-to-date).';
comment on column mart.indicator_yoy.prev_year_value is 'The same for the same quarter of the previous year; NULL when that year has none.';
comment on column mart.indicator_yoy.yoy_change is 'value - prev_year_value.';
comment on column mart.indicator_yoy.yoy_pct is 'yoy_change / prev_year_value × 100, rounded to 2 decimals.';
