"""`etl rebuild`: move a damaged warehouse aside, replay the archive; and what readers are told meanwhile.

The rebuild moves the published file to ``<warehouse>.replaced-<UTC time>`` and then loads every archived input
into a new warehouse (one staged publish). Killed in between, there is no warehouse file, only the moved one:
readers are told where the data is, and `etl rebuild` run again resumes (replays the archive, moves nothing).
The replay (:func:`replay_files`) takes the archived inputs in the order they arrived (their archive records'
arrival numbers, not modification times), each under the name it arrived with and beside the declared metadata
(``<name>.meta.yaml``) that came with it, so the rebuilt marts are those the polls made.
Every other writing run (`etl ingest`, `etl poll`, `etl backfill`, `etl init`, the flows) refuses meanwhile
(:class:`InterruptedRebuildError`, raised by etl.pipeline and etl.load.publish): it would start a new warehouse
beside the moved one, with none of its history.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from etl.declared import sidecar_path
from etl.inbox import archived_records, legacy_archived_files, original_name, safe_name
from etl.load.files import published_target, wal_path

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


def clear_for_rebuild(warehouse: Path) -> str | None:
    """Before `etl rebuild` replays the archive: resume an interrupted rebuild (the file it moved aside is left as
    it is: it holds the data) or else move the warehouse aside; what was done, as a sentence (None: there was no
    warehouse)."""
    resumed = interrupted_rebuild(warehouse)
    if resumed:
        return f"Resuming an interrupted rebuild (the previous warehouse is in {resumed})"
    aside = move_aside(warehouse)
    return f"Moved the old warehouse aside: {aside}" if aside else None


def accepted_drops(archive: Path) -> frozenset[str]:
    """SHA-256 of the archived files whose dropped tasks a poll accepted (``--accept-dropped-tasks``): the rebuild
    accepts them again, so it makes the same version current."""
    return frozenset(item.sha256 for item in archived_records(archive) if item.first.accepted_drops)


@contextmanager
def replay_files(archive: Path) -> Iterator[list[Path]]:
    """The archived inputs to replay, in arrival order, each as ``<n>/<the name it arrived with>`` in a temporary
    folder (a symbolic link to the archived bytes, its declared ``.meta.yaml`` written beside it); removed after.

    Files archived before archive records came first (by modification time, the only order they have); then each
    recorded content at its first arrival (a later arrival of the same bytes was `unchanged`). A record whose bytes
    are missing is replayed as a link to nothing, so the run names it as a failure.
    """
    entries: list[tuple[str, Path, str | None]] = [(original_name(p), p, None) for p in legacy_archived_files(archive)]
    for item in archived_records(archive):
        entries.append((item.first.name, item.path, item.first.declared))
    with tempfile.TemporaryDirectory(prefix="etl-replay-") as folder:
        paths = []
        for number, (name, source, declared) in enumerate(entries):
            place = Path(folder) / f"{number:06d}"
            place.mkdir()
            link = place / safe_name(name)
            link.symlink_to(source.resolve())
            if declared is not None:
                sidecar_path(link).write_text(declared, encoding="utf-8")
            paths.append(link)
        yield paths
