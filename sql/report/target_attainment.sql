-- Every target of every current report, measured or not, with how it is judged.
-- Grain: one row per issuer × year × quarter × task_no × indicator targeted in the task title.
with target_attainment as (
    select * from mart.target_attainment
),

indicators as (
    select * from core.indicator
),

tasks as (
    select distinct issuer, year, quarter, task_no, task_title, lead_office
    from mart.task_progress
)

select
    a.issuer,
    a.year,
    a.quarter,
    a.task_no,
    t.task_title,
    t.lead_office,
    a.indicator,
    coalesce(i.indicator_name, a.indicator) as indicator_name,
    a.unit,
    a.target_value,
    a.actual_value,
    a.attainment,
    a.elapsed_share,
    case
        when a.on_track then 'on_track'
        when not a.on_track then 'behind'
        else 'no_actual_reported'
    end as assessment,
    case when a.actual_value is null then '落实情况中没有该指标的数字' end as assessment_reason
from target_attainment as a
left join indicators as i on i.indicator = a.indicator
left join tasks as t
    on t.issuer = a.issuer and t.year = a.year and t.quarter = a.quarter and t.task_no = a.task_no
order by a.issuer, a.year, a.quarter, a.task_no, a.indicator;
