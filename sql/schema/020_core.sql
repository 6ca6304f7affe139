-- core: normalized reports and their rows. A report is one source file; several files may report the same
-- issuer/year/quarter (a corrected re-issue), and staging.current_report picks the one analysts see.
create table if not exists core.report (
    report_id      varchar primary key,
    issuer         varchar not null,
    year           integer not null,
    quarter        integer not null check (quarter between 1 and 4),
    title          varchar not null,
    revision_label varchar,
    source_sha256  varchar not null,
    content_sha256 varchar not null,
    source_file    varchar not null,
    page_count     integer not null,
    task_count     integer not null,
    row_count      integer not null,
    loaded_at      timestamptz not null
);
comment on table core.report is 'One row per loaded report file: who issued it (发布单位) and for which year and quarter (季度), read from its title.';
comment on column core.report.report_id is 'Report id: the SHA-256 of the source file.';
comment on column core.report.issuer is 'Issuing bureau as named in the title, e.g. 市工信局 (city bureau of economy and information technology).';
comment on column core.report.year is 'Year of the work report (政府工作报告) the tasks belong to.';
comment on column core.report.quarter is 'Quarter reported on, 1-4 (一季度 … 四季度).';
comment on column core.report.title is 'Title as printed.';
comment on column core.report.revision_label is 'Re-issue marker from the title, e.g. 修订 (revised); NULL for an original issue.';
comment on column core.report.source_sha256 is 'SHA-256 of the source file (raw.source_file).';
comment on column core.report.content_sha256 is 'SHA-256 of the normalized content (metadata and rows): the same report as PDF and as text dump has one content hash.';
comment on column core.report.source_file is 'Source file name.';
comment on column core.report.page_count is 'Pages of the report table.';
comment on column core.report.task_count is 'Distinct tasks (序号) in the report.';
comment on column core.report.row_count is 'Rows in the report: one per task and row kind (进度安排 / 施工图).';
comment on column core.report.loaded_at is 'When the report was loaded.';

create table if not exists core.task_row (
    report_id          varchar not null,
    task_no            integer not null,
    plan_type          varchar not null check (plan_type in ('schedule', 'roadmap')),
    plan_type_label    varchar not null,
    task_title         varchar not null,
    responsible_units  varchar[] not null,
    lead_office        varchar,
    phone              varchar,
    plan_text          varchar not null,
    status             varchar not null check (status in ('completed', 'not_completed', 'in_progress')),
    status_text        varchar not null,
    progress_text      varchar not null,
    source_pages       integer[] not null,
    source_line        integer not null,
    primary key (report_id, task_no, plan_type)
);
comment on table core.task_row is 'One row per report, task (序号) and row kind: 进度安排 (schedule, the quarter''s milestone) or 施工图 (roadmap, the steps).';
comment on column core.task_row.report_id is 'Report (core.report.report_id).';
comment on column core.task_row.task_no is 'Task number 序号 from the city''s master list of the year''s tasks (not contiguous: the bureau reports its share).';
comment on column core.task_row.plan_type is 'schedule (进度安排) or roadmap (施工图).';
comment on column core.task_row.plan_type_label is 'Row kind as printed in 季度类别: 进度安排 or 施工图.';
comment on column core.task_row.task_title is 'Target task 目标任务, cleaned text.';
comment on column core.task_row.responsible_units is 'Responsible units 责任分工, split into a list, e.g. [市经济和信息化局, 市招商中心, 市科技局].';
comment on column core.task_row.lead_office is 'The bureau''s internal lead office, written in 【】 in 责任分工, e.g. 中小办.';
comment on column core.task_row.phone is 'Supervision contact 监督方式: a phone number.';
comment on column core.task_row.plan_text is 'The quarter''s plan (第N季度 column), cleaned; numbered items one per line.';
comment on column core.task_row.status is 'completed (mark in 已完成), not_completed (mark in 未完成) or in_progress (正在推进, 持续推进 …).';
comment on column core.task_row.status_text is 'The status mark or words as written (✓, √, 正在推进 …).';
comment on column core.task_row.progress_text is 'What was actually done 落实情况, cleaned; empty when the report left it empty.';
comment on column core.task_row.source_pages is 'Page(s) of the source the row was printed on.';
comment on column core.task_row.source_line is 'Line of the row in a text dump, or row number in a PDF.';
