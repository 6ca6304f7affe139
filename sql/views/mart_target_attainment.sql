-- Grain: one row per issuer × year × period × task_no × target_no: every figure of a task title (目标任务) of a current
-- report, with an explicit assessment. Nothing drops out: a target without a usable actual says why.
--
-- Built from staging models, one step each (sql/views/staging_*.sql):
--   staging.task_target        the targets, with their indicator and how it is judged (measure)
--   staging.task_actual        the figures of the tasks' progress texts (落实情况) that could be actuals, once each
--   staging.target_source      per target and source indicator: the figure the actual takes (rules 1 and 2)
--   staging.target_actual      per target: the actual, the attainment and the figures considered (rule 3)
--   staging.target_assessment  per target: the assessment and its reason (how it is judged)
create or replace view mart.target_attainment as
with targets as (
    select * from staging.task_target
),

actuals as (
    select * from staging.target_actual
),

assessments as (
    select * from staging.target_assessment
),

current_reports as (
    select * from staging.current_report
),

latest as (
    select issuer, max(year * 100 + period_end_month) as latest_year_period
    from current_reports
    group by issuer
),

joined as (
    select
        t.*,
        a.* exclude (issuer, year, period_end_month, task_no, target_no),
        s.* exclude (issuer, year, period_end_month, task_no, target_no),
        t.year * 100 + t.period_end_month = l.latest_year_period as is_latest_period
    from targets as t
    inner join actuals as a using (issuer, year, period_end_month, task_no, target_no)
    inner join assessments as s using (issuer, year, period_end_month, task_no, target_no)
    inner join latest as l using (issuer)
)

select
    issuer,
    year,
    quarter,
    task_no,
    task_title,
    lead_office,
    target_no,
    indicator,
    indicator_name,
    target_text,
    target_clause,
    target_value,
    comparator,
    direction,
    unit,
    measure,
    actual_value,
    actual_text,
    actual_clause,
    actual_period_text,
    attainment,
    elapsed_share,
    expected_value,
    assessment,
    assessment_reason,
    considered_figures,
    is_latest_period as is_latest_quarter,
    period_kind,
    period_end_month,
    period_label,
    is_latest_period
from joined;

comment on view mart.target_attainment is 'Grain: issuer × year × period_end_month × task_no × target_no (every figure of a task title 目标任务 in a current report). The target, the actual that measures the same thing over the same span (if any), and an explicit assessment with its reason.';
comment on column mart.target_attainment.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column mart.target_attainment.year is 'Year of the work report.';
comment on column mart.target_attainment.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter.';
comment on column mart.target_attainment.task_no is 'Task number 序号.';
comment on column mart.target_attainment.task_title is 'Target task 目标任务 as reported that quarter.';
comment on column mart.target_attainment.lead_office is 'Lead office 【】 of the task, e.g. 运行办.';
comment on column mart.target_attainment.target_no is '1, 2, … : position of the figure among the figures of the task title.';
comment on column mart.target_attainment.indicator is 'Catalog indicator code of the target; NULL when no indicator takes it (then not_comparable).';
comment on column mart.target_attainment.indicator_name is 'Indicator name in Chinese, e.g. 新增规上工业企业.';
comment on column mart.target_attainment.target_text is 'The target figure as written, e.g. 260户以上.';
comment on column mart.target_attainment.target_clause is 'The clause of the task title the target came from.';
comment on column mart.target_attainment.target_value is 'Target figure in the normalized unit.';
comment on column mart.target_attainment.comparator is '= , >= (以上), <= (以下/以内), ~ (约/左右) of the target.';
comment on column mart.target_attainment.direction is 'increase (增长) or decrease (下降) of the target; NULL when not stated.';
comment on column mart.target_attainment.unit is 'Normalized unit of the target.';
comment on column mart.target_attainment.measure is 'cumulative (judged against target and 序时进度), level or rate (judged against the target value itself); NULL without indicator.';
comment on column mart.target_attainment.actual_value is 'The actual in the normalized unit (the sum of the parts for a combined target); NULL when none is usable.';
comment on column mart.target_attainment.actual_text is 'The actual figure(s) as written, e.g. 99个, or 20家 + 92家 for parts.';
comment on column mart.target_attainment.actual_clause is 'Clause(s) the actual came from.';
comment on column mart.target_attainment.actual_period_text is 'Period words of the actual, e.g. 前三季度, 1-8月份.';
comment on column mart.target_attainment.attainment is 'actual / target, direction-aware (a 下降 target is met by a decrease), 4 decimals; NULL without a usable actual.';
comment on column mart.target_attainment.elapsed_share is 'period_end_month / 12, the share of the year elapsed (序时进度: 0.75 at the end of September), for cumulative targets only; NULL for levels and rates.';
comment on column mart.target_attainment.expected_value is 'What the actual is compared with: target × elapsed_share for a cumulative target, the target itself for a level or rate.';
comment on column mart.target_attainment.assessment is 'achieved, on_track, behind, not_comparable or no_actual_reported — never NULL (rules in sql/views/staging_target_assessment.sql).';
comment on column mart.target_attainment.assessment_reason is 'Why, in one sentence: the figures compared, or the figures considered and why none is the actual.';
comment on column mart.target_attainment.considered_figures is 'Figures of the task that were looked at and not used, each with its scope and reason; NULL when none.';
comment on column mart.target_attainment.is_latest_quarter is 'Same as is_latest_period (the name dashboards made before periods were general use).';
comment on column mart.target_attainment.period_kind is 'quarter, half_year, months or year.';
comment on column mart.target_attainment.period_end_month is 'The month the period ends (1-12).';
comment on column mart.target_attainment.period_label is 'The period as written.';
comment on column mart.target_attainment.is_latest_period is 'True for the latest year and period loaded for the issuer.';
