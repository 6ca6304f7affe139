-- Every quantified target of the period (every figure of a task title) with its assessment; for a target behind
-- 序时进度, its gap in the bulletin's words (mart.targets_behind); the task's source file and pages.
-- Parameters: $issuer, $year, $period_end_month.
-- Grain: one row per task_no × target_no of that issuer and period.
with targets as (
    select * from mart.target_attainment
    where issuer = $issuer and year = $year and period_end_month = $period_end_month
),

behind as (
    select * from mart.targets_behind
    where issuer = $issuer and year = $year and period_end_month = $period_end_month
),

task_sources as (
    select * from staging.task_source
    where issuer = $issuer and year = $year and period_end_month = $period_end_month
)

select
    t.task_no,
    t.target_no,
    t.task_title,
    t.lead_office,
    s.responsible_units_text,
    coalesce(t.indicator_name, t.target_text) as indicator_name,
    t.indicator,
    t.measure,
    t.unit,
    t.comparator,
    t.target_text,
    t.actual_text,
    t.attainment,
    t.period_end_month / 12 as elapsed_share,
    t.assessment,
    t.considered_figures,
    b.gap,
    b.gap_unit,
    b.gap_text,
    s.source_file,
    s.source_pages_text
from targets as t
left join behind as b on b.task_no = t.task_no and b.target_no = t.target_no
left join task_sources as s on s.task_no = t.task_no
order by t.task_no, t.target_no;
