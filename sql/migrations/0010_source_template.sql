-- 0010: which template a file's table matched and how each column was mapped (data/templates.yaml), and the
-- cells of extra columns (备注, 存在问题 …) kept with the raw cells. Files loaded before keep NULL here.
alter table raw.source_file add column template varchar;
alter table raw.source_file add column sheet varchar;
comment on table raw.source_file is 'One row per ingested source file (text dump, PDF, Word or Excel), identified by the SHA-256 of its bytes.';
comment on column raw.source_file.source_format is 'text (tab-separated dump of the PDF table), pdf, docx (Word) or xlsx (Excel).';
comment on column raw.source_file.template is 'The table template its header matched (data/templates.yaml), e.g. two_mark_columns; NULL for files loaded before templates.';
comment on column raw.source_file.sheet is 'The worksheet the table was read from (Excel files only).';

alter table raw.extracted_cell add column source_column integer;
alter table raw.extracted_cell add column source_header varchar;
comment on table raw.extracted_cell is 'Every body cell of the report table exactly as extracted, before any cleaning (HTML fragments, wraps and all), extra columns included.';
comment on column raw.extracted_cell.row_no is 'Line of the row in a text dump, or 1-based row number in a PDF, Word or Excel table.';
comment on column raw.extracted_cell.column_index is '0-based canonical column (0 = 序号 … 8 = 落实情况); 9 and up for the extra columns, in their order.';
comment on column raw.extracted_cell.column_name is 'English column name: task_no, task_title, responsible, supervision, plan_kind, quarter_plan, done, not_done, progress; extra for a column no field takes.';
comment on column raw.extracted_cell.column_label is 'Chinese column header of the canonical column (序号 … 落实情况); for an extra column its header as found (备注).';
comment on column raw.extracted_cell.source_column is '0-based position of the column in the source table (column order is free); NULL for files loaded before templates.';
comment on column raw.extracted_cell.source_header is 'The column''s header as found in the source, lines joined (重点任务 for task_title, 1-9月 for quarter_plan); NULL for a field the table has no column for, and for files loaded before templates.';
