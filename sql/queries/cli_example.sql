-- The example query `etl ingest` prints after a run: completion by quarter.
select year, quarter, tasks, tasks_completed, tasks_in_progress, completion_rate
from mart.quarterly_completion
order by year, quarter
