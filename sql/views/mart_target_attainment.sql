-- Grain: one row per issuer × year × quarter × task_no × indicator with a target in the task title.
-- attainment = actual / target, signed by direction so that a 下降 (decrease) target is met by a decrease;
-- elapsed_share = quarter / 4 is the 序时进度 (time-elapsed share of the year) that government supervision uses.
create or replace view mart.target_attainment as
with observations as (
    select * from mart.metric_observation
),

signed as (
    select
        *,
        value_normalized * case when direction = 'decrease' then -1 else 1 end as signed_value
    from observations
    where indicator is not null
),

targets as (
    select
        issuer,
        year,
        quarter,
        task_no,
        indicator,
        any_value(unit_normalized) as unit,
        max(value_normalized) as target_value,
        max(signed_value) as signed_target
    from signed
    where kind = 'target'
    group by issuer, year, quarter, task_no, indicator
),

actuals as (
    select
        issuer,
        year,
        quarter,
        task_no,
        indicator,
        max(value_normalized) as actual_value,
        max(signed_value) as signed_actual
    from signed
    where kind = 'actual'
    group by issuer, year, quarter, task_no, indicator
)

select
    t.issuer,
    t.year,
    t.quarter,
    t.task_no,
    t.indicator,
    t.target_value,
    a.actual_value,
    t.unit,
    round(a.signed_actual / nullif(t.signed_target, 0), 4) as attainment,
    t.quarter / 4 as elapsed_share,
    round(a.signed_actual / nullif(t.signed_target, 0), 4) >= t.quarter / 4 as on_track
from targets as t
left join actuals as a
    on a.issuer = t.issuer
    and a.year = t.year
    and a.quarter = t.quarter
    and a.task_no = t.task_no
    and a.indicator = t.indicator;

comment on view mart.target_attainment is 'Grain: issuer × year × quarter × task × indicator targeted in the task title. Actual against target and against the elapsed share of the year (序时进度).';
comment on column mart.target_attainment.issuer is 'Issuing bureau.';
comment on column mart.target_attainment.year is 'Year.';
comment on column mart.target_attainment.quarter is 'Quarter, 1-4.';
comment on column mart.target_attainment.task_no is 'Task number 序号.';
comment on column mart.target_attainment.indicator is 'Catalog indicator code of the target.';
comment on column mart.target_attainment.target_value is 'Target figure from the task title (目标任务), normalized unit.';
comment on column mart.target_attainment.actual_value is 'Largest actual figure of the same indicator in the task''s 落实情况 that quarter; NULL when none.';
comment on column mart.target_attainment.unit is 'Normalized unit.';
comment on column mart.target_attainment.attainment is 'actual / target, direction-aware (a decrease target is met by a decrease); NULL without actual.';
comment on column mart.target_attainment.elapsed_share is 'quarter / 4: the share of the year elapsed (序时进度).';
comment on column mart.target_attainment.on_track is 'attainment >= elapsed_share; NULL without actual.';
