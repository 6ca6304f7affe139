"""The two warehouse backends behind one small interface: what a run calls to check, write, make visible and read.

- :class:`FileWarehouse` (the default: one DuckDB file, no server): a run writes a staging copy under the writer
  lock and publishes it whole when it ends (etl.load.publish), so readers see whole runs.
- :class:`LakeWarehouse` (``ETL_WAREHOUSE=ducklake:…``): no staging copy and no warehouse lock; each report is its
  own transaction, a snapshot readers see once it commits, under a lock per issuer and year
  (etl.load.lake_locks); DuckLake's conflicts are retried.

Both are built once at the edge from the settings (:func:`warehouse_backend`) and passed down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import duckdb

from etl.load import lake
from etl.load.lake_locks import KeyLocks, key_locks, report_key, retry_conflicts

if TYPE_CHECKING:
    from etl.metrics.catalog import IndicatorCatalog
    from etl.settings import Settings

T = TypeVar("T")


class Readable(Protocol):
    """A warehouse backend as a reader uses it (the report, the Parquet export)."""

    def reading(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...

    def describe(self) -> str: ...


class ReportWrites(Protocol):
    """How a backend writes one report when each report is its own transaction (the lake); None for the file
    warehouse, whose run loads a private copy in rounds."""

    def locked(self, issuer: str, year: int) -> AbstractContextManager[None]: ...

    def transaction(self, work: Callable[[], T], what: str) -> T: ...


class WriteTarget(Protocol):
    """What a run writes to: a staging copy (file) or the lake itself."""

    @property
    def per_report(self) -> ReportWrites | None: ...

    def connect(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...

    def prepare(self, sql_dir: Path, catalog: IndicatorCatalog) -> None: ...


class Warehouse(Protocol):
    """A warehouse backend, as a run and the readers use it."""

    @property
    def kind(self) -> str: ...

    def describe(self) -> str: ...

    def check(self) -> set[str]: ...

    def writing(self, *, lock_held: bool = False, rebuilding: bool = False) -> AbstractContextManager[WriteTarget]: ...

    def published(self) -> None: ...

    def reading(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...

    def exists(self) -> bool: ...

    def run_lock(self, timeout: float) -> AbstractContextManager[object]: ...


@dataclass
class FileTarget:
    """A run's staging copy of the warehouse file."""

    path: Path
    per_report: ReportWrites | None = None
    storage_version: str | None = None  # recorded in ops.warehouse_write as the user set it (v1.1.0)

    def connect(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        from etl.load.warehouse import connect

        return connect(self.path)

    def prepare(self, sql_dir: Path, catalog: IndicatorCatalog) -> None:
        from etl.load.schema import apply_schema
        from etl.load.seeds import seed_indicator_catalog

        with self.connect() as conn:
            apply_schema(conn, sql_dir, storage_version=self.storage_version)
            seed_indicator_catalog(conn, catalog)


@dataclass(frozen=True)
class FileWarehouse:
    path: Path
    storage_version: str
    lock_timeout: float
    kind: str = "file"

    def describe(self) -> str:
        return str(self.path.resolve())

    def check(self) -> set[str]:
        """A damaged file stops the run; the SHA-256 of the files it holds."""
        from etl.load.warehouse import check_warehouse, loaded_hashes

        check_warehouse(self.path)
        return loaded_hashes(self.path)

    @contextmanager
    def writing(self, *, lock_held: bool = False, rebuilding: bool = False) -> Iterator[FileTarget]:
        """A staging copy under the writer lock, published atomically when the block succeeds."""
        from etl.load.publish import staged_warehouse

        with staged_warehouse(
            self.path,
            storage_version=self.storage_version,
            lock_timeout=self.lock_timeout,
            lock_held=lock_held,
            rebuilding=rebuilding,
        ) as staging:
            yield FileTarget(staging, storage_version=self.storage_version)

    def published(self) -> None:
        from etl.load.warehouse import record_fingerprint

        record_fingerprint(self.path)

    def reading(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        from etl.load.warehouse import connect

        return connect(self.path, read_only=True)

    def exists(self) -> bool:
        return self.path.exists()

    def run_lock(self, timeout: float) -> AbstractContextManager[object]:
        """Held by an inbox poll from listing the inbox to moving its files: the writer lock."""
        from etl.load.publish import writer_lock

        return writer_lock(self.path, timeout)


@dataclass
class LakeWrites:
    """Per-report transactions on a lake: the issuer-and-year lock and conflict retries."""

    locks: KeyLocks

    def locked(self, issuer: str, year: int) -> AbstractContextManager[None]:
        return self.locks.hold(report_key(issuer, year))

    def transaction(self, work: Callable[[], T], what: str) -> T:
        return retry_conflicts(work, what=what)


@dataclass
class LakeTarget:
    """A run's writes to a lake: straight into it, one transaction per report."""

    spec: lake.LakeSpec
    per_report: LakeWrites

    def connect(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        return lake.connect(self.spec)

    def prepare(self, sql_dir: Path, catalog: IndicatorCatalog) -> None:
        prepare_lake(self.spec, sql_dir, catalog)


def prepare_lake(spec: lake.LakeSpec, sql_dir: Path, catalog: IndicatorCatalog) -> None:
    """A lake's schema and catalog seed, each written only if it changed (a snapshot each; conflicts retried)."""
    from etl.load.lake_schema import apply_lake_schema, seed_if_changed

    with lake.connect(spec) as conn:
        retry_conflicts(lambda: apply_lake_schema(conn, sql_dir), what="lake schema")
        retry_conflicts(lambda: seed_if_changed(conn, catalog), what="indicator catalog")


@dataclass(frozen=True)
class LakeWarehouse:
    spec: lake.LakeSpec
    lock_timeout: float
    kind: str = field(default="lake")

    def describe(self) -> str:
        return self.spec.describe()

    def check(self) -> set[str]:
        """The SHA-256 of the files the lake holds (none for a new lake)."""
        if self.spec.kind != "postgres" and not Path(self.spec.target).expanduser().exists():
            return set()  # a catalog file not made yet
        try:
            with lake.connect(self.spec, read_only=True) as conn:
                return {str(row[0]) for row in conn.execute("select source_sha256 from raw.source_file").fetchall()}
        except duckdb.CatalogException:  # a lake without tables yet
            return set()
        except lake.LakeError as exc:  # a catalog database without a lake yet: this run makes it
            if exc.missing:
                return set()
            raise

    @contextmanager
    def writing(self, *, lock_held: bool = False, rebuilding: bool = False) -> Iterator[LakeTarget]:
        locks = key_locks(self.spec, self.lock_timeout)
        try:
            yield LakeTarget(self.spec, LakeWrites(locks))
        finally:
            locks.close()

    def published(self) -> None:
        """Nothing: every report was visible from its commit."""

    def reading(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        return lake.connect(self.spec, read_only=True)

    def exists(self) -> bool:
        return bool(self.check()) or self._has_schema()

    def _has_schema(self) -> bool:
        try:
            with lake.connect(self.spec, read_only=True) as conn:
                row = conn.execute("select count(*) from duckdb_tables() where database_name = 'lake'").fetchone()
                return bool(row and row[0])
        except (duckdb.Error, lake.LakeError):
            return False

    def run_lock(self, timeout: float) -> AbstractContextManager[object]:
        """Nothing for the lake itself (an inbox poll takes the inbox's own lock)."""
        return nullcontext()


def warehouse_backend(settings: Settings) -> Warehouse:
    """The backend the settings name (read once, at the edge)."""
    if settings.lake_catalog:
        return LakeWarehouse(lake.LakeSpec.parse(settings.lake_catalog, settings.lake_data_path), settings.lock_timeout)
    return FileWarehouse(settings.warehouse, settings.storage_version, settings.lock_timeout)
