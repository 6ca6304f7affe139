-- Grain: one row per issuer × year × period (period_end_month) × task_no × target_no for every quantified target
-- behind 序时进度 (mart.target_attainment.assessment = 'behind'): the target, the actual, the period's 序时进度 and
-- the gap in the target's own terms, as a supervision bulletin (督查通报) states it:
--   cumulative (counts, amounts): the share of the year's quantity done against 序时进度, the gap in percentage
--       points of the annual quantity: 完成年度目标的53.3%，低于序时进度21.7个百分点;
--   rate or share (增长15%, 通达率95%): the gap in percentage points: 增长6.1%，低于目标0.9个百分点;
--   a ceiling (以内 / 以下): how far the actual is above it.
-- Every row names its task, units and source file (and pages) so each figure can be traced to its row.
create or replace view mart.targets_behind as
with targets as (
    select * from mart.target_attainment
    where assessment = 'behind'
),

task_history as (
    select * from mart.task_history
),

task_sources as (
    select * from staging.task_source
),

gaps as (
    select
        t.*,
        round(t.period_end_month / 12, 4) as period_elapsed_share,
        case
            when t.measure = 'cumulative' and t.comparator <> '<=' then 'pct_of_annual_target'
            when t.unit in ('%', 'pp') then 'pp'
            else t.unit
        end as gap_unit,
        case
            when t.comparator = '<=' then t.actual_value - t.target_value
            when t.measure = 'cumulative' then (t.period_end_month / 12 - t.attainment) * 100
            when t.attainment < 0 then t.target_value + t.actual_value
            else t.target_value - t.actual_value
        end as raw_gap
    from targets as t
)

select
    g.issuer,
    g.year,
    g.quarter,
    g.period_kind,
    g.period_end_month,
    g.period_label,
    g.task_no,
    g.target_no,
    g.task_title,
    g.lead_office,
    h.responsible_units,
    array_to_string(h.responsible_units, '、') as responsible_units_text,
    g.indicator,
    g.indicator_name,
    g.measure,
    g.comparator,
    g.direction,
    g.unit,
    g.target_text,
    g.target_value,
    g.actual_text,
    g.actual_value,
    g.attainment,
    g.period_elapsed_share as elapsed_share,
    g.expected_value,
    round(g.raw_gap, 2) as gap,
    g.gap_unit,
    round(g.expected_value - g.actual_value, 4) as shortfall,
    case
        when g.comparator = '<=' then format('高于控制目标{:.1f}{}', g.raw_gap, case when g.gap_unit = 'pp' then '个百分点' else g.unit end)
        when g.gap_unit = 'pct_of_annual_target' then format(
            '完成年度目标的{:.1f}%，低于序时进度{:.1f}个百分点', g.attainment * 100, g.raw_gap
        )
        when g.gap_unit = 'pp' then format('低于目标{:.1f}个百分点', g.raw_gap)
        else format('低于目标{}{}', round(g.raw_gap, 4), g.unit)
    end as gap_text,
    g.assessment_reason,
    p.source_file,
    p.source_sha256,
    p.source_pages,
    p.source_pages_text,
    g.is_latest_period
from gaps as g
left join task_history as h
    on h.issuer = g.issuer and h.year = g.year and h.period_end_month = g.period_end_month and h.task_no = g.task_no
left join task_sources as p
    on p.issuer = g.issuer and p.year = g.year and p.period_end_month = g.period_end_month and p.task_no = g.task_no;

comment on view mart.targets_behind is 'Grain: issuer × year × period_end_month × task_no × target_no (targets of mart.target_attainment assessed behind). Each target behind 序时进度 with its actual, the period''s 序时进度 and the gap in the target''s own terms (gap, gap_unit, gap_text), traceable to its task and source file.';
comment on column mart.targets_behind.issuer is 'Issuing government or office, e.g. 市工信局.';
comment on column mart.targets_behind.year is 'Year of the work report.';
comment on column mart.targets_behind.quarter is 'The quarter whose end the period reaches, 1-4; NULL for a period ending mid-quarter.';
comment on column mart.targets_behind.period_kind is 'quarter, half_year, months or year.';
comment on column mart.targets_behind.period_end_month is 'The month the period ends (1-12).';
comment on column mart.targets_behind.period_label is 'The period as written; NULL when declared, not written.';
comment on column mart.targets_behind.task_no is 'Task number 序号 (第N项 in a bulletin).';
comment on column mart.targets_behind.target_no is '1, 2, … : position of the figure among the figures of the task title.';
comment on column mart.targets_behind.task_title is 'The task (目标任务) whose title holds the target.';
comment on column mart.targets_behind.lead_office is 'Lead office 【】 of the task, e.g. 运行办; NULL when the table names none.';
comment on column mart.targets_behind.responsible_units is 'Responsible units of the task that period, as a list.';
comment on column mart.targets_behind.responsible_units_text is 'responsible_units joined with 、 (for tools that cannot show a list).';
comment on column mart.targets_behind.indicator is 'Catalog indicator code of the target.';
comment on column mart.targets_behind.indicator_name is 'Indicator name in Chinese, e.g. 新增规上工业企业.';
comment on column mart.targets_behind.measure is 'cumulative (judged against 序时进度), level or rate (judged against the target itself).';
comment on column mart.targets_behind.comparator is '= , >= (以上), <= (以下/以内: a ceiling), ~ (约/左右) of the target.';
comment on column mart.targets_behind.direction is 'increase (增长) or decrease (下降) of the target; NULL when not stated.';
comment on column mart.targets_behind.unit is 'Normalized unit of the target and the actual.';
comment on column mart.targets_behind.target_text is 'The target figure as written, e.g. 260户以上.';
comment on column mart.targets_behind.target_value is 'The year''s target in the normalized unit.';
comment on column mart.targets_behind.actual_text is 'The actual figure(s) as written, e.g. 200户.';
comment on column mart.targets_behind.actual_value is 'The actual in the normalized unit.';
comment on column mart.targets_behind.attainment is 'actual / target, direction-aware, 4 decimals: for a cumulative target the share of the year''s quantity done.';
comment on column mart.targets_behind.elapsed_share is 'The period''s 序时进度: period_end_month / 12 (0.75 at the end of September), for every measure.';
comment on column mart.targets_behind.expected_value is 'What the actual is compared with: target × 序时进度 for a cumulative target, the target itself for a level or rate.';
comment on column mart.targets_behind.gap is 'How far behind, positive, 2 decimals, in gap_unit.';
comment on column mart.targets_behind.gap_unit is 'pct_of_annual_target (cumulative: 序时进度 minus the share done, in percentage points of the year''s quantity), pp (rates and shares: percentage points) or the target''s unit (another level, or a ceiling in a quantity).';
comment on column mart.targets_behind.shortfall is 'expected_value - actual_value in the target''s unit (negative for a ceiling exceeded).';
comment on column mart.targets_behind.gap_text is 'The gap in a bulletin''s words (Chinese): 完成年度目标的53.3%，低于序时进度21.7个百分点 / 低于目标0.9个百分点.';
comment on column mart.targets_behind.assessment_reason is 'Why the target is behind, from mart.target_attainment (English).';
comment on column mart.targets_behind.source_file is 'Source file name of the current report the figures come from.';
comment on column mart.targets_behind.source_sha256 is 'SHA-256 of the source file.';
comment on column mart.targets_behind.source_pages is 'Pages of the source the task''s rows were printed on, as a list.';
comment on column mart.targets_behind.source_pages_text is 'source_pages joined with 、.';
comment on column mart.targets_behind.is_latest_period is 'True for the latest year and period loaded for the issuer.';
