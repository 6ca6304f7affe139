-- A supervision bulletin's counts for every issuer's latest period: tasks by status and targets against 序时进度.
select
    issuer,
    year,
    period_label,
    elapsed_share,
    tasks,
    tasks_completed,
    tasks_completed_share,
    targets,
    targets_assessed,
    targets_on_pace,
    targets_on_pace_share,
    targets_behind,
    targets_not_assessable
from mart.supervision_summary
where is_latest_period
order by issuer;
