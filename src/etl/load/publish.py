"""Publishing the warehouse so that people can read it while a load runs.

DuckDB lets one process write a database file, or many processes read it, never both. A BI tool or an analyst
holding the published file open read-only would make a load into that file fail, and a reader opening it during a
load would see the quarters loaded so far. So a writer never opens the published file:

1. it takes the writer lock (``<warehouse>.lock`` beside the file): two writers never stage at once;
2. it loads a staging copy beside the published file (``<warehouse>.staging``: a copy of the published file, or a
   new file, written with the configured storage version);
3. on success it checkpoints the staging file, flushes it to disk and renames it over the published file
   (``os.replace`` in the same folder: atomic). Readers that hold the old file open keep reading the old file
   (their open handle), new readers open the new complete state. On failure the staging file is removed and the
   published file is untouched.

Readers therefore only ever see complete states, and never block a load. Every writer must go through
:func:`staged_warehouse`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from etl.load.storage import copy_database, create_database, has_storage_version, writer_config
from etl.settings import get_settings


class WarehouseLockedError(TimeoutError):
    """Another writer holds the warehouse's writer lock (a TimeoutError, so the flows retry it)."""


class StagingInUseError(RuntimeError):
    """A connection to the staging file was still open when the writer finished: nothing was published."""


def staging_path(published: Path) -> Path:
    """The staging file a writer loads, beside the published file (same folder, so the rename is atomic)."""
    return published.with_name(published.name + ".staging")


def lock_path(published: Path) -> Path:
    """The writer lock file beside the published file."""
    return published.with_name(published.name + ".lock")


def wal_path(database: Path) -> Path:
    """DuckDB's write-ahead log of a database file."""
    return database.with_name(database.name + ".wal")


@contextmanager
def writer_lock(published: Path, timeout: float) -> Iterator[None]:
    """Hold the warehouse's writer lock; raise WarehouseLockedError after ``timeout`` seconds of waiting."""
    lock = FileLock(lock_path(published), timeout=timeout, thread_local=False)
    try:
        lock.acquire()
    except Timeout as exc:
        raise WarehouseLockedError(
            f"another writer is loading {published} (lock {lock_path(published)} held); gave up after {timeout:g} s"
        ) from exc
    try:
        yield
    finally:
        lock.release()


@contextmanager
def staged_warehouse(
    published: Path,
    *,
    storage_version: str | None = None,
    lock_timeout: float | None = None,
    lock_held: bool = False,
) -> Iterator[Path]:
    """Yield a staging copy of the warehouse to load; publish it atomically when the block succeeds.

    Close every connection to the staging file before the block ends. On an exception the staging file is
    removed, the published file is untouched and the exception propagates. ``lock_held``: the caller already
    holds :func:`writer_lock` (e.g. to keep other writers out while it also moves input files).
    """
    settings = get_settings()
    version = storage_version or settings.storage_version
    timeout = settings.lock_timeout if lock_timeout is None else lock_timeout
    published.parent.mkdir(parents=True, exist_ok=True)
    with nullcontext() if lock_held else writer_lock(published, timeout):
        try:
            staging = prepare_staging(published, version)
        except BaseException:
            discard(staging_path(published))  # e.g. the disk filled up during the copy
            raise
        try:
            yield staging
            seal(staging)
            replace_published(staging, published)
        except BaseException:
            discard(staging)
            raise


def prepare_staging(published: Path, storage_version: str) -> Path:
    """A fresh staging file: a copy of the published file (and its log) in ``storage_version``, or a new file."""
    staging = staging_path(published)
    discard(staging)  # leftovers of a writer that crashed: the lock is ours, no one else uses them
    if not published.exists():
        create_database(staging, storage_version)
        return staging
    shutil.copyfile(published, staging)
    if wal_path(published).exists():
        shutil.copyfile(wal_path(published), wal_path(staging))
    if not has_storage_version(staging, storage_version):
        convert_storage(staging, storage_version)
    return staging


def convert_storage(database: Path, storage_version: str) -> None:
    """Rewrite ``database`` in ``storage_version`` (schemas, tables, views, comments and rows are kept)."""
    converted = database.with_name(database.name + ".converting")
    discard(converted)
    try:
        copy_database(database, converted, storage_version)
    except BaseException:
        discard(converted)
        raise
    discard(database)
    os.replace(converted, database)


def seal(staging: Path) -> None:
    """Checkpoint the staging file into one self-contained file and flush it to disk.

    Opening it with a configuration of our own fails while this process still has a connection to it, which
    would otherwise go on writing into the file after it is published.
    """
    try:
        conn = duckdb.connect(str(staging), config=writer_config(custom_user_agent="etl-publish"))
    except duckdb.ConnectionException as exc:
        raise StagingInUseError(
            f"a connection to {staging} is still open: close it before the staged load ends (nothing published)"
        ) from exc
    try:
        conn.execute("checkpoint")
    finally:
        conn.close()
    if wal_path(staging).exists():
        raise StagingInUseError(f"{wal_path(staging)} remains after the checkpoint: another process writes it")
    _fsync(staging)


def replace_published(staging: Path, published: Path) -> None:
    """Atomically make the staging file the published file, and make the rename durable."""
    stale_wal = wal_path(published)
    if stale_wal.exists():
        stale_wal.unlink()  # left by a writer that crashed; its changes were copied into the staging file
    os.replace(staging, published)
    _fsync_folder(published.parent)


def discard(database: Path) -> None:
    """Remove a database file and its log, if present."""
    for path in (database, wal_path(database)):
        path.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
