"""Moving between the backends: a warehouse file into a lake (`etl migrate-to-lake`), and a lake's snapshot back
into a file (`etl export --format duckdb`, for BI tools that need one file); each copy is then checked: every
table's row count and every mart's answer must be the same on both sides.

Into a lake: the file is attached read-only, the lake's schema is brought up to date (etl.load.lake_schema), and
every table of the file is copied in one transaction (one snapshot): the lake then holds the file's rows exactly
(its indicator catalog too). The lake must hold no report yet. Out of a lake: a new file is made with the
configured storage version and the file schema (migrations, views, constraints), and every table of the lake at
the snapshot is copied into it; the file's constraints check the lake's uniqueness on the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.load import lake
from etl.load.lake_locks import retry_conflicts
from etl.load.lake_schema import apply_lake_schema, seed_if_changed
from etl.load.migrations import plan
from etl.load.schema import apply_schema
from etl.load.seeds import seed_indicator_catalog
from etl.load.storage import create_database, writer_config
from etl.metrics.catalog import IndicatorCatalog

# Tables each side keeps for itself: its own migration ledger, and the lake's record of its views.
OWN_TABLES = frozenset({"ops.schema_migration", "ops.lake_views"})
FILE_ALIAS = "etl_file"


class MigrateError(RuntimeError):
    """A copy that cannot be made as asked (a lake that holds reports already, an out-of-date file …)."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source_rows: int
    target_rows: int

    @property
    def same(self) -> bool:
        return self.source_rows == self.target_rows


@dataclass(frozen=True)
class MartCheck:
    view: str
    rows: int
    differing_rows: int  # rows in one answer and not the other (EXCEPT ALL both ways)

    @property
    def same(self) -> bool:
        return self.differing_rows == 0


@dataclass
class CopyReport:
    source: str
    target: str
    snapshot: str = ""
    tables: list[TableCount] = field(default_factory=list)
    marts: list[MartCheck] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return all(t.same for t in self.tables) and all(m.same for m in self.marts)


def _tables(conn: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    rows = conn.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = ? order by all",
        [database],
    ).fetchall()
    return [str(row[0]) for row in rows]


def _views(conn: duckdb.DuckDBPyConnection, database: str, schema: str = "mart") -> list[str]:
    rows = conn.execute(
        "select schema_name || '.' || view_name from duckdb_views() where database_name = ? and schema_name = ? "
        "and not internal order by all",
        [database, schema],
    ).fetchall()
    return [str(row[0]) for row in rows]


def _count(conn: duckdb.DuckDBPyConnection, relation: str) -> int:
    row = conn.execute(f"select count(*) from {relation}").fetchone()
    return int(row[0]) if row else 0


def copy_tables(conn: duckdb.DuckDBPyConnection, source: str, target: str) -> list[str]:
    """Replace the rows of every table of ``target`` that ``source`` has with the source's rows (within the
    caller's transaction), columns matched by name; the tables copied."""
    copied = []
    present = set(_tables(conn, target))
    for table in _tables(conn, source):
        if table in OWN_TABLES or table not in present:
            continue
        conn.execute(f"delete from {target}.{table}")
        conn.execute(f"insert into {target}.{table} by name select * from {source}.{table}")
        copied.append(table)
    return copied


def compare(conn: duckdb.DuckDBPyConnection, source: str, target: str, report: CopyReport) -> CopyReport:
    """Every copied table's row counts and every mart's answer on both sides, into ``report``."""
    shared = sorted(set(_tables(conn, source)) & set(_tables(conn, target)) - OWN_TABLES)
    report.tables = [TableCount(t, _count(conn, f"{source}.{t}"), _count(conn, f"{target}.{t}")) for t in shared]
    for view in _views(conn, source):
        a, b = f"{source}.{view}", f"{target}.{view}"
        differing = _count(conn, f"(select * from {a} except all select * from {b})") + _count(
            conn, f"(select * from {b} except all select * from {a})"
        )
        report.marts.append(MartCheck(view, _count(conn, a), differing))
    missing = set(_views(conn, source)) ^ set(_views(conn, target))
    report.marts += [MartCheck(view, 0, -1) for view in sorted(missing)]
    return report


def migrate_to_lake(warehouse: Path, spec: lake.LakeSpec, sql_dir: Path, catalog: IndicatorCatalog) -> CopyReport:
    """Copy the warehouse file into the (empty) lake as one snapshot, then compare (see the module docstring)."""
    if not warehouse.exists():
        raise MigrateError(f"no warehouse file at {warehouse}")
    with lake.connect(spec) as conn:
        conn.execute(f"attach {lake.quote(str(warehouse))} as {FILE_ALIAS} (read_only)")
        conn.execute(f"use {FILE_ALIAS}")
        pending = plan(conn, sql_dir).pending
        conn.execute(f"use {lake.ALIAS}")
        if pending:
            raise MigrateError(
                f"{warehouse} has {len(pending)} pending migration(s) ({pending[0].name} …): bring it up to date "
                "first (etl init --warehouse FILE), then migrate"
            )
        retry_conflicts(lambda: apply_lake_schema(conn, sql_dir), what="lake schema")
        retry_conflicts(lambda: seed_if_changed(conn, catalog), what="indicator catalog")
        if _count(conn, "raw.source_file"):
            raise MigrateError(f"the lake {spec.describe()} holds reports already: migrate into a new lake")
        conn.execute("begin transaction")
        try:
            copy_tables(conn, FILE_ALIAS, lake.ALIAS)
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
        report = CopyReport(str(warehouse.resolve()), spec.describe(), lake.current_snapshot(conn).describe())
        return compare(conn, FILE_ALIAS, lake.ALIAS, report)


def export_lake(
    spec: lake.LakeSpec,
    out: Path,
    sql_dir: Path,
    catalog: IndicatorCatalog,
    *,
    storage_version: str,
    as_of: lake.AsOf | None = None,
) -> CopyReport:
    """Write the lake (at ``as_of``, else its latest snapshot) into a new warehouse file ``out``, then compare."""
    if out.exists():
        raise MigrateError(f"{out} exists already: export into a new file")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    create_database(partial, storage_version)
    try:
        with duckdb.connect(str(partial), config={**writer_config(), **lake.BASE_CONFIG}) as conn:
            apply_schema(conn, sql_dir)
            seed_indicator_catalog(conn, catalog)
            lake.attach(conn, spec, read_only=True, as_of=as_of)
            snapshot = lake.current_snapshot(conn).describe()
            conn.execute("begin transaction")
            copy_tables(conn, lake.ALIAS, _database(conn))
            conn.execute("commit")
            report = compare(conn, lake.ALIAS, _database(conn), CopyReport(spec.describe(), str(out), snapshot))
            conn.execute(f"detach {lake.ALIAS}")
            conn.execute("checkpoint")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.rename(out)
    return report


def _database(conn: duckdb.DuckDBPyConnection) -> str:
    row = conn.execute("select current_database()").fetchone()
    assert row is not None
    return str(row[0])
