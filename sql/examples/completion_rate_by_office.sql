-- Completion by lead office over the quarters of a year (here 2024).
select
    issuer,
    lead_office,
    quarter,
    tasks,
    tasks_completed,
    completion_rate
from mart.office_quarterly_completion
where year = 2024
order by issuer, lead_office, quarter;
