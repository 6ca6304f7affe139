-- Targets behind the elapsed share of the year (序时进度): attainment below quarter / 4.
select
    year,
    quarter,
    task_no,
    indicator,
    target_value,
    actual_value,
    unit,
    attainment,
    elapsed_share
from mart.target_attainment
where on_track = false
order by year, quarter, attainment;
