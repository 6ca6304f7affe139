-- Completion of all offices together, per issuer and quarter (the issuer-level rows of the completion mart).
-- Grain: one row per issuer × year × quarter.
with completion as (
    select * from mart.quarterly_completion
    where lead_office is null
)

select
    issuer,
    year,
    quarter,
    tasks,
    tasks_completed,
    completion_rate
from completion
order by issuer, year, quarter;
