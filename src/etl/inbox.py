"""The inbox life cycle: which files are ready, and where a file goes after its ingest.

- A file is *ready* once its size and modification time have not changed for ``settle_seconds`` (a copy still
  being written is left for the next poll). Partial-copy names (``.part``, ``.tmp``, ``.crdownload``, hidden
  files) are never ready.
- After a successful ingest (loaded or unchanged) the file moves to the archive, named by its content hash, so
  an original is never overwritten or lost: ``archive/<sha256[:2]>/<sha256>_<original name>``.
- After a failure it moves to quarantine with a sidecar ``<name>.error.json`` that says why; a file of the same
  name already in quarantine is kept (the new one gets a numbered name).
All moves stay inside the configured folders: names are reduced to their final component, so ``../`` tricks
cannot escape.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from etl.digest import sha256_file
from etl.extract.source import is_report_file

PARTIAL_SUFFIXES: frozenset[str] = frozenset({".part", ".tmp", ".crdownload", ".partial", ".download"})


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int


def file_state(path: Path) -> FileState:
    stat = path.stat()
    return FileState(stat.st_size, stat.st_mtime_ns)


def is_partial(path: Path) -> bool:
    return path.name.startswith(".") or path.suffix.lower() in PARTIAL_SUFFIXES


def ready_files(inbox: Path, *, settle_seconds: float, now: float | None = None) -> list[Path]:
    """Report files of the inbox whose last change is at least ``settle_seconds`` old, oldest first."""
    current = datetime.now(UTC).timestamp() if now is None else now
    ready: list[tuple[float, Path]] = []
    for path in inbox.iterdir():
        if is_partial(path) or not is_report_file(path):
            continue
        state = file_state(path)
        if current - state.mtime_ns / 1e9 >= settle_seconds:  # an empty file that stays empty is quarantined
            ready.append((state.mtime_ns, path))
    return [path for _, path in sorted(ready)]


def safe_name(name: str) -> str:
    """The final component of a name: no directories, no '..', never empty."""
    final = Path(name.replace("\\", "/")).name
    return final if final not in ("", ".", "..") else "unnamed"


def archive_file(path: Path, archive: Path) -> Path:
    """Move a processed file into the archive under its content hash; the same content is stored once."""
    digest = sha256_file(path)
    target = archive / digest[:2] / f"{digest}_{safe_name(path.name)}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        path.unlink()  # same bytes already archived under the same name
    else:
        _move(path, target)
    return target


def quarantine_file(path: Path, quarantine: Path, reason: str) -> Path:
    """Move a failed file to quarantine with a sidecar ``.error.json`` saying why and when."""
    quarantine.mkdir(parents=True, exist_ok=True)
    target = _free_name(quarantine / safe_name(path.name))
    digest = sha256_file(path)
    _move(path, target)
    sidecar = target.with_name(target.name + ".error.json")
    sidecar.write_text(
        json.dumps(
            {"file": path.name, "sha256": digest, "reason": reason, "quarantined_at": datetime.now(UTC).isoformat()},
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return target


def _free_name(target: Path) -> Path:
    if not target.exists():
        return target
    for n in range(1, 10_000):
        candidate = target.with_name(f"{target.stem}.{n}{target.suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(f"no free name for {target.name} in {target.parent}")


def _move(source: Path, target: Path) -> None:
    """Move within a file system atomically; across file systems copy, fsync, then remove the source."""
    try:
        os.replace(source, target)
    except OSError:
        shutil.copy2(source, target)
        with target.open("rb") as handle:
            os.fsync(handle.fileno())
        source.unlink()


def archived_files(archive: Path) -> list[Path]:
    """Every archived input, in the order it arrived (modification time, kept by the move), then by name."""
    if not archive.is_dir():
        return []
    files = [path for path in archive.rglob("*") if path.is_file() and not is_partial(path)]
    return sorted(files, key=lambda path: (path.stat().st_mtime_ns, path.name))


def original_name(archived: Path) -> str:
    """The name a file had in the inbox: the archive prefixes it with its content hash and '_'."""
    digest, _, name = archived.name.partition("_")
    return name if len(digest) == 64 and name else archived.name
