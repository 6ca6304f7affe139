-- Grain: one row per issuer × year × period (period_end_month) that has at least one target: the targets of the
-- period's task titles (mart.target_attainment) counted by assessment, for the supervision summary.
-- "Assessed" is what a supervision office judges against 序时进度: achieved, on track or behind. The others
-- (no actual reported, or figures that measure something else) cannot be judged and are counted apart.
create or replace view staging.period_targets as
with targets as (
    select * from mart.target_attainment
)

select
    issuer,
    year,
    period_end_month,
    count(*) as targets,
    count(*) filter (where assessment in ('achieved', 'on_track', 'behind')) as targets_assessed,
    count(*) filter (where assessment = 'achieved') as targets_achieved,
    count(*) filter (where assessment = 'on_track') as targets_on_track,
    count(*) filter (where assessment = 'behind') as targets_behind,
    count(*) filter (where assessment in ('not_comparable', 'no_actual_reported')) as targets_not_assessable
from targets
group by issuer, year, period_end_month;

comment on view staging.period_targets is 'Grain: issuer × year × period_end_month (periods with at least one target). Targets of the period''s task titles counted by assessment (mart.target_attainment).';
comment on column staging.period_targets.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column staging.period_targets.year is 'Year of the work report.';
comment on column staging.period_targets.period_end_month is 'The month the period ends (1-12).';
comment on column staging.period_targets.targets is 'Every figure of the period''s task titles (目标任务): one target each.';
comment on column staging.period_targets.targets_assessed is 'Targets judged against the target or 序时进度: achieved + on_track + behind.';
comment on column staging.period_targets.targets_achieved is 'Targets whose actual reaches the year''s target (assessment achieved).';
comment on column staging.period_targets.targets_on_track is 'Targets at or above 序时进度 but not yet reached (assessment on_track).';
comment on column staging.period_targets.targets_behind is 'Targets below 序时进度, or a rate or level below its target (assessment behind).';
comment on column staging.period_targets.targets_not_assessable is 'Targets that cannot be judged: no actual reported, or figures that measure something else (not_comparable, no_actual_reported).';
