"""`etl init`: create a warehouse, or upgrade one in place, through the staged publish (nothing else is loaded)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the environment

from etl.load.migrations import MigrationPlan, plan_for_file
from etl.load.publish import staged_warehouse
from etl.load.schema import apply_schema
from etl.load.seeds import seed_indicator_catalog
from etl.load.warehouse import connect, insert_frames, metric_rows
from etl.metrics.catalog import load_catalog
from etl.metrics.report import report_metrics
from etl.models import PlanType
from etl.settings import DEFAULT_LOCK_TIMEOUT, DEFAULT_STORAGE_VERSION


def upgrade_plan(warehouse: Path, sql_dir: Path) -> MigrationPlan:
    """What `etl init` would do to the warehouse file (read-only; raises SchemaError on a changed migration)."""
    return plan_for_file(warehouse, sql_dir)


@dataclass(frozen=True)
class Initialized:
    """What `etl init` did: the migrations, and the files whose figures today's grammar reads differently."""

    plan: MigrationPlan
    reports: int
    figures_changed: tuple[str, ...]


def initialize_warehouse(
    warehouse: Path,
    sql_dir: Path,
    indicators_file: Path,
    *,
    storage_version: str = DEFAULT_STORAGE_VERSION,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> Initialized:
    """Apply pending migrations, re-create the views, reseed the indicator catalog and re-read every report's
    figures with today's grammar; publish atomically (a new file in ``storage_version``, after waiting up to
    ``lock_timeout`` s for another writer)."""
    catalog = load_catalog(indicators_file)
    rederived = frozenset({"core.metric"})
    with (
        staged_warehouse(
            warehouse, storage_version=storage_version, lock_timeout=lock_timeout, rederived=rederived
        ) as staging,
        connect(staging) as conn,
    ):
        done = apply_schema(conn, sql_dir, storage_version=storage_version)
        seed_indicator_catalog(conn, catalog)
        reports, changed = refresh_metrics(conn)
    return Initialized(done, reports, changed)


@dataclass(frozen=True)
class _StoredRow:
    """A core.task_row row read back: the texts figures are read from (etl.metrics.report.MetricSource)."""

    task_no: int
    task_title: str
    plan_type: PlanType | None
    plan_text: str | None
    progress_text: str | None
    source_line: int


def refresh_metrics(conn: duckdb.DuckDBPyConnection) -> tuple[int, tuple[str, ...]]:
    """Re-read core.metric from the stored task rows with today's grammar (figures are data derived from the
    texts, like the indicator catalog: a release that reads them better corrects the reports loaded before it).
    Returns how many reports there are and the source files of those whose figures changed."""
    reports = conn.execute("select report_id, source_file from core.report order by report_id").fetchall()
    columns = [
        str(c)
        for (c,) in conn.execute(
            "select column_name from duckdb_columns() where schema_name = 'core' and table_name = 'metric' "
            "order by column_index"
        ).fetchall()
    ]
    changed: list[str] = []
    for report_id, source_file in reports:
        stored_rows = conn.execute(
            "select task_no, task_title, plan_type, plan_text, progress_text, source_line from core.task_row "
            "where report_id = ? order by source_line, task_no, plan_type",
            [report_id],
        ).fetchall()
        fresh = metric_rows(report_id, report_metrics(_StoredRow(*row) for row in stored_rows))
        stored = conn.execute(
            f"select {', '.join(columns)} from core.metric where report_id = ? order by metric_no", [report_id]
        ).fetchall()
        if [tuple(row.get(c) for c in columns) for row in fresh] == [tuple(r) for r in stored]:
            continue
        conn.execute("delete from core.metric where report_id = ?", [report_id])
        if fresh:
            insert_frames(conn, {"core.metric": pd.DataFrame(fresh)})
        changed.append(str(source_file))
    return len(reports), tuple(changed)
