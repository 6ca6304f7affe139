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
