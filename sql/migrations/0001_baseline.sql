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

-- core: figures found in report texts, and the indicator catalog (seeded from data/indicators.yaml on every run).
create table if not exists core.metric (
    report_id        varchar not null,
    metric_no        integer not null,
    task_no          integer not null,
    plan_type        varchar check (plan_type in ('schedule', 'roadmap')),
    kind             varchar not null check (kind in ('target', 'plan', 'actual')),
    value            double not null,
    unit             varchar not null,
    unit_normalized  varchar not null,
    value_normalized double not null,
    comparator       varchar not null check (comparator in ('=', '>=', '<=', '~')),
    direction        varchar check (direction in ('increase', 'decrease')),
    subject          varchar not null,
    period_text      varchar,
    clause           varchar not null,
    source_text      varchar not null,
    source_line      integer not null,
    primary key (report_id, metric_no)
);
comment on table core.metric is 'One row per figure found in a report''s text: targets in task titles (目标任务), plans (第N季度) and actuals (落实情况).';
comment on column core.metric.report_id is 'Report (core.report.report_id).';
comment on column core.metric.metric_no is '1-based position of the figure in the report, in reading order.';
comment on column core.metric.task_no is 'Task number 序号 the figure belongs to.';
comment on column core.metric.plan_type is 'schedule (进度安排) or roadmap (施工图) row it was found in; NULL for targets from the task title.';
comment on column core.metric.kind is 'target (from 目标任务), plan (from the quarter''s plan) or actual (from 落实情况).';
comment on column core.metric.value is 'The number as written (Chinese numerals converted: 两个 → 2).';
comment on column core.metric.unit is 'Unit as written: 家, 户, 个, 起, %, 个百分点, 亿元, 万吨/年 …';
comment on column core.metric.unit_normalized is 'Normalized unit: 户 → 家, 万元 → 亿元, 成 → %, 个百分点 → pp.';
comment on column core.metric.value_normalized is 'value converted to unit_normalized.';
comment on column core.metric.comparator is '= exact, >= (以上, 余), <= (以下, 以内), ~ (约, 左右).';
comment on column core.metric.direction is 'increase (增长, 提高, 高于) or decrease (下降, 降低, 低于); NULL when the text says neither.';
comment on column core.metric.subject is 'The noun phrase the figure counts, e.g. 5G基站, 规上工业企业, 技术改造投资.';
comment on column core.metric.period_text is 'Period words of the sentence: 1-8月份, 三季度, 前三季度, 今年以来 …; NULL when none.';
comment on column core.metric.clause is 'The clause the figure came from.';
comment on column core.metric.source_text is 'The figure as written, e.g. 260户以上.';
comment on column core.metric.source_line is 'Line (text dump) or row number (PDF) of the source row.';

create table if not exists core.indicator (
    indicator       varchar primary key,
    indicator_name  varchar not null,
    indicator_name_en varchar not null,
    unit_normalized varchar not null,
    direction       varchar check (direction in ('increase', 'decrease')),
    priority        integer not null
);
comment on table core.indicator is 'Indicator catalog (data/indicators.yaml): stable codes that make figures comparable across years. Reseeded on every run.';
comment on column core.indicator.indicator is 'Stable indicator code, e.g. new_5g_base_stations.';
comment on column core.indicator.indicator_name is 'Indicator name in Chinese, e.g. 新建5G基站.';
comment on column core.indicator.indicator_name_en is 'Indicator name in English.';
comment on column core.indicator.unit_normalized is 'Normalized unit of the metrics the indicator takes.';
comment on column core.indicator.direction is 'When set, only metrics with this direction match (增长 increase / 下降 decrease).';
comment on column core.indicator.priority is 'Position in the catalog: the first matching indicator wins.';

create table if not exists core.indicator_rule (
    indicator       varchar not null,
    subject_pattern varchar not null,
    primary key (indicator, subject_pattern)
);
comment on table core.indicator_rule is 'Regular expressions (RE2) matched against core.metric.subject to assign an indicator.';
comment on column core.indicator_rule.indicator is 'Indicator code (core.indicator).';
comment on column core.indicator_rule.subject_pattern is 'Regular expression tried against the metric subject.';

-- ops: what each ingest run did with each file, so a data engineer can see failures next to the data.
create table if not exists ops.ingest_file (
    run_id        varchar not null,
    file_name     varchar not null,
    source_sha256 varchar,
    outcome       varchar not null check (outcome in ('loaded', 'unchanged', 'failed')),
    message       varchar,
    issuer        varchar,
    year          integer,
    quarter       integer,
    row_count     integer,
    recorded_at   timestamptz not null
);
comment on table ops.ingest_file is 'One row per file per ingest run: loaded, unchanged (same bytes already loaded) or failed (with the reason).';
comment on column ops.ingest_file.run_id is 'Ingest run id (the Prefect flow run id when run by a flow).';
comment on column ops.ingest_file.file_name is 'File name as received.';
comment on column ops.ingest_file.source_sha256 is 'SHA-256 of the file, when it could be read.';
comment on column ops.ingest_file.outcome is 'loaded, unchanged or failed.';
comment on column ops.ingest_file.message is 'Why the file failed: file, page, line and what is wrong.';
comment on column ops.ingest_file.issuer is 'Issuer of the report, when parsed.';
comment on column ops.ingest_file.year is 'Year of the report, when parsed.';
comment on column ops.ingest_file.quarter is 'Quarter of the report, when parsed.';
comment on column ops.ingest_file.row_count is 'Rows loaded into core.task_row.';
comment on column ops.ingest_file.recorded_at is 'When the outcome was recorded.';

-- ops: results of the data-quality gate (etl.validate, great-expectations), one row per validation and one per
-- expectation result, so warnings and quarantined reports can be read next to the data.
create table if not exists ops.validation_run (
    validation_id     varchar primary key,
    run_id            varchar not null,
    report_id         varchar,
    file_name         varchar,
    issuer            varchar,
    year              integer,
    quarter           integer,
    suites            varchar[] not null,
    started_at        timestamptz not null,
    seconds           double not null,
    success           boolean not null,
    critical_failures integer not null,
    warnings          integer not null,
    data_docs         varchar,
    recorded_at       timestamptz not null
);
comment on table ops.validation_run is 'One row per validation by the quality gate: the suites run on one report (before loading) or on the warehouse (after loading, report_id NULL).';
comment on column ops.validation_run.validation_id is 'Id of this validation (ops.validation_result.validation_id).';
comment on column ops.validation_run.run_id is 'Ingest run id (the Prefect flow run id when run by a flow; ops.ingest_file.run_id).';
comment on column ops.validation_run.report_id is 'Report validated: the SHA-256 of its source file (core.report.report_id once loaded; a quarantined report never is). NULL for warehouse-wide checks.';
comment on column ops.validation_run.file_name is 'Source file name of the report; NULL for warehouse-wide checks.';
comment on column ops.validation_run.issuer is 'Issuer of the report, as parsed.';
comment on column ops.validation_run.year is 'Year of the report, as parsed.';
comment on column ops.validation_run.quarter is 'Quarter of the report, as parsed.';
comment on column ops.validation_run.suites is 'Expectation suites run, e.g. [report_rows, report_tasks, report_header, history_task_count, history_titles].';
comment on column ops.validation_run.started_at is 'When the validation started.';
comment on column ops.validation_run.seconds is 'How long the validation took, in seconds.';
comment on column ops.validation_run.success is 'True when no critical expectation failed (warnings allowed): the report may be loaded. False: it is quarantined.';
comment on column ops.validation_run.critical_failures is 'Failed expectations of severity critical.';
comment on column ops.validation_run.warnings is 'Failed expectations of severity warning.';
comment on column ops.validation_run.data_docs is 'Path of the great-expectations Data Docs index.html of the run, when Data Docs were built.';
comment on column ops.validation_run.recorded_at is 'When the validation was recorded.';

create table if not exists ops.validation_result (
    validation_id  varchar not null,
    run_id         varchar not null,
    report_id      varchar,
    file_name      varchar,
    suite          varchar not null,
    expectation    varchar not null,
    column_name    varchar,
    severity       varchar not null check (severity in ('critical', 'warning')),
    description    varchar not null,
    success        boolean not null,
    observed_value varchar,
    recorded_at    timestamptz not null
);
comment on table ops.validation_result is 'One row per expectation per validation (ops.validation_run): passed or failed, with its severity and what was observed.';
comment on column ops.validation_result.validation_id is 'Validation (ops.validation_run.validation_id).';
comment on column ops.validation_result.run_id is 'Ingest run id (ops.validation_run.run_id).';
comment on column ops.validation_result.report_id is 'Report validated (SHA-256 of the source file); NULL for warehouse-wide checks.';
comment on column ops.validation_result.file_name is 'Source file name of the report; NULL for warehouse-wide checks.';
comment on column ops.validation_result.suite is 'Expectation suite, e.g. report_rows (see etl/validate/suites.py for the list and severities).';
comment on column ops.validation_result.expectation is 'great-expectations expectation type, e.g. expect_column_values_to_not_match_regex.';
comment on column ops.validation_result.column_name is 'Column(s) checked, comma-separated for multi-column expectations; NULL for table-level ones.';
comment on column ops.validation_result.severity is 'critical (a failure quarantines the report) or warning (the report is loaded, the warning recorded).';
comment on column ops.validation_result.description is 'What the expectation checks, in a few words, e.g. task title unchanged within the year.';
comment on column ops.validation_result.success is 'Whether the expectation passed.';
comment on column ops.validation_result.observed_value is 'JSON, short: the observed value, or the unexpected count with a few offending values and the rows (task_no …) they are in.';
comment on column ops.validation_result.recorded_at is 'When the result was recorded.';
