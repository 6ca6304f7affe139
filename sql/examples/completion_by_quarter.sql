-- Completion of all the issuer's tasks, quarter by quarter (one row per issuer, year and quarter).
select
    issuer,
    year,
    quarter,
    tasks,
    tasks_completed,
    tasks_in_progress,
    tasks_not_completed,
    completion_rate,
    is_synthetic
from mart.quarterly_completion
order by issuer, year, quarter;
