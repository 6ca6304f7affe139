-- Completion per lead office (【】 of 责任分工) and quarter.
-- Grain: one row per issuer × year × quarter × lead_office.
with completion as (
    select * from mart.quarterly_completion
    where lead_office is not null
)

select
    issuer,
    year,
    quarter,
    lead_office,
    tasks,
    tasks_completed,
    completion_rate
from completion
order by issuer, year, quarter, lead_office;
