-- Year over year: new 5G base stations, same quarter of the previous year.
select
    issuer,
    year,
    quarter,
    value,
    prev_year_value,
    yoy_change,
    yoy_pct
from mart.indicator_yoy
where indicator = 'new_5g_base_stations'
order by issuer, year, quarter;
