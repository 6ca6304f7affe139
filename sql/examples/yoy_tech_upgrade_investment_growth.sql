-- A percentage indicator year over year: the change is in percentage points (change_kind = percentage_points).
select
    issuer,
    year,
    quarter,
    indicator_name,
    value,
    unit,
    prev_year_value,
    yoy_change,
    change_kind
from mart.indicator_yoy
where indicator = 'tech_upgrade_investment_growth' and prev_year_value is not null
order by issuer, year, quarter;
