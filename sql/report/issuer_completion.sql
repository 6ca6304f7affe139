-- Completion of all offices together, per issuer and quarter, and whether that quarter's report is synthetic
-- demo data (the page says so: a director must not take a synthetic quarter for a real one).
-- Grain: one row per issuer × year × quarter.
with completion as (
    select * from mart.quarterly_completion
)

select
    issuer,
    year,
    quarter,
    tasks,
    tasks_completed,
    completion_rate,
    is_synthetic
from completion
-- by quarter, and where the table has a status (a completion rate)
where quarter is not null and completion_rate is not null
order by issuer, year, quarter;
