"""Which files a run takes: one rule for every entry point (etl ingest, etl backfill, the flows, the inbox poll).

- A file named on the command line (or in a flow's ``paths``) is taken as it is, whatever its name: the user
  asked for it, and a file that is not a report is rejected with a reason rather than silently skipped.
- A folder is searched **recursively** for report files (``etl.extract.source.is_report_file``: a report suffix,
  not hidden), skipping names of partial copies (``.part``, ``.tmp``, ``.crdownload`` …), in path order.
- A file found twice (named twice, or named and inside a named folder; symbolic links included) is taken once, at
  its first place.
- The inbox (``inbox_files``) uses the same rule on its top level only (a sub-folder of the inbox is not an
  arrival), then keeps the files whose size and time have settled, oldest first: arrival order decides which of
  two versions of a quarter is the latest.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from etl.extract.source import is_report_file
from etl.inbox import is_partial, ready_files


def is_candidate(path: Path) -> bool:
    """A report file a folder search picks up."""
    return is_report_file(path) and not is_partial(path)


def discover_files(paths: Iterable[Path], *, recursive: bool = True) -> list[Path]:
    """The files a run takes from files and folders named, in a stable order, each once (see the module doc)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            candidates = path.rglob("*") if recursive else path.iterdir()
            found.extend(sorted(p for p in candidates if is_candidate(p)))
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def inbox_files(inbox: Path, *, settle_seconds: float, now: float | None = None) -> list[Path]:
    """Settled report files at the top of the inbox, oldest first (same candidate rule as folders)."""
    return [p for p in ready_files(inbox, settle_seconds=settle_seconds, now=now) if is_candidate(p)]
