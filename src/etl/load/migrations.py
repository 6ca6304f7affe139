"""Numbered schema migrations: ``sql/migrations/NNNN_snake_name.sql``, each applied once, in numeric order.

Applied migrations are recorded in ``ops.schema_migration`` with the SHA-256 of the file; a recorded migration
whose file has changed since is an error naming the file (migrations are never edited after release: write a
new one). The ledger itself is created by ``sql/bootstrap/*.sql`` before any migration runs.

A migration too long for one file (the baseline) is a folder ``NNNN_name.sql.d/`` of part files run in name order:
it is the one migration ``NNNN_name.sql``, whose text and SHA-256 are those of its parts joined, so a file cut into
parts at statement boundaries is the same migration to every warehouse that applied it whole.

A warehouse of release 0.1.0 predates migrations: it has the baseline's tables (``0001_baseline.sql``) but no
ledger. It is recognised by its ``raw.source_file`` table, the baseline (idempotent) is run over it and recorded
as ``adopted``, and its tables are checked to have the baseline's columns, so it is upgraded in place and keeps
every row. Number ranges per developer are in CONTRACTS.md.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from etl.version import package_version

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9]+(?:_[a-z0-9]+)*\.sql$")
PARTS_SUFFIX = ".sql.d"  # NNNN_name.sql.d/: the parts of the migration NNNN_name.sql
BASELINE_VERSION = 1
# A warehouse with this table and no ledger was written by release 0.1.0 (before migrations).
LEGACY_MARKER = ("raw", "source_file")


class SchemaError(RuntimeError):
    """A migration or view file that cannot be applied, or a warehouse whose migrations do not match the files."""


class MigrationError(SchemaError):
    """A migration that cannot be applied, or a warehouse whose recorded migrations do not match the files."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path  # the file, or the folder NNNN_name.sql.d of its parts
    checksum_sha256: str

    @property
    def parts(self) -> tuple[Path, ...]:
        """The files that make the migration, in the order they run: the file itself, or the folder's parts."""
        return migration_parts(self.path)

    @property
    def sql(self) -> str:
        return self.sql_as(file_sql)

    def sql_as(self, sql_of: Callable[[Path], str]) -> str:
        """The migration's text as ``sql_of`` runs each of its files (a lake's variant), parts joined."""
        return "".join(sql_of(part) for part in self.parts)


@dataclass(frozen=True)
class AppliedMigration:
    version: int
    name: str
    checksum_sha256: str
    how: str


@dataclass(frozen=True)
class MigrationPlan:
    """What an upgrade of one warehouse would do."""

    applied: tuple[AppliedMigration, ...]
    pending: tuple[Migration, ...]
    legacy: bool  # a release-0.1.0 warehouse: the baseline is adopted, not created

    @property
    def schema_version(self) -> int:
        """The schema version the warehouse has now (0: none)."""
        return max((m.version for m in self.applied), default=0)

    @property
    def target_version(self) -> int:
        return max([self.schema_version, *(m.version for m in self.pending)])

    def describe(self, *, applied: bool = False) -> list[str]:
        """Lines for a person: the schema version and each pending migration (``applied``: after carrying it out)."""
        if applied:
            lines = [f"schema version {self.schema_version} → {self.target_version}"]
        else:
            lines = [f"schema version {self.schema_version} ({len(self.applied)} migration(s) applied)"]
        if self.legacy:
            lines.append("a warehouse of release 0.1.0 (made before migrations): upgraded in place, every row kept")
        if not self.pending:
            lines.append("no pending migrations")
        for migration in self.pending:
            note = " (adopts the existing tables)" if self.legacy and migration.version == BASELINE_VERSION else ""
            lines.append(f"{'applied' if applied else 'pending'}: {migration.name}{note}")
        return lines


def migration_parts(path: Path) -> tuple[Path, ...]:
    """The files that make a migration, in the order they run: the file itself, or a folder's parts by name."""
    return tuple(sorted(path.glob("*.sql"))) if path.is_dir() else (path,)


def migration_files(sql_dir: Path) -> list[Migration]:
    """The migrations of ``sql_dir/migrations``, in numeric order; a misnamed or duplicate number is an error."""
    folder = sql_dir / "migrations"
    if not folder.is_dir():
        raise MigrationError(f"no migrations folder at {folder}")
    found: dict[int, Migration] = {}
    for path in sorted([*folder.glob("*.sql"), *folder.glob(f"*{PARTS_SUFFIX}")]):
        name = path.name.removesuffix(PARTS_SUFFIX[len(".sql") :]) if path.is_dir() else path.name
        match = MIGRATION_NAME.match(name)
        if match is None:
            raise MigrationError(f"{path.name}: a migration file is named NNNN_snake_case_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path.name} and {found[version].name} have the same number {version:04d}")
        parts = migration_parts(path)
        if not parts:
            raise MigrationError(f"{path.name}: a folder of migration parts holds no .sql file")
        checksum = hashlib.sha256(b"".join(part.read_bytes() for part in parts)).hexdigest()
        found[version] = Migration(version, name, path, checksum)
    if BASELINE_VERSION not in found:
        raise MigrationError(f"no baseline migration {BASELINE_VERSION:04d}_….sql in {folder}")
    return [found[v] for v in sorted(found)]


def bootstrap_files(sql_dir: Path) -> list[Path]:
    """The files that create the ledger (sql/bootstrap/*.sql), run before any migration."""
    files = sorted((sql_dir / "bootstrap").glob("*.sql"))
    if not files:
        raise MigrationError(f"no migration ledger DDL in {sql_dir / 'bootstrap'}")
    return files


def _has_table(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    row = conn.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def applied_migrations(conn: duckdb.DuckDBPyConnection) -> list[AppliedMigration]:
    if not _has_table(conn, "ops", "schema_migration"):
        return []
    rows = conn.execute(
        "select version, name, checksum_sha256, how from ops.schema_migration order by version"
    ).fetchall()
    return [AppliedMigration(int(v), str(n), str(c), str(h)) for v, n, c, h in rows]


def plan(conn: duckdb.DuckDBPyConnection, sql_dir: Path) -> MigrationPlan:
    """Compare the warehouse's ledger with the migration files; raise MigrationError on any mismatch."""
    files = migration_files(sql_dir)
    by_version = {m.version: m for m in files}
    applied = applied_migrations(conn)
    for done in applied:
        current = by_version.get(done.version)
        if current is None:
            raise MigrationError(
                f"the warehouse has migration {done.name} applied, which this version of gov-report-etl "
                f"({package_version()}) does not have: upgrade the package, do not write with an older one"
            )
        if current.checksum_sha256 != done.checksum_sha256:
            raise MigrationError(
                f"migration {current.name} was changed after it was applied to this warehouse (recorded SHA-256 "
                f"{done.checksum_sha256[:12]}…, file now {current.checksum_sha256[:12]}…): restore the file and "
                "put the change in a new migration"
            )
    done_versions = {m.version for m in applied}
    legacy = not applied and _has_table(conn, *LEGACY_MARKER)
    pending = tuple(m for m in files if m.version not in done_versions)
    return MigrationPlan(tuple(applied), pending, legacy)


def plan_for_file(warehouse: Path, sql_dir: Path) -> MigrationPlan:
    """The plan for a warehouse file, read-only (a missing file: every migration pending)."""
    if not warehouse.exists():
        with closing(duckdb.connect()) as conn:
            return plan(conn, sql_dir)
    with closing(duckdb.connect(str(warehouse), read_only=True)) as conn:
        return plan(conn, sql_dir)


def file_sql(path: Path) -> str:
    """A SQL file's text, as the file warehouse runs it."""
    return path.read_text(encoding="utf-8")


def migrate(
    conn: duckdb.DuckDBPyConnection, sql_dir: Path, *, sql_of: Callable[[Path], str] = file_sql
) -> MigrationPlan:
    """Apply the pending migrations in order, inside the caller's transaction; return the plan carried out.

    ``sql_of``: the SQL a file is run as (a lake runs a variant: etl.load.lake_schema); the ledger records the
    migration file's own SHA-256 either way.
    """
    for path in bootstrap_files(sql_dir):
        _run(conn, path.name, sql_of(path))
    upgrade = plan(conn, sql_dir)
    applied_by = package_version()
    for migration in upgrade.pending:
        adopting = upgrade.legacy and migration.version == BASELINE_VERSION
        if adopting:
            _check_adopted_tables(conn, migration)
        _run(conn, migration.name, migration.sql_as(sql_of))
        conn.execute(
            "insert into ops.schema_migration (version, name, checksum_sha256, applied_at, applied_by, how) "
            "values (?, ?, ?, ?, ?, ?)",
            [
                migration.version,
                migration.name,
                migration.checksum_sha256,
                datetime.now(UTC),
                applied_by,
                "adopted" if adopting else "applied",
            ],
        )
    return upgrade


def _run(conn: duckdb.DuckDBPyConnection, name: str, sql: str) -> None:
    try:
        conn.execute(sql)
    except duckdb.Error as exc:
        raise MigrationError(f"{name}: {exc}") from exc


def _columns(conn: duckdb.DuckDBPyConnection, tables: Sequence[tuple[str, str]] | None = None) -> set[tuple[str, ...]]:
    rows = conn.execute(
        "select c.schema_name, c.table_name, c.column_name, c.data_type from duckdb_columns() c "
        "join duckdb_tables() t on t.database_name = c.database_name and t.schema_name = c.schema_name "
        "and t.table_name = c.table_name where c.database_name = current_database()"
    ).fetchall()
    found = {tuple(str(v) for v in row) for row in rows}
    if tables is None:
        return found
    wanted = set(tables)
    return {row for row in found if (row[0], row[1]) in wanted}


def _check_adopted_tables(conn: duckdb.DuckDBPyConnection, baseline: Migration) -> None:
    """Tables of the baseline the warehouse already has carry exactly the baseline's columns (else it is no 0.1.0
    file and running the baseline over it would leave a schema no migration expects). Missing tables are created."""
    with closing(duckdb.connect()) as fresh:
        fresh.execute(baseline.sql)
        wanted = _columns(fresh)
    actual = _columns(conn, sorted({(row[0], row[1]) for row in wanted}))
    present = {(row[0], row[1]) for row in actual}
    expected = {row for row in wanted if (row[0], row[1]) in present}
    if actual != expected:
        missing = sorted(".".join(row[:3]) + f" {row[3]}" for row in expected - actual)
        extra = sorted(".".join(row[:3]) + f" {row[3]}" for row in actual - expected)
        raise MigrationError(
            f"{baseline.name}: the warehouse has no migration ledger but its tables differ from release 0.1.0's "
            f"(missing: {', '.join(missing) or 'none'}; unexpected: {', '.join(extra) or 'none'}); not upgraded"
        )
