"""The lake backend: the warehouse as a DuckLake (catalog in PostgreSQL, SQLite or a DuckDB file; data as Parquet).

Chosen by the warehouse setting: ``ETL_WAREHOUSE=ducklake:postgres:dbname=etl host=/run/postgresql`` (or
``ducklake:sqlite:/srv/lake/catalog.sqlite``, ``ducklake:duckdb:/srv/lake/catalog.ducklake`` for one machine)
with ``ETL_LAKE_DATA_PATH`` (where the Parquet files go; needed to create a lake, then stored in its catalog).

The extensions come from PyPI packages pinned with DuckDB (``duckdb-extension-ducklake``,
``duckdb-extension-postgres-scanner``, ``duckdb-extension-sqlite-scanner``) and are loaded from their files: no
download at run time, nothing installed into the user's home, extension auto-install off.

Every connection attaches the lake as ``lake`` and uses it, so the warehouse's SQL (``core.report``,
``mart.task_progress`` …) runs unchanged. A writer's transaction is a snapshot; readers attach read-only, at the
latest snapshot or at one given (``AsOf``: time travel).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

PREFIX = "ducklake:"
ALIAS = "lake"
CATALOG_KINDS = ("postgres", "sqlite", "duckdb")
# extension name → the PyPI package that ships its file for this DuckDB version
EXTENSION_PACKAGES = {
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "sqlite_scanner": "duckdb_extension_sqlite_scanner",
}
# No extension is fetched or installed behind our back: the ones needed are loaded from their package's file.
BASE_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


class LakeError(OSError):
    """A lake that cannot be used as configured or reached (missing extension package, catalog server down …):
    an OSError, so the flows retry it and the CLI reports a warehouse it could not use. ``missing``: the catalog
    holds no lake yet (a reader found nothing to read)."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class LakeSpec:
    """Where a lake is: its catalog (``postgres:…``, ``sqlite:…``, ``duckdb:…``) and its data path."""

    catalog: str
    data_path: str | None = None

    @classmethod
    def parse(cls, setting: str, data_path: str | None = None) -> LakeSpec:
        """``ducklake:postgres:dbname=…``, ``ducklake:sqlite:PATH``, ``ducklake:duckdb:PATH`` or ``ducklake:PATH``
        (a DuckDB catalog file)."""
        if not setting.startswith(PREFIX):
            raise LakeError(f"not a lake: {setting!r} (a lake setting starts with {PREFIX})")
        rest = setting[len(PREFIX) :].strip()
        kind, sep, target = rest.partition(":")
        if not sep or kind not in CATALOG_KINDS:
            kind, target = "duckdb", rest
        if not target.strip():
            raise LakeError(f"{setting!r}: no catalog given after {PREFIX}{kind}:")
        return cls(f"{kind}:{target.strip()}", data_path or None)

    @property
    def kind(self) -> str:
        return self.catalog.partition(":")[0]

    @property
    def target(self) -> str:
        """The catalog database: a libpq connection string, or a file path."""
        return self.catalog.partition(":")[2]

    def describe(self) -> str:
        """The lake for messages, without a password a connection string may hold."""
        shown = " ".join(
            "password=…" if part.lower().startswith("password=") else part for part in self.target.split()
        )
        data = f", data {self.data_path}" if self.data_path else ""
        return f"{PREFIX}{self.kind}:{shown}{data}"

    def extensions(self) -> tuple[str, ...]:
        """The extensions attaching this lake needs, in load order."""
        scanner = {"postgres": ("postgres_scanner",), "sqlite": ("sqlite_scanner",)}.get(self.kind, ())
        return ("ducklake", *scanner)


@dataclass(frozen=True)
class AsOf:
    """A snapshot to read: its id, or the latest snapshot at a moment (``etl sql --as-of``)."""

    version: int | None = None
    time: datetime | None = None

    @classmethod
    def parse(cls, text: str) -> AsOf:
        """``42`` (a snapshot id) or an ISO date / timestamp (``2025-10-01``, ``2025-10-01 09:30+08``)."""
        value = text.strip()
        if value.isdigit():
            return cls(version=int(value))
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(
                f"--as-of {text!r}: give a snapshot id (e.g. 42) or a date or time (e.g. 2025-10-01 or "
                "2025-10-01T09:30+08:00)"
            ) from exc
        return cls(time=moment)

    def option(self) -> str:
        if self.version is not None:
            return f"SNAPSHOT_VERSION {self.version}"
        assert self.time is not None
        moment = self.time.isoformat(sep=" ")
        return f"SNAPSHOT_TIME {quote(moment)}"


def quote(text: str) -> str:
    """A SQL string literal (ATTACH takes no prepared parameters)."""
    return "'" + text.replace("'", "''") + "'"


def extension_file(name: str) -> Path:
    """The ``.duckdb_extension`` file of ``name`` for the installed DuckDB, from its PyPI package."""
    package = EXTENSION_PACKAGES[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise LakeError(
            f"the DuckDB extension {name} is not installed: pip install "
            f"{package.replace('_', '-')}=={duckdb.__version__} (the lake backend needs it)"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "extensions" / f"v{duckdb.__version__}"
    found = sorted(folder.glob(f"{name}.duckdb_extension"))
    if not found:
        raise LakeError(f"{package} has no {name} extension for DuckDB {duckdb.__version__} in {folder}")
    return found[0]


def load_extensions(conn: duckdb.DuckDBPyConnection, spec: LakeSpec) -> None:
    for name in spec.extensions():
        conn.execute(f"load {quote(str(extension_file(name)))}")


def attach_sql(spec: LakeSpec, *, read_only: bool = False, as_of: AsOf | None = None, alias: str = ALIAS) -> str:
    """The ATTACH statement of the lake. A writer's every insert goes to Parquet (no inlining into the catalog), so
    readers of the Parquet files see all of it."""
    options = []
    if read_only:
        options.append("READ_ONLY")
    if spec.data_path and not read_only:
        options.append(f"DATA_PATH {quote(spec.data_path)}")
    if not read_only:
        options.append("DATA_INLINING_ROW_LIMIT 0")
    if as_of is not None:
        options.append(as_of.option())
    suffix = f" ({', '.join(options)})" if options else ""
    return f"attach {quote(PREFIX + spec.catalog)} as {alias}{suffix}"


def attach(
    conn: duckdb.DuckDBPyConnection,
    spec: LakeSpec,
    *,
    read_only: bool = False,
    as_of: AsOf | None = None,
    alias: str = ALIAS,
) -> None:
    """Load the extensions and attach the lake to ``conn`` as ``alias``; a lake's missing data path on creation,
    and a catalog that cannot be reached, are LakeErrors naming the lake."""
    load_extensions(conn, spec)
    if not read_only and spec.kind != "postgres":
        Path(spec.target).expanduser().parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(5):
        try:
            conn.execute(attach_sql(spec, read_only=read_only, as_of=as_of, alias=alias))
            return
        except duckdb.Error as exc:
            # Writers that attach a new lake at once both create its catalog tables: the loser waits and attaches
            # the lake the other made.
            if "initialize ducklake" in str(exc).lower() and not read_only and attempt < 4:
                time.sleep(0.2 * (attempt + 1))
                continue
            missing = "does not exist - and creating a new ducklake is explicitly disabled" in str(exc).lower()
            raise LakeError(f"cannot attach the lake {spec.describe()}: {exc}", missing=missing) from exc


@contextmanager
def connect(
    spec: LakeSpec,
    *,
    read_only: bool = False,
    as_of: AsOf | None = None,
    config: dict[str, str | bool | int | float | list[str]] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with the lake attached as ``lake`` and in use; closed on exit."""
    conn = duckdb.connect(config={**BASE_CONFIG, **(config or {})})
    try:
        attach(conn, spec, read_only=read_only, as_of=as_of)
        conn.execute(f"use {ALIAS}")
        yield conn
    finally:
        conn.close()


def stored_data_path(conn: duckdb.DuckDBPyConnection, alias: str = ALIAS) -> str:
    """Where the attached lake keeps its data files, as its catalog records it."""
    row = conn.execute(f"select value from {alias}.options() where option_name = 'data_path'").fetchone()
    if row is None or not row[0]:
        raise LakeError("the lake's catalog records no data path")
    return str(row[0])


@dataclass(frozen=True)
class Snapshot:
    """A lake snapshot: its id and when it was committed."""

    id: int
    time: datetime | None

    def describe(self) -> str:
        when = self.time.isoformat(sep=" ", timespec="seconds") if self.time else "?"
        return f"snapshot {self.id} ({when})"


def current_snapshot(conn: duckdb.DuckDBPyConnection, alias: str = ALIAS) -> Snapshot:
    """The snapshot ``conn`` reads (the latest, or the one it was attached at)."""
    row = conn.execute(f"select id from {alias}.current_snapshot()").fetchone()
    assert row is not None
    when = conn.execute(
        f"select snapshot_time from {alias}.snapshots() where snapshot_id = ?", [int(row[0])]
    ).fetchone()
    return Snapshot(int(row[0]), when[0] if when else None)
