-- Every issuer's periods, like with like: tasks by status in each period (periods compare by their end month).
select
    issuer,
    year,
    period_kind,
    period_end_month,
    period_label,
    tasks,
    tasks_completed,
    tasks_ahead_of_schedule,
    tasks_on_schedule,
    tasks_in_progress,
    tasks_behind_schedule,
    tasks_not_started,
    tasks_not_completed,
    tasks_without_status,
    is_synthetic
from mart.quarterly_completion
order by issuer, year, period_end_month;
