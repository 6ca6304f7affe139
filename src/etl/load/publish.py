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

Before the rename the staged file is verified (etl.load.verify: a warehouse, no history lost, loads whole), it
gets the published file's mode, group (and, run as root, owner), and a staging file deleted or replaced during
the run is reported as such. A warehouse path that is a symbolic link is published to, and locked at, the link's
target, so every name of one file shares one lock and the link stays a link. A read-only warehouse file is
refused before anything is staged.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from etl.load.files import lock_path, published_target, staging_path, wal_path
from etl.load.rebuild import refuse_interrupted_rebuild
from etl.load.storage import copy_database, create_database, has_storage_version, writer_config
from etl.load.verify import WarehouseCounts, verify_staged, warehouse_counts
from etl.settings import DEFAULT_LOCK_TIMEOUT, DEFAULT_STORAGE_VERSION


class WarehouseLockedError(TimeoutError):
    """Another writer holds the warehouse's writer lock (a TimeoutError, so the flows retry it)."""


class StagingInUseError(RuntimeError):
    """A connection to the staging file was still open when the writer finished: nothing was published."""


class StagingLostError(OSError):
    """The staging file was deleted or replaced while the run wrote it: nothing was published (an OSError, so the
    CLI reports it as a warehouse it could not write)."""


class WarehouseReadOnlyError(PermissionError):
    """The published warehouse file is read-only: a load would have to change it (nothing was staged)."""


class DiskFullError(OSError):
    """The disk filled up while the staging copy was written (DuckDB says so in an error of its own): nothing was
    published."""


@contextmanager
def database_errors_named(published: Path) -> Iterator[None]:
    """Around the staged part of a run: DuckDB's errors that stop it named as what they mean.

    - "No space left on device" anywhere in the error or the errors it interrupted (DuckDB reports a full disk as a
      TransactionException, a FatalException, or an IOException, and a failed rollback can hide it) →
      DiskFullError: the published file is as it was;
    - a FatalException or InternalException, or a block failing its checksum ("Corrupt database file": a block of
      the published file, copied into the staging file, damaged without its size or time changing) →
      WarehouseCorruptError: the warehouse is damaged, rebuild it (`etl rebuild`).
    Anything else propagates unchanged. Nothing raised here ever follows a publish.
    """
    from etl.load.warehouse import WarehouseCorruptError  # warehouse imports this module's neighbours

    try:
        yield
    except duckdb.Error as exc:
        chain = _chain(exc)
        if any("No space left on device" in str(error) for error in chain):
            raise DiskFullError(errno.ENOSPC, f"No space left on device while writing {published}: {exc}") from exc
        damaged = any(isinstance(e, duckdb.FatalException | duckdb.InternalException) for e in chain) or any(
            "Corrupt database file" in str(error) for error in chain
        )
        if damaged:
            raise WarehouseCorruptError(damaged_message(published, exc)) from exc
        raise


def _chain(exc: BaseException) -> list[BaseException]:
    """The error and those it was raised from or while handling, innermost last."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def damaged_message(published: Path, exc: BaseException) -> str:
    """What to tell when DuckDB fails inside while loading: the warehouse is damaged, how to recover."""
    detail = " ".join(str(exc).split())
    return (
        f"the warehouse {published} is damaged: DuckDB stopped with an internal error while loading into a copy of it "
        f"({detail[:300]}). Nothing was published: the warehouse file is as it was and the input files were left "
        f"where they were. Recover with `etl rebuild --warehouse {published}`: it moves the damaged file aside and "
        "replays every archived input in order (see RELIABILITY.md)."
    )


@contextmanager
def writer_lock(published: Path, timeout: float) -> Iterator[None]:
    """Hold the warehouse's writer lock; raise WarehouseLockedError after ``timeout`` seconds of waiting."""
    published = published_target(published)
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
    storage_version: str = DEFAULT_STORAGE_VERSION,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    lock_held: bool = False,
    rebuilding: bool = False,
    rederived: frozenset[str] = frozenset(),
) -> Iterator[Path]:
    """Yield a staging copy of the warehouse to load; publish it atomically when the block succeeds.

    Close every connection to the staging file before the block ends. On an exception the staging file is
    removed, the published file is untouched and the exception propagates. ``lock_held``: the caller already
    holds :func:`writer_lock` (e.g. to keep other writers out while it also moves input files). A missing
    warehouse whose previous file an interrupted `etl rebuild` moved aside is refused
    (etl.load.rebuild.InterruptedRebuildError) unless ``rebuilding``: the rebuild's own replay. ``rederived``:
    tables the block derives anew from the rows it keeps, which may have fewer rows than before (`etl init`'s figures).
    """
    target = published_target(published)
    target.parent.mkdir(parents=True, exist_ok=True)
    refuse_read_only(target)
    with nullcontext() if lock_held else writer_lock(target, lock_timeout):
        if not rebuilding:  # checked under the lock: a rebuild moves the file aside before it takes the lock
            refuse_interrupted_rebuild(published)
        try:
            staging = prepare_staging(target, storage_version)
            before = warehouse_counts(staging) if target.exists() else WarehouseCounts()
        except BaseException:
            discard(staging_path(target))  # e.g. the disk filled up during the copy
            raise
        # An open descriptor keeps the staging file's inode alive: a deleted or replaced staging file is told
        # apart from the one this run made even when the file system reuses inode numbers.
        anchor = os.open(staging, os.O_RDONLY)
        try:
            yield staging
            _check_still_there(staging, anchor)
            seal(staging)
            _check_still_there(staging, anchor)
            verify_staged(staging, before, rederived)
            replace_published(staging, target)
        except StagingLostError:
            discard(staging)
            raise
        except BaseException as exc:
            lost = _lost(staging, anchor)
            discard(staging)
            if lost:
                raise StagingLostError(_lost_message(staging, lost)) from exc
            raise
        finally:
            os.close(anchor)


def refuse_read_only(published: Path) -> None:
    """Raise WarehouseReadOnlyError if the published file exists and is read-only (no write permission for this
    user, or no write bit at all: root could write it, but its owner made it read-only on purpose)."""
    if not published.exists():
        return
    mode = stat.S_IMODE(published.stat().st_mode)
    if not os.access(published, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise WarehouseReadOnlyError(
            f"warehouse {published} is read-only (mode {mode:o}): nothing was loaded and the file is unchanged; "
            "make it writable (e.g. chmod u+w) to load into it"
        )


def _lost(staging: Path, anchor: int) -> str | None:
    """How the staging file went away during the run, or None if it is still the file the run created."""
    made = os.fstat(anchor)
    if made.st_nlink == 0:
        return "deleted"
    if not staging.exists():
        return "moved away"
    now = staging.stat()
    return None if (now.st_dev, now.st_ino) == (made.st_dev, made.st_ino) else "replaced by another file"


def _lost_message(staging: Path, how: str) -> str:
    return (
        f"the staging file {staging} was {how} while this run was writing it (another program removed or "
        "replaced it): nothing was published, the warehouse is unchanged. Run again."
    )


def _check_still_there(staging: Path, anchor: int) -> None:
    lost = _lost(staging, anchor)
    if lost:
        raise StagingLostError(_lost_message(staging, lost))


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
    if not staging.exists():  # connecting would create an empty database in its place
        raise StagingLostError(_lost_message(staging, "deleted"))
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
    """Atomically make the staging file the published file, and make the rename durable.

    The new file keeps the published file's permission bits and group (and, when run as root, its owner).
    """
    if published.exists():
        keep_ownership_and_mode(published, staging)
    stale_wal = wal_path(published)
    if stale_wal.exists():
        stale_wal.unlink()  # left by a writer that crashed; its changes were copied into the staging file
    os.replace(staging, published)
    _fsync_folder(published.parent)


def keep_ownership_and_mode(source: Path, target: Path) -> None:
    """Give ``target`` the mode bits and group of ``source`` (and its owner, when run as root)."""
    info = source.stat()
    os.chmod(target, stat.S_IMODE(info.st_mode))
    uid = info.st_uid if os.geteuid() == 0 else -1
    current = target.stat()
    if (uid != -1 and current.st_uid != uid) or current.st_gid != info.st_gid:
        try:
            os.chown(target, uid, info.st_gid)
        except PermissionError as exc:
            raise PermissionError(
                f"cannot give the new warehouse file the group of {source} (gid {info.st_gid}): nothing was "
                "published; run the load as a member of that group"
            ) from exc


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
