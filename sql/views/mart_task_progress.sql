-- Grain: one row per current report × task × plan row (plan_type; NULL for a table of one row per task).
create or replace view mart.task_progress as
with current_reports as (
    select * from staging.current_report
),

task_rows as (
    select * from core.task_row
),

source_files as (
    select * from raw.source_file
),

latest as (
    select issuer, max(year * 100 + period_end_month) as latest_year_period
    from current_reports
    group by issuer
)

select
    r.issuer,
    r.year,
    r.quarter,
    t.task_no,
    t.task_title,
    t.lead_office,
    t.responsible_units,
    t.phone,
    t.plan_type,
    t.plan_type_label,
    t.plan_text,
    t.status,
    t.status_text,
    t.progress_text,
    f.file_name as source_file,
    f.source_sha256,
    t.source_pages,
    r.year * 100 + r.period_end_month = l.latest_year_period as is_latest_quarter,
    r.period_kind,
    r.period_end_month,
    r.period_label,
    r.year * 100 + r.period_end_month = l.latest_year_period as is_latest_period,
    t.responsible_people,
    t.annual_target,
    r.is_synthetic,
    array_to_string(t.responsible_units, '、') as responsible_units_text,
    array_to_string(t.responsible_people, '、') as responsible_people_text,
    array_to_string(t.source_pages, '、') as source_pages_text
from current_reports as r
inner join task_rows as t on t.report_id = r.report_id
inner join source_files as f on f.source_sha256 = r.source_sha256
inner join latest as l on l.issuer = r.issuer;

comment on view mart.task_progress is 'Grain: issuer × year × period_end_month × task_no × plan_type (current report versions; two rows per task where the table has plan rows 进度安排 / 施工图, one row with plan_type NULL where it has one row per task). Every task row with its plan, status and progress.';
comment on column mart.task_progress.issuer is 'Issuing government or office, e.g. 市工信局, 绍兴市政府, 泗洲头镇.';
comment on column mart.task_progress.year is 'Year of the work report.';
comment on column mart.task_progress.quarter is 'The quarter whose end the period reaches, 1-4 (上半年 → 2, 1-9月 → 3, 全年 → 4); NULL for a period ending mid-quarter (1-11月).';
comment on column mart.task_progress.task_no is 'Task number 序号 in the year''s list.';
comment on column mart.task_progress.task_title is 'The task (目标任务, 重点工作, 内容与要求 …).';
comment on column mart.task_progress.lead_office is 'Internal lead office from 【】 in 责任分工, e.g. 中小办.';
comment on column mart.task_progress.responsible_units is 'Responsible units (责任分工, 责任单位, 牵头单位, 责任科室) as a list.';
comment on column mart.task_progress.phone is 'Supervision contact 监督方式.';
comment on column mart.task_progress.plan_type is 'schedule (进度安排) or roadmap (施工图); NULL for a table of one row per task.';
comment on column mart.task_progress.plan_type_label is 'Row kind as printed: 进度安排 or 施工图; NULL for a table of one row per task.';
comment on column mart.task_progress.plan_text is 'The period''s plan (第N季度, 进度安排 column); NULL when the table has none.';
comment on column mart.task_progress.status is 'completed, in_progress, on_schedule, ahead_of_schedule, behind_schedule, not_started or not_completed; NULL when the table has no status column.';
comment on column mart.task_progress.status_text is 'Status mark or words as written (✓, √, 正在推进, 序时推进 …); NULL when the table has no status column.';
comment on column mart.task_progress.progress_text is 'What was done (落实情况, 进展情况, 完成情况 as narrative); NULL when the table has none.';
comment on column mart.task_progress.source_file is 'Source file name.';
comment on column mart.task_progress.source_sha256 is 'SHA-256 of the source file.';
comment on column mart.task_progress.source_pages is 'Page(s) of the source the row was printed on.';
comment on column mart.task_progress.is_latest_quarter is 'Same as is_latest_period (the name dashboards made before periods were general use).';
comment on column mart.task_progress.period_kind is 'quarter, half_year, months or year.';
comment on column mart.task_progress.period_end_month is 'The month the period ends (1-12): the report covers January to it. Periods compare when they end in the same month.';
comment on column mart.task_progress.period_label is 'The period as written: 三季度, 上半年, 1-9月, 前三季度, 全年 …';
comment on column mart.task_progress.is_latest_period is 'True for the latest year and period loaded for the issuer: "this period".';
comment on column mart.task_progress.responsible_people is 'People responsible (责任领导, 责任人) as a list; empty when the table names none.';
comment on column mart.task_progress.annual_target is 'The year''s target (攻坚目标任务, 年度目标 column); NULL when the table has none.';
comment on column mart.task_progress.is_synthetic is 'True for synthetic demo data (declared as such), false for a real report.';
comment on column mart.task_progress.responsible_units_text is 'responsible_units joined with 、 (e.g. 市经济和信息化局、市财政局): for BI tools that cannot show or filter a list; to filter by one unit use the view task_units (one row per task and unit).';
comment on column mart.task_progress.responsible_people_text is 'responsible_people joined with 、; empty when the table names none.';
comment on column mart.task_progress.source_pages_text is 'source_pages joined with 、 (e.g. 3、4 for a row split across pages).';
