-- An indicator year over year (and quarter over quarter): new 5G base stations.
select
    issuer,
    year,
    quarter,
    indicator_name,
    value,
    unit,
    prev_year_value,
    yoy_change,
    prev_quarter_value,
    qoq_change,
    change_kind
from mart.indicator_yoy
where indicator = 'new_5g_base_stations'
order by issuer, year, quarter;
