-- The lake's record of its views (etl.load.lake_schema): a lake re-creates its views only when the view files
-- differ from those it last created, because writers share it (a file warehouse re-creates them on every run).
-- Only a lake has this table; idempotent, run whenever a lake's schema is brought up to date.
create table if not exists ops.lake_views (
    checksum_sha256 varchar not null,
    applied_at      timestamptz not null,
    applied_by      varchar not null
);
comment on table ops.lake_views is 'Lakes only: one row each time the views were (re)created, with the SHA-256 of the view files as the lake ran them; a writer re-creates the views when the files differ from the latest row.';
comment on column ops.lake_views.checksum_sha256 is 'SHA-256 over sql/views/*.sql as a lake runs them (etl.load.lake_schema.views_checksum).';
comment on column ops.lake_views.applied_at is 'When the views were created.';
comment on column ops.lake_views.applied_by is 'Version of gov-report-etl that created them.';
