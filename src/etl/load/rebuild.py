"""`etl rebuild`: move a damaged warehouse aside, replay the archive; and what readers are told meanwhile.

The rebuild moves the published file to ``<warehouse>.replaced-<UTC time>`` and then loads every archived input
into a new warehouse (one staged publish). Killed in between, there is no warehouse file, only the moved one:
readers are told where the data is, and `etl rebuild` run again resumes (replays the archive, moves nothing).
Every other writing run (`etl ingest`, `etl poll`, `etl backfill`, `etl init`, the flows) refuses meanwhile
(:class:`InterruptedRebuildError`, raised by etl.pipeline and etl.load.publish): it would start a new warehouse
beside the moved one, with none of its history.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from etl.load.publish import published_target, wal_path

REPLACED = ".replaced-"


def replaced_files(warehouse: Path) -> list[Path]:
    """Earlier warehouse files moved aside by `etl rebuild`, oldest first."""
    target = published_target(warehouse)
    return sorted(
        p for p in target.parent.glob(f"{target.name}{REPLACED}*") if not p.name.endswith((".wal", ".lock"))
    )


def interrupted_rebuild(warehouse: Path) -> Path | None:
    """The file an interrupted rebuild moved aside (no warehouse file, a moved one): where the data is."""
    if published_target(warehouse).exists():
        return None
    moved = replaced_files(warehouse)
    return moved[-1] if moved else None


def missing_warehouse_message(warehouse: Path) -> str:
    """What to tell someone who reads a warehouse that does not exist."""
    moved = interrupted_rebuild(warehouse)
    if moved is None:
        return f"warehouse {warehouse} does not exist yet: run `etl ingest` first"
    return (
        f"warehouse {warehouse} does not exist: an `etl rebuild` stopped after moving the previous warehouse aside; "
        f"its data is in {moved}. Run `etl rebuild --warehouse {warehouse}` again to finish the rebuild (or rename "
        f"{moved.name} back to {published_target(warehouse).name})."
    )


class InterruptedRebuildError(RuntimeError):
    """A writing run found what a killed `etl rebuild` leaves: no warehouse file, the previous one moved aside."""


def refuse_interrupted_rebuild(warehouse: Path) -> None:
    """Raise InterruptedRebuildError if an interrupted rebuild left ``warehouse`` missing (only the rebuild itself,
    run again, may create it)."""
    moved = interrupted_rebuild(warehouse)
    if moved is None:
        return
    raise InterruptedRebuildError(
        f"warehouse {warehouse} does not exist: an `etl rebuild` stopped after moving the previous warehouse aside; "
        f"its data is in {moved}. Nothing was written and the input files were left where they were. Run "
        f"`etl rebuild --warehouse {warehouse}` to finish the rebuild (or rename {moved.name} back to "
        f"{published_target(warehouse).name}), then run this again."
    )


def move_aside(warehouse: Path, now: datetime | None = None) -> Path | None:
    """Rename the warehouse file (a link's target) and its log to ``.replaced-<time>``; None if there is none."""
    target = published_target(warehouse)
    if not target.exists():
        return None
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    aside = target.with_name(f"{target.name}{REPLACED}{stamp}")
    os.replace(target, aside)
    if wal_path(target).exists():
        os.replace(wal_path(target), wal_path(aside))
    return aside
