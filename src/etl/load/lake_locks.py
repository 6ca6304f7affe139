"""Several writers on one lake: a lock per issuer and year, and retries of the conflicts DuckLake reports.

DuckLake lets transactions append to a table at once (they never conflict), so two writers loading the same report
at the same moment would both find it missing and both insert it: a lake has no unique key to refuse the second.
The file warehouse's constraints are replaced by a lock per *issuer and year*, held from reading what is loaded
until the report's transaction has committed: the report's bytes (SHA-256), its content (a PDF of a loaded text
dump) and its history (earlier reports of its issuer and year) are all read and written under it, so loads of one
issuer and year follow one another and loads of different ones run at once.

- PostgreSQL catalog (several machines): ``pg_try_advisory_xact_lock`` on the catalog's server, in a PostgreSQL
  transaction of a connection of its own; the server releases it when the transaction ends, or when the writer's
  connection drops (a writer killed with ``kill -9`` holds nothing).
- SQLite or DuckDB catalog (one machine): an ``fcntl`` lock file per key in ``<catalog>.locks/``, released by the
  kernel when the process ends.

A transaction that DuckLake refuses at commit because another snapshot changed what it changed ("conflict") is
rolled back and run again (:func:`retry_conflicts`), a few times with a growing pause.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol, TypeVar

import duckdb
from filelock import FileLock, Timeout

from etl.load.lake import BASE_CONFIG, LakeSpec, load_extensions, quote

log = logging.getLogger(__name__)
T = TypeVar("T")


class LakeLockTimeout(TimeoutError):
    """Another writer held an issuer and year's lock longer than the lock timeout."""


class KeyLocks(Protocol):
    def hold(self, key: str) -> AbstractContextManager[None]: ...

    def close(self) -> None: ...


def lock_number(key: str) -> int:
    """A signed 64-bit number for ``key`` (PostgreSQL's advisory lock key)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def report_key(issuer: str, year: int) -> str:
    return f"report:{issuer}|{year}"


class PostgresKeyLocks:
    """Advisory locks on the lake's PostgreSQL catalog server, one DuckDB cursor (so one PostgreSQL transaction)
    per lock held."""

    def __init__(self, spec: LakeSpec, timeout: float) -> None:
        self.timeout = timeout
        self._conn = duckdb.connect(config=BASE_CONFIG)
        load_extensions(self._conn, spec)
        self._conn.execute(f"attach {quote(spec.target)} as etl_lake_locks (type postgres)")
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            cursor = self._conn.cursor()
        number = lock_number(key)
        try:
            cursor.execute("begin transaction")
            deadline = time.monotonic() + self.timeout
            pause = 0.01
            while not self._try(cursor, number):
                if time.monotonic() > deadline:
                    raise LakeLockTimeout(f"another writer held the lake's lock on {key} for over {self.timeout:g} s")
                time.sleep(pause)
                pause = min(pause * 2, 0.5)
            yield
        finally:
            try:
                cursor.execute("rollback")  # ends the PostgreSQL transaction: the lock goes with it
            finally:
                cursor.close()

    @staticmethod
    def _try(cursor: duckdb.DuckDBPyConnection, number: int) -> bool:
        row = cursor.execute(
            f"select got from postgres_query('etl_lake_locks', 'select pg_try_advisory_xact_lock({number}) as got')"
        ).fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        self._conn.close()


class FileKeyLocks:
    """A lock file per key beside a one-machine catalog (SQLite or DuckDB file)."""

    def __init__(self, folder: Path, timeout: float) -> None:
        self.folder, self.timeout = folder, timeout
        folder.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        lock = FileLock(self.folder / f"{lock_number(key) & 0xFFFFFFFFFFFFFFFF:016x}.lock", thread_local=False)
        try:
            lock.acquire(timeout=self.timeout)
        except Timeout as exc:
            raise LakeLockTimeout(f"another writer held the lake's lock on {key} for over {self.timeout:g} s") from exc
        try:
            yield
        finally:
            lock.release()

    def close(self) -> None:
        return None


def key_locks(spec: LakeSpec, timeout: float) -> KeyLocks:
    if spec.kind == "postgres":
        return PostgresKeyLocks(spec, timeout)
    catalog = Path(spec.target).expanduser()
    return FileKeyLocks(catalog.with_name(catalog.name + ".locks"), timeout)


def is_conflict(exc: BaseException) -> bool:
    """A commit DuckLake refused because of a concurrent snapshot (worth running again)."""
    if not isinstance(exc, duckdb.Error):
        return False
    text = str(exc).lower()
    return isinstance(exc, duckdb.TransactionException) or "conflict" in text


def retry_conflicts(work: Callable[[], T], *, attempts: int = 8, what: str = "lake transaction") -> T:
    """Run ``work`` (a whole transaction: it rolls back on error), again after a conflict; the last error raised."""
    pause = 0.05
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except duckdb.Error as exc:
            if attempt == attempts or not is_conflict(exc):
                raise
            log.info("%s: conflict with another writer (%s); attempt %d of %d", what, exc, attempt + 1, attempts)
            time.sleep(pause * (1 + random.random()))
            pause = min(pause * 2, 2.0)
    raise AssertionError("unreachable")
