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
