"""`etl init`: create a warehouse, or upgrade one in place, through the staged publish (nothing else is loaded)."""

from __future__ import annotations

from pathlib import Path

from etl.load.migrations import MigrationPlan, plan_for_file
from etl.load.publish import staged_warehouse
from etl.load.schema import apply_schema
from etl.load.seeds import seed_indicator_catalog
from etl.load.warehouse import connect
from etl.metrics.catalog import load_catalog
from etl.settings import DEFAULT_LOCK_TIMEOUT, DEFAULT_STORAGE_VERSION


def upgrade_plan(warehouse: Path, sql_dir: Path) -> MigrationPlan:
    """What `etl init` would do to the warehouse file (read-only; raises SchemaError on a changed migration)."""
    return plan_for_file(warehouse, sql_dir)


def initialize_warehouse(
    warehouse: Path,
    sql_dir: Path,
    indicators_file: Path,
    *,
    storage_version: str = DEFAULT_STORAGE_VERSION,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> MigrationPlan:
    """Apply pending migrations, re-create the views and reseed the indicator catalog; publish atomically (a new
    file in ``storage_version``, after waiting up to ``lock_timeout`` s for another writer)."""
    catalog = load_catalog(indicators_file)
    with (
        staged_warehouse(warehouse, storage_version=storage_version, lock_timeout=lock_timeout) as staging,
        connect(staging) as conn,
    ):
        done = apply_schema(conn, sql_dir, storage_version=storage_version)
        seed_indicator_catalog(conn, catalog)
    return done
