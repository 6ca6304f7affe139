-- Grain: one row per issuer × year × period (period_end_month) × task_no × target_no: every target's assessment
-- and the sentence saying why, from the target (staging.task_target) and its actual (staging.target_actual).
--   cumulative  achieved when attainment >= 1; on_track when attainment >= elapsed_share = end month / 12 (序时进度);
--               else behind
--   level       achieved when the level reaches the target; else behind (序时进度 means nothing for a level)
--   rate        meeting the target is on_track before the year's end and achieved at it (a rate can still move); else behind
--   A <= target (以下/以内) is met when the actual is at most the target.
--   not_comparable     figures exist but none measures the target's quantity over the same span, only part of a
--                      combined target is reported, or no catalog indicator takes the target (assessment_reason says)
--   no_actual_reported the task's progress text has no figure of the indicator or in the target's unit
create or replace view staging.target_assessment as
with targets as (
    select * from staging.task_target
),

actuals as (
    select * from staging.target_actual
),

judged as (
    select
        t.*,
        a.* exclude (issuer, year, period_end_month, task_no, target_no),
        case when t.measure = 'cumulative' then t.period_end_month / 12 end as elapsed_share,
        case when t.measure = 'cumulative' then round(t.target_value * t.period_end_month / 12, 4) else t.target_value end as expected_value,
        case when t.comparator = '<=' then a.actual_value <= t.target_value else a.attainment >= 1 end as is_met
    from targets as t
    inner join actuals as a using (issuer, year, period_end_month, task_no, target_no)
)

select
    issuer,
    year,
    period_end_month,
    task_no,
    target_no,
    elapsed_share,
    expected_value,
    case
        when indicator is null then 'not_comparable'
        when not has_actual and (figures > 0 or considered_figures is not null) then 'not_comparable'
        when not has_actual then 'no_actual_reported'
        when is_met and measure = 'rate' and period_end_month < 12 then 'on_track'
        when is_met then 'achieved'
        when measure = 'cumulative' and attainment >= elapsed_share then 'on_track'
        else 'behind'
    end as assessment,
    case
        when indicator is null then format(
            'no catalog indicator takes the target figure {} ({}); add one to data/indicators.yaml to judge it',
            target_text, target_clause
        )
        when not has_actual and sources > 1 and figures > 0 then format(
            'the target adds up {} parts and not every part has a year-to-date figure; considered: {}',
            sources, coalesce(considered_figures, 'none')
        )
        when not has_actual and (figures > 0 or considered_figures is not null) then format(
            'no figure of the task measures {} over the year to date; considered: {}',
            coalesce(indicator_name, indicator), considered_figures
        )
        when not has_actual then format(
            'the progress text (落实情况) of the task gives no figure of {} and none in {}',
            coalesce(indicator_name, indicator), unit
        )
        when measure = 'cumulative' and is_met then format(
            '{} reaches the target {}', actual_text, target_text
        )
        when measure = 'cumulative' then format(
            '{} is {:.1f}% of the target {}, {} the elapsed share {:.0f}% (序时进度)',
            actual_text, attainment * 100, target_text,
            case when attainment >= elapsed_share then 'at or above' else 'below' end, elapsed_share * 100
        )
        when is_met and measure = 'rate' and period_end_month < 12 then format(
            'the rate {} meets the target {}; a rate is judged against the target itself and can still move before Q4',
            actual_text, target_text
        )
        when is_met then format('{} meets the target {} (judged against the target itself)', actual_text, target_text)
        else format(
            '{} falls short of the target {} ({} judged against the target itself, not the elapsed share)',
            actual_text, target_text, measure
        )
    end as assessment_reason
from judged;

comment on view staging.target_assessment is 'Grain: issuer × year × period_end_month × task_no × target_no (every target of staging.task_target). What the actual is compared with, the assessment and the reason (rules in sql/views/staging_target_assessment.sql).';
comment on column staging.target_assessment.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column staging.target_assessment.year is 'Year of the work report.';
comment on column staging.target_assessment.period_end_month is 'The month the period ends (1-12).';
comment on column staging.target_assessment.task_no is 'Task number 序号.';
comment on column staging.target_assessment.target_no is 'The target''s position among the figures of the task title.';
comment on column staging.target_assessment.elapsed_share is 'period_end_month / 12 (序时进度), for cumulative targets only; NULL for levels and rates.';
comment on column staging.target_assessment.expected_value is 'Target × elapsed_share for a cumulative target, the target itself for a level or rate.';
comment on column staging.target_assessment.assessment is 'achieved, on_track, behind, not_comparable or no_actual_reported — never NULL.';
comment on column staging.target_assessment.assessment_reason is 'Why, in one sentence: the figures compared, or the figures considered and why none is the actual.';
