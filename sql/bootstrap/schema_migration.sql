-- The migration ledger, created before any migration runs (etl.load.migrations). Idempotent: run on every upgrade.
create schema if not exists ops;
create table if not exists ops.schema_migration (
    version         integer primary key,
    name            varchar not null,
    checksum_sha256 varchar not null,
    applied_at      timestamptz not null,
    applied_by      varchar not null,
    how             varchar not null check (how in ('applied', 'adopted'))
);
comment on table ops.schema_migration is 'One row per migration (sql/migrations/NNNN_name.sql) applied to this warehouse, in order; a migration runs once.';
comment on column ops.schema_migration.version is 'Migration number NNNN: the schema version once it is applied.';
comment on column ops.schema_migration.name is 'Migration file name, e.g. 0001_baseline.sql.';
comment on column ops.schema_migration.checksum_sha256 is 'SHA-256 of the file when it was applied: a file changed afterwards is refused, naming it.';
comment on column ops.schema_migration.applied_at is 'When the migration was applied.';
comment on column ops.schema_migration.applied_by is 'Version of gov-report-etl that applied it.';
comment on column ops.schema_migration.how is 'applied (run on this warehouse) or adopted (a warehouse of release 0.1.0, made before migrations, already had the baseline''s tables).';
