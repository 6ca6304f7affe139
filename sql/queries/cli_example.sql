-- The example query `etl ingest` prints after a run: completion by issuer and period.
select issuer, year, period_label, tasks, tasks_completed, tasks_in_progress, tasks_without_status, completion_rate
from mart.quarterly_completion
order by issuer, year, period_end_month
