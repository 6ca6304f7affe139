-- 0002: which software wrote the warehouse, one row per writing run, so a BI user can see it
-- (select * from ops.warehouse_version shows the latest).
create table ops.warehouse_write (
    written_at      timestamptz not null,
    package_version varchar not null,
    schema_version  integer not null,
    duckdb_version  varchar not null,
    storage_version varchar not null
);
comment on table ops.warehouse_write is 'One row per run that wrote the warehouse: the gov-report-etl and DuckDB versions and the schema version it left.';
comment on column ops.warehouse_write.written_at is 'When the run brought the schema up to date (the start of its writes).';
comment on column ops.warehouse_write.package_version is 'Version of gov-report-etl that wrote the file.';
comment on column ops.warehouse_write.schema_version is 'Highest migration applied (ops.schema_migration.version) after the run.';
comment on column ops.warehouse_write.duckdb_version is 'DuckDB library version of the writer.';
comment on column ops.warehouse_write.storage_version is 'DuckDB storage format of the file (tag), e.g. v1.0.0+ = readable by DuckDB 1.1 and later.';
