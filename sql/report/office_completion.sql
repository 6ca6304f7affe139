-- Completion per lead office (【】 of 责任分工) and quarter.
-- Grain: one row per issuer × year × quarter × lead_office.
with completion as (
    select * from mart.office_quarterly_completion
)

select
    issuer,
    year,
    quarter,
    coalesce(lead_office, '（未注明科室）') as lead_office,
    tasks,
    tasks_completed,
    completion_rate
from completion
where quarter is not null and completion_rate is not null
order by issuer, year, quarter, lead_office;
