-- Grain: one row per current report × task × plan_type.
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
    select issuer, max(year * 10 + quarter) as latest_year_quarter
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
    r.year * 10 + r.quarter = l.latest_year_quarter as is_latest_quarter
from current_reports as r
inner join task_rows as t on t.report_id = r.report_id
inner join source_files as f on f.source_sha256 = r.source_sha256
inner join latest as l on l.issuer = r.issuer;

comment on view mart.task_progress is 'Grain: issuer × year × quarter × task_no × plan_type (current report versions; two rows per task). Every task row with its plan, status and progress.';
comment on column mart.task_progress.issuer is 'Issuing bureau, e.g. 市工信局.';
comment on column mart.task_progress.year is 'Year of the work report.';
comment on column mart.task_progress.quarter is 'Quarter reported on, 1-4.';
comment on column mart.task_progress.task_no is 'Task number 序号 in the year''s master list.';
comment on column mart.task_progress.task_title is 'Target task 目标任务.';
comment on column mart.task_progress.lead_office is 'Internal lead office from 【】 in 责任分工, e.g. 中小办.';
comment on column mart.task_progress.responsible_units is 'Responsible units 责任分工 as a list.';
comment on column mart.task_progress.phone is 'Supervision contact 监督方式.';
comment on column mart.task_progress.plan_type is 'schedule (进度安排) or roadmap (施工图).';
comment on column mart.task_progress.plan_type_label is 'Row kind as printed: 进度安排 or 施工图.';
comment on column mart.task_progress.plan_text is 'The quarter''s plan (第N季度).';
comment on column mart.task_progress.status is 'completed, not_completed or in_progress.';
comment on column mart.task_progress.status_text is 'Status mark or words as written (✓, √, 正在推进 …).';
comment on column mart.task_progress.progress_text is 'What was done 落实情况.';
comment on column mart.task_progress.source_file is 'Source file name.';
comment on column mart.task_progress.source_sha256 is 'SHA-256 of the source file.';
comment on column mart.task_progress.source_pages is 'Page(s) of the source the row was printed on.';
comment on column mart.task_progress.is_latest_quarter is 'True for the latest year and quarter loaded for the issuer: "this quarter".';
