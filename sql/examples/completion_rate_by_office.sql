-- Completion rate by lead office over the quarters of each year (NULL office = all offices).
select
    year,
    quarter,
    coalesce(lead_office, '(all offices)') as office,
    tasks,
    tasks_completed,
    completion_rate
from mart.quarterly_completion
order by year, quarter, lead_office nulls first;
