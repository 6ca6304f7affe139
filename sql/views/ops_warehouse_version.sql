-- ops.warehouse_version: what wrote this warehouse file, for BI users and analysts. Grain: one row (the latest write).
create or replace view ops.warehouse_version as
with writes as (
    select * from ops.warehouse_write
),

migrations as (
    select * from ops.schema_migration
),

latest as (
    select * from writes order by written_at desc limit 1
)

select
    latest.package_version,
    latest.schema_version,
    (select name from migrations order by version desc limit 1) as latest_migration,
    (select count(*) from migrations) as migrations_applied,
    latest.duckdb_version,
    latest.storage_version,
    latest.written_at
from latest;
comment on view ops.warehouse_version is 'What wrote this warehouse file: one row, the latest writing run (gov-report-etl and DuckDB versions, schema version, storage format). History: ops.warehouse_write.';
comment on column ops.warehouse_version.package_version is 'Version of gov-report-etl that last wrote the file.';
comment on column ops.warehouse_version.schema_version is 'Schema version: the highest migration applied.';
comment on column ops.warehouse_version.latest_migration is 'File name of the highest migration applied.';
comment on column ops.warehouse_version.migrations_applied is 'Migrations recorded in ops.schema_migration.';
comment on column ops.warehouse_version.duckdb_version is 'DuckDB library version of the last writer.';
comment on column ops.warehouse_version.storage_version is 'The storage version the file was written with (setting ETL_STORAGE_VERSION, default v1.1.0: DuckDB 1.1 and later open it). DuckDB''s own tag of such a file, duckdb_databases().tags, reads v1.0.0+ (the first release of its format); a file not written by the pipeline or etl init records that tag.';
comment on column ops.warehouse_version.written_at is 'When the last writing run started its writes: an instant (TIMESTAMP WITH TIME ZONE, stored as UTC). DuckDB shows it in the session TimeZone (by default the client machine''s zone); a tool that drops the zone, such as Superset, shows that zone''s clock time, so set TimeZone or convert: written_at AT TIME ZONE ''Asia/Shanghai'' is Beijing time, AT TIME ZONE ''UTC'' is UTC.';
