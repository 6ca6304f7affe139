"""Another process holding the published warehouse file open for writing: a BI tool or a `duckdb` shell connected
without read-only. DuckDB then refuses every other connection to the file, read-only ones included ("Conflicting
lock is held in <program> (PID n)"), so a load cannot even read what is loaded. It waits for that lock as it waits
for another writer's (setting ``lock_timeout``, ``ETL_LOCK_TIMEOUT``), says which process holds it, and gives up
with an error naming it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import duckdb

from etl.load.publish import WarehouseLockedError

_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


class WarehouseHeldError(WarehouseLockedError):
    """Another process kept the warehouse file open for writing longer than the lock timeout."""


def holder_of(path: Path) -> str | None:
    """``<program> (PID n)`` of the process holding ``path`` open for writing; None when a reader can open it."""
    if not path.exists():
        return None
    try:
        with closing(duckdb.connect(str(path), read_only=True)):
            return None
    except duckdb.Error as exc:
        match = _HOLDER.search(str(exc))
        if match is None:
            if "could not set lock" in str(exc).lower():
                return "another process"
            return None  # not a lock (a damaged block, not DuckDB): the warehouse check that follows names it
        return f"{match.group('program')} (PID {match.group('pid')})"


def held_message(path: Path, holder: str) -> str:
    return (
        f"{path} is held open for writing by {holder}: a BI tool or duckdb connected without read-only locks "
        "every other process out; connect it read-only (read_only=True, duckdb -readonly, duckdb.read_only=true)"
    )


def wait_until_readable(
    path: Path, timeout: float, *, on_wait: Callable[[str], None] | None = None, poll: float = 0.5
) -> None:
    """Return once no other process holds ``path`` open for writing; call ``on_wait`` with the message the first
    time it has to wait; WarehouseHeldError naming the holder after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    waited = False
    while (holder := holder_of(path)) is not None:
        if time.monotonic() >= deadline:
            raise WarehouseHeldError(
                f"{held_message(path, holder)}; gave up after {timeout:g} s (ETL_LOCK_TIMEOUT): nothing was loaded"
            )
        if not waited and on_wait is not None:
            on_wait(f"{held_message(path, holder)}; waiting up to {timeout:g} s (ETL_LOCK_TIMEOUT) for it to close")
        waited = True
        time.sleep(min(poll, max(0.0, deadline - time.monotonic())))
