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
