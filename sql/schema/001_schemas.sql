-- Layers of the warehouse, one schema each (DuckDB cannot COMMENT ON SCHEMA, so they are described here):
--   raw     files and extracted table cells exactly as found (lineage)
--   core    normalized reports and task rows, one version per source file
--   staging internal views that prepare core data for the marts (e.g. current report versions)
--   mart    analyst-facing views with fixed names and columns: the contract for SQL users and BI tools
--   ops     operational records: what each ingest run did with each file
-- Applied on every run; every statement is idempotent.
create schema if not exists raw;
create schema if not exists core;
create schema if not exists staging;
create schema if not exists mart;
create schema if not exists ops;

