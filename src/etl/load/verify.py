"""Check a staged warehouse before it replaces the published one (etl.load.publish).

A staged file is published only if it is a warehouse (the migration ledger and the core tables are there), no
append-only table has fewer rows than the published file had (history is never lost by a run: only the catalog
tables, reseeded from data/indicators.yaml, may shrink, and the figures when `etl init` re-reads them) and what the
run loaded is whole (every new report has its source file and all the rows it declares: the task rows are what was
there plus what the new reports declare). Anything else keeps the published file and fails, naming why.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

REQUIRED_TABLES = ("ops.schema_migration", "raw.source_file", "core.report", "core.task_row")
# Replaced whole on every run from data/indicators.yaml (etl.load.seeds): they may shrink.
RESEEDED_TABLES = frozenset({"core.indicator", "core.indicator_rule"})

_COMPLETE_REPORTS = """
select
    (select count(*) from core.report r
     where not exists (select 1 from raw.source_file f where f.source_sha256 = r.source_sha256)),
    (select coalesce(sum(row_count), 0) from core.report),
    (select count(*) from core.task_row)
"""


class StagedWarehouseInvalid(OSError):
    """The staged file is not a complete warehouse: it was not published, the published file is unchanged (an
    OSError, so the CLI reports it as a warehouse it could not write)."""


@dataclass(frozen=True)
class WarehouseCounts:
    """Row counts of a warehouse file and how far its reports are from whole (0 and 0 when all are whole)."""

    counts: dict[str, int] = field(default_factory=dict)
    reports_without_source: int = 0
    missing_task_rows: int = 0  # rows the reports declare minus the task rows present


def warehouse_counts(database: Path) -> WarehouseCounts:
    """The :class:`WarehouseCounts` of a database file, opened read-only."""
    with closing(duckdb.connect(str(database), read_only=True)) as conn:
        return _warehouse_counts(conn)


def _warehouse_counts(conn: duckdb.DuckDBPyConnection) -> WarehouseCounts:
    names = [
        str(name)
        for (name,) in conn.execute(
            "select schema_name || '.' || table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
    ]
    counts = {}
    for name in names:
        row = conn.execute(f"select count(*) from {name}").fetchone()
        counts[name] = int(row[0]) if row else 0
    if not {"core.report", "raw.source_file", "core.task_row"} <= set(counts):
        return WarehouseCounts(counts)
    row = conn.execute(_COMPLETE_REPORTS).fetchone()
    assert row is not None
    orphans, declared, task_rows = (int(v) for v in row)
    return WarehouseCounts(counts, orphans, declared - task_rows)


def problems(staging: Path, before: WarehouseCounts, rederived: frozenset[str] = frozenset()) -> list[str]:
    """Why the staged file may not replace a published file whose counts were ``before`` (empty: none).
    ``rederived``: tables the run derived anew from the rows kept (they may shrink, like the catalog tables)."""
    if not staging.exists():
        return [f"the staging file {staging} is gone"]
    after = warehouse_counts(staging)
    missing = [t for t in (*REQUIRED_TABLES, *before.counts) if t not in after.counts]
    if missing:
        return [f"tables missing: {', '.join(sorted(set(missing)))}"]
    found = [
        f"{table} has {after.counts[table]} rows, the published warehouse has {rows}"
        for table, rows in sorted(before.counts.items())
        if table not in RESEEDED_TABLES | rederived and after.counts[table] < rows
    ]
    if after.reports_without_source > before.reports_without_source:
        found.append(f"{after.reports_without_source - before.reports_without_source} new report(s) without their "
                     "raw.source_file row")
    if after.missing_task_rows != before.missing_task_rows:
        found.append(
            f"core.task_row has {after.counts['core.task_row']} rows, not what was there plus what the new reports "
            f"declare ({after.counts['core.task_row'] + after.missing_task_rows - before.missing_task_rows})"
        )
    return found


def verify_staged(staging: Path, before: WarehouseCounts, rederived: frozenset[str] = frozenset()) -> None:
    """Raise StagedWarehouseInvalid naming every problem of the staged file (see :func:`problems`)."""
    found = problems(staging, before, rederived)
    if found:
        raise StagedWarehouseInvalid(
            f"the staged warehouse {staging} was not published ({'; '.join(found)}); the published warehouse is "
            "unchanged. Run again; if this repeats, something else writes or removes files in that folder."
        )
