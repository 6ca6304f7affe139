-- 0001 baseline: the schema of release 0.1.0 (the last release whose tables were made by sql/schema/*.sql with
-- `create … if not exists` on every run). Every statement stays idempotent so that a warehouse of that release,
-- which has these tables but no ops.schema_migration, is adopted by running this file over it (nothing changes)
-- and recording it; etl.load.migrations checks afterwards that the adopted tables have the baseline's columns.
-- Later changes are new numbered files, never edits of this one (its SHA-256 is recorded when applied).
--
-- Layers of the warehouse, one schema each (DuckDB cannot COMMENT ON SCHEMA, so they are described here):
--   raw     files and extracted table cells exactly as found (lineage)
--   core    normalized reports and task rows, one version per source file
--   staging internal views that prepare core data for the marts (e.g. current report versions)
--   mart    analyst-facing views with fixed names and columns: the contract for SQL users and BI tools
--   ops     operational records: what each ingest run did with each file
-- (The schema descriptions above feed the data dictionary: etl.docs.dictionary.)
create schema if not exists raw;
create schema if not exists core;
create schema if not exists staging;
create schema if not exists mart;
create schema if not exists ops;


-- raw: what arrived, as found. One row per source file, one row per extracted table cell.
create table if not exists raw.source_file (
    source_sha256  varchar primary key,
    file_name      varchar not null,
    source_format  varchar not null,
    byte_size      bigint not null,
    page_count     integer not null,
    title          varchar not null,
    quarter_header varchar not null,
    ingested_at    timestamptz not null,
    run_id         varchar
);
comment on table raw.source_file is 'One row per ingested source file (text dump or PDF), identified by the SHA-256 of its bytes.';
comment on column raw.source_file.source_sha256 is 'SHA-256 of the file''s bytes: the identity of a source file; re-ingesting the same bytes is a no-op.';
comment on column raw.source_file.file_name is 'File name as received (no directory).';
comment on column raw.source_file.source_format is 'text (tab-separated dump of the PDF table) or pdf.';
comment on column raw.source_file.byte_size is 'Size of the file in bytes.';
comment on column raw.source_file.page_count is 'Pages of the report table (for a text dump: header repetitions).';
comment on column raw.source_file.title is 'Report title as printed, e.g. 市工信局 2024 年政府工作报告任务 三季度完成情况.';
comment on column raw.source_file.quarter_header is 'Header of the quarter-plan column as printed, e.g. 第三季度 (third quarter).';
comment on column raw.source_file.ingested_at is 'When the file was loaded.';
comment on column raw.source_file.run_id is 'Id of the ingest run that loaded the file (ops.ingest_file.run_id).';

create table if not exists raw.extracted_cell (
    source_sha256 varchar not null,
    row_no        integer not null,
    pages         integer[] not null,
    column_index  integer not null,
    column_name   varchar not null,
    column_label  varchar not null,
    cell_text     varchar not null,
    primary key (source_sha256, row_no, column_index)
);
comment on table raw.extracted_cell is 'Every body cell of the report table exactly as extracted, before any cleaning (HTML fragments, wraps and all).';
comment on column raw.extracted_cell.source_sha256 is 'Source file (raw.source_file.source_sha256).';
comment on column raw.extracted_cell.row_no is 'Line of the row in a text dump, or 1-based row number in a PDF.';
comment on column raw.extracted_cell.pages is 'Page(s) the row was printed on; two when a page break split the row.';
comment on column raw.extracted_cell.column_index is '0-based column position in the table (0 = 序号 … 8 = 落实情况).';
comment on column raw.extracted_cell.column_name is 'English column name: task_no, task_title, responsible, supervision, plan_kind, quarter_plan, done, not_done, progress.';
comment on column raw.extracted_cell.column_label is 'Chinese column header: 序号, 目标任务, 责任分工, 监督方式, 季度类别, 第N季度, 已完成, 未完成, 落实情况.';
comment on column raw.extracted_cell.cell_text is 'Cell text exactly as extracted.';

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

