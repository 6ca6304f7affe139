-- Grain: one row per issuer × year × period (period_end_month): what a supervision office's bulletin (督查通报)
-- counts. How many tasks were checked and how many are in each normalised status, with their shares; how many of
-- the period's quantified targets (figures of the task titles) were assessed and how many are achieved, on track or
-- behind 序时进度 (the share of the year elapsed, period_end_month / 12), with their shares.
-- Task shares are of the tasks with a status (NULL when the table has no status column); target shares are of the
-- targets assessed (NULL when none could be), as offices write them: 达到序时进度44项、占比80.0%.
create or replace view mart.supervision_summary as
with completion as (
    select * from mart.quarterly_completion
),

period_targets as (
    select * from staging.period_targets
),

periods as (
    select
        c.*,
        c.tasks - c.tasks_without_status as tasks_with_status,
        coalesce(t.targets, 0) as targets,
        coalesce(t.targets_assessed, 0) as targets_assessed,
        coalesce(t.targets_achieved, 0) as targets_achieved,
        coalesce(t.targets_on_track, 0) as targets_on_track,
        coalesce(t.targets_behind, 0) as targets_behind,
        coalesce(t.targets_not_assessable, 0) as targets_not_assessable
    from completion as c
    left join period_targets as t
        on t.issuer = c.issuer and t.year = c.year and t.period_end_month = c.period_end_month
)

select
    issuer,
    year,
    quarter,
    period_kind,
    period_end_month,
    period_label,
    round(period_end_month / 12, 4) as elapsed_share,
    tasks,
    tasks_with_status,
    tasks_completed,
    tasks_ahead_of_schedule,
    tasks_on_schedule,
    tasks_in_progress,
    tasks_behind_schedule,
    tasks_not_started,
    tasks_not_completed,
    tasks_without_status,
    round(tasks_completed / nullif(tasks_with_status, 0), 4) as tasks_completed_share,
    round(tasks_ahead_of_schedule / nullif(tasks_with_status, 0), 4) as tasks_ahead_of_schedule_share,
    round(tasks_on_schedule / nullif(tasks_with_status, 0), 4) as tasks_on_schedule_share,
    round(tasks_in_progress / nullif(tasks_with_status, 0), 4) as tasks_in_progress_share,
    round(tasks_behind_schedule / nullif(tasks_with_status, 0), 4) as tasks_behind_schedule_share,
    round(tasks_not_started / nullif(tasks_with_status, 0), 4) as tasks_not_started_share,
    round(tasks_not_completed / nullif(tasks_with_status, 0), 4) as tasks_not_completed_share,
    cast(targets as bigint) as targets,
    cast(targets_assessed as bigint) as targets_assessed,
    cast(targets_achieved as bigint) as targets_achieved,
    cast(targets_on_track as bigint) as targets_on_track,
    cast(targets_achieved + targets_on_track as bigint) as targets_on_pace,
    cast(targets_behind as bigint) as targets_behind,
    cast(targets_not_assessable as bigint) as targets_not_assessable,
    round(targets_achieved / nullif(targets_assessed, 0), 4) as targets_achieved_share,
    round((targets_achieved + targets_on_track) / nullif(targets_assessed, 0), 4) as targets_on_pace_share,
    round(targets_behind / nullif(targets_assessed, 0), 4) as targets_behind_share,
    is_latest_period,
    is_synthetic,
    source_file
from periods;

comment on view mart.supervision_summary is 'Grain: issuer × year × period_end_month. A supervision bulletin''s counts: tasks by normalised status and quantified targets by assessment against 序时进度, with shares (tasks: of those with a status; targets: of those assessed).';
comment on column mart.supervision_summary.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column mart.supervision_summary.year is 'Year of the work report.';
comment on column mart.supervision_summary.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter (1-11月).';
comment on column mart.supervision_summary.period_kind is 'quarter, half_year, months or year.';
comment on column mart.supervision_summary.period_end_month is 'The month the period ends (1-12).';
comment on column mart.supervision_summary.period_label is 'The period as written: 三季度, 上半年, 1-9月, 前三季度, 全年 …; NULL when declared, not written.';
comment on column mart.supervision_summary.elapsed_share is '序时进度: the share of the year elapsed at the period''s end, period_end_month / 12 (0.75 at the end of September).';
comment on column mart.supervision_summary.tasks is 'Tasks checked: the period''s task list.';
comment on column mart.supervision_summary.tasks_with_status is 'Tasks whose table gives a status (the denominator of the task shares).';
comment on column mart.supervision_summary.tasks_completed is 'Tasks completed (已完成); a task with plan rows when all its rows are.';
comment on column mart.supervision_summary.tasks_ahead_of_schedule is 'Tasks ahead of schedule (超序时进度, 超进度).';
comment on column mart.supervision_summary.tasks_on_schedule is 'Tasks on schedule (达序时进度, 序时推进 …).';
comment on column mart.supervision_summary.tasks_in_progress is 'Tasks in progress (正在推进 …).';
comment on column mart.supervision_summary.tasks_behind_schedule is 'Tasks behind schedule (欠进度, 未达序时进度, 滞后).';
comment on column mart.supervision_summary.tasks_not_started is 'Tasks not started (未启动).';
comment on column mart.supervision_summary.tasks_not_completed is 'Tasks not completed (未完成).';
comment on column mart.supervision_summary.tasks_without_status is 'Tasks whose table has no status column (never guessed from the narrative).';
comment on column mart.supervision_summary.tasks_completed_share is 'tasks_completed / tasks_with_status, 0-1, 4 decimals; NULL without statuses.';
comment on column mart.supervision_summary.tasks_ahead_of_schedule_share is 'tasks_ahead_of_schedule / tasks_with_status, 0-1, 4 decimals; NULL without statuses.';
comment on column mart.supervision_summary.tasks_on_schedule_share is 'tasks_on_schedule / tasks_with_status, 0-1, 4 decimals; NULL without statuses.';
comment on column mart.supervision_summary.tasks_in_progress_share is 'tasks_in_progress / tasks_with_status, 0-1, 4 decimals; NULL without statuses.';
comment on column mart.supervision_summary.tasks_behind_schedule_share is 'tasks_behind_schedule / tasks_with_status, 0-1, 4 decimals; NULL without statuses.';
comment on column mart.supervision_summary.tasks_not_started_share is 'tasks_not_started / tasks_with_status, 0-1, 4 decimals; NULL without statuses.';
comment on column mart.supervision_summary.tasks_not_completed_share is 'tasks_not_completed / tasks_with_status, 0-1, 4 decimals; NULL without statuses.';
comment on column mart.supervision_summary.targets is 'Quantified targets: every figure of the period''s task titles (rows of mart.target_attainment).';
comment on column mart.supervision_summary.targets_assessed is 'Targets judged: achieved + on track + behind.';
comment on column mart.supervision_summary.targets_achieved is 'Targets whose actual reaches the year''s target (已完成年度目标).';
comment on column mart.supervision_summary.targets_on_track is 'Targets at or above 序时进度, not yet reached; a rate meeting its target before the year''s end.';
comment on column mart.supervision_summary.targets_on_pace is 'targets_achieved + targets_on_track: 达到序时进度 as offices count it (done targets included).';
comment on column mart.supervision_summary.targets_behind is 'Targets behind 序时进度 (未达到序时进度): one row each in mart.targets_behind.';
comment on column mart.supervision_summary.targets_not_assessable is 'Targets that cannot be judged: no actual reported, or figures that measure something else (see mart.target_attainment.assessment_reason).';
comment on column mart.supervision_summary.targets_achieved_share is 'targets_achieved / targets_assessed, 0-1, 4 decimals; NULL when none was assessed.';
comment on column mart.supervision_summary.targets_on_pace_share is 'targets_on_pace / targets_assessed, 0-1, 4 decimals: 达到序时进度…、占比…; NULL when none was assessed.';
comment on column mart.supervision_summary.targets_behind_share is 'targets_behind / targets_assessed, 0-1, 4 decimals: 未达到序时进度…、占比…; NULL when none was assessed.';
comment on column mart.supervision_summary.is_latest_period is 'True for the latest year and period loaded for the issuer.';
comment on column mart.supervision_summary.is_synthetic is 'True when the period''s current report is synthetic demo data (declared as such), not a real report.';
comment on column mart.supervision_summary.source_file is 'Source file name of the period''s current report version.';
