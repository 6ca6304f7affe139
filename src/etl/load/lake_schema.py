"""A lake's schema and seeds: the file warehouse's migrations and views (etl.load.lake_sql's variant), applied only
when something changed.

A file warehouse re-creates its views and reseeds the indicator catalog on every run: it is one writer's private
copy. A lake is shared by writers running at once, and DuckLake makes two snapshots that alter the same view or
delete from the same table conflict; so a lake's writer changes the schema only when a migration is pending or the
view files differ from those it last created (``ops.lake_views``, sql/lake/lake_views.sql, holds their SHA-256), and
the catalog only when it differs from data/indicators.yaml. Writers that start together on a new lake conflict once
(both create the schemas); the loser's transaction is retried (etl.load.lake_locks.retry_conflicts) and then finds
the schema in place.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from etl.load.lake_sql import for_lake
from etl.load.migrations import MigrationPlan, file_sql, migrate, plan
from etl.load.schema import SchemaError, record_write, view_files
from etl.load.seeds import seed_indicator_catalog
from etl.metrics.catalog import IndicatorCatalog
from etl.version import package_version


def lake_sql_of(path: Path) -> str:
    """The SQL a lake runs for a file of sql/: its variant file under sql/lake/ if there is one, else the file
    through for_lake (views: without column comments)."""
    sql_dir = path.parent.parent
    variant = sql_dir / "lake" / path.parent.name / path.name
    if variant.is_file():
        return file_sql(variant)
    return for_lake(file_sql(path), view_file=path.parent.name == "views")


def views_checksum(sql_dir: Path) -> str:
    """SHA-256 over the view files as a lake runs them, in the order they are created."""
    digest = hashlib.sha256()
    for path in view_files(sql_dir):
        digest.update(path.name.encode() + b"\0" + lake_sql_of(path).encode() + b"\0")
    return digest.hexdigest()


def _views_applied(conn: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = conn.execute(
            "select checksum_sha256 from ops.lake_views order by applied_at desc limit 1"
        ).fetchone()
    except duckdb.CatalogException:  # a new lake: no ledger yet
        return None
    return str(row[0]) if row else None


def lake_plan(conn: duckdb.DuckDBPyConnection, sql_dir: Path) -> MigrationPlan:
    """What bringing the lake up to date would do (raises MigrationError on a changed migration, like a file's)."""
    return plan(conn, sql_dir)


def apply_lake_schema(conn: duckdb.DuckDBPyConnection, sql_dir: Path) -> MigrationPlan | None:
    """Pending migrations, then the views if they differ from those last created, in one transaction (one
    snapshot); None, and nothing written, when the lake is up to date."""
    checksum = views_checksum(sql_dir)
    views = view_files(sql_dir)
    ledger = sql_dir / "lake" / "lake_views.sql"
    conn.execute("begin transaction")
    try:
        if _views_applied(conn) == checksum and not plan(conn, sql_dir).pending:
            conn.execute("rollback")
            return None
        upgrade = migrate(conn, sql_dir, sql_of=lake_sql_of)
        conn.execute(file_sql(ledger))
        for path in views:
            try:
                conn.execute(lake_sql_of(path))
            except duckdb.Error as exc:
                raise SchemaError(f"{path.name} (lake): {exc}") from exc
        conn.execute(
            "insert into ops.lake_views (checksum_sha256, applied_at, applied_by) values (?, ?, ?)",
            [checksum, datetime.now(UTC), package_version()],
        )
        record_write(conn, upgrade.target_version)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return upgrade


def catalog_differs(conn: duckdb.DuckDBPyConnection, catalog: IndicatorCatalog) -> bool:
    """Whether the lake's core.indicator, core.indicator_part and core.indicator_rule differ from ``catalog``."""
    indicators = {
        (item.code, item.name, item.name_en, item.unit, item.direction, priority, item.measure)
        for priority, item in enumerate(catalog.indicators, start=1)
    }
    parts = {(item.code, part) for item in catalog.indicators for part in item.parts}
    rules = {(item.code, pattern) for item in catalog.indicators for pattern in item.match}
    found = {
        tuple(row)
        for row in conn.execute(
            "select indicator, indicator_name, indicator_name_en, unit_normalized, direction, priority, measure "
            "from core.indicator"
        ).fetchall()
    }
    found_parts = {
        tuple(row) for row in conn.execute("select indicator, part_indicator from core.indicator_part").fetchall()
    }
    found_rules = {
        tuple(row) for row in conn.execute("select indicator, subject_pattern from core.indicator_rule").fetchall()
    }
    return (found, found_parts, found_rules) != (indicators, parts, rules)


def seed_if_changed(conn: duckdb.DuckDBPyConnection, catalog: IndicatorCatalog) -> bool:
    """Reseed the indicator catalog (one snapshot) only when it differs; whether it was written."""
    if not catalog_differs(conn, catalog):
        return False
    seed_indicator_catalog(conn, catalog)
    return True
