"""Bring a warehouse's schema up to date from the sql/ folder, in one transaction.

1. ``sql/bootstrap/*.sql``: the migration ledger ``ops.schema_migration`` (idempotent);
2. ``sql/migrations/NNNN_name.sql``: each pending migration once, in numeric order (etl.load.migrations);
3. ``sql/views/*.sql``: every view (re)created, in dependency order: a view file runs after the files that
   create the views it reads;
4. one row in ``ops.warehouse_write``: which package, schema, DuckDB and storage versions wrote the file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import duckdb

from etl.load.migrations import MigrationPlan, SchemaError, applied_migrations, migrate
from etl.version import package_version

__all__ = ["SchemaError", "apply_schema", "record_write", "schema_version", "view_files"]

_CREATES = re.compile(r"create\s+or\s+replace\s+view\s+([a-z_]+\.[a-z_0-9]+)", re.IGNORECASE)
_READS = re.compile(r"\b((?:staging|mart|core|ops)\.[a-z_0-9]+)\b", re.IGNORECASE)


def view_files(sql_dir: Path) -> list[Path]:
    """View files in an order where each comes after the views it reads."""
    files = sorted((sql_dir / "views").glob("*.sql"))
    creator: dict[str, Path] = {}
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    for path, text in texts.items():
        for name in _CREATES.findall(text):
            creator[name.lower()] = path
    graph: dict[Path, set[Path]] = {}
    for path, text in texts.items():
        reads = {creator[name.lower()] for name in _READS.findall(text) if name.lower() in creator}
        graph[path] = reads - {path}
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise SchemaError(f"views read each other in a cycle: {exc.args[1]}") from exc


def apply_schema(
    conn: duckdb.DuckDBPyConnection, sql_dir: Path, *, storage_version: str | None = None
) -> MigrationPlan:
    """Apply pending migrations, then (re)create every view and record the writer, in one transaction.

    ``storage_version``: the storage version the file was written with (setting ``storage_version``), recorded in
    ops.warehouse_write as the user set it (v1.1.0); without it, DuckDB's tag of the file (v1.0.0+). Returns the plan
    that was carried out (what was pending). On any error nothing is changed.
    """
    views = view_files(sql_dir)
    conn.execute("begin transaction")
    try:
        upgrade = migrate(conn, sql_dir)
        for path in views:
            try:
                conn.execute(path.read_text(encoding="utf-8"))
            except duckdb.Error as exc:
                raise SchemaError(f"{path.name}: {exc}") from exc
        record_write(conn, upgrade.target_version, storage_version)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return upgrade


def record_write(conn: duckdb.DuckDBPyConnection, schema_version: int, storage_version: str | None = None) -> None:
    """Note in ops.warehouse_write which software writes the file now, and its storage version: the configured one
    when the file carries its tag (DuckDB tags a file written as v1.1.0 ``v1.0.0+``, the format's first release),
    else the tag."""
    from etl.load.storage import tag_for_version

    row = conn.execute(
        "select tags['storage_version'] from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    tag = str(row[0]) if row and row[0] else None
    storage = tag or "in-memory"
    if tag and storage_version and storage_version != "latest" and tag_for_version(storage_version) == tag:
        storage = storage_version
    conn.execute(
        "insert into ops.warehouse_write "
        "(written_at, package_version, schema_version, duckdb_version, storage_version) values (?, ?, ?, ?, ?)",
        [datetime.now(UTC), package_version(), schema_version, duckdb.__version__, storage],
    )


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    """The warehouse's schema version: its highest applied migration (0 before any)."""
    return max((m.version for m in applied_migrations(conn)), default=0)
