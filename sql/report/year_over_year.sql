-- Indicators with a value for the period ending in the same month of the previous year.
-- change_kind says how to read yoy_change: percentage_points for an indicator measured in % or pp (a rate:
-- 18.2 % → 31.3 % is +13.1 points, not +72 %), relative (%) for a quantity.
-- Grain: one row per issuer × year × period_end_month × indicator.
with indicator_yoy as (
    select * from mart.indicator_yoy
    where prev_year_value is not null
),

indicators as (
    select * from core.indicator
)

select
    y.issuer,
    y.year,
    y.period_end_month,
    y.period_kind,
    y.period_label,
    y.indicator,
    coalesce(y.indicator_name, y.indicator) as indicator_name,
    y.unit,
    y.value,
    y.prev_year_value,
    y.yoy_difference,
    y.change_kind,
    y.yoy_change
from indicator_yoy as y
left join indicators as i on i.indicator = y.indicator
order by y.issuer, y.year, y.period_end_month, i.priority, y.indicator;
