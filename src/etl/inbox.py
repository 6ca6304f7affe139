"""The inbox life cycle: which files are ready, and where a file goes after its ingest.

- A file is *ready* once its size and modification time have not changed for ``settle_seconds`` (a copy still
  being written is left for the next poll). Partial-copy names (``.part``, ``.tmp``, ``.crdownload``, hidden
  files) are never ready.
- After a successful ingest (loaded or unchanged) the file's bytes go to the archive, named by their hash, and an
  *archive record* beside them says what arrived when (:class:`Arrival`)::

      archive/<sha256[:2]>/<sha256><suffix>    the bytes (the suffix of the name it arrived under, if short)
      archive/<sha256[:2]>/<sha256>.json       the record: each arrival's number, name, time, declared metadata
      archive/sequence                         the next arrival number

  Arrival numbers are handed out in the order the poll loaded the files, so `etl rebuild` replays in that order
  (a file's modification time says nothing: unzip or ``cp -p`` keep old ones). The original name lives in the
  record, not in the archive's file name: a 64-character Chinese name (192 bytes) prefixed with a hash was over
  the file system's 255 bytes. Every name the archive and quarantine make is short (at most :data:`MAX_NAME_BYTES`).
  A sidecar ``<file name>.meta.yaml`` beside the file (declared metadata, etl.declared) is kept in the record,
  whole, and leaves the inbox with the file; a rebuild puts it back beside the file it replays
  (etl.load.rebuild.replay_files).
- After a failure the file moves to quarantine with a sidecar ``<name>.error.json`` that says why (and the original
  name, when the quarantine's name had to be shortened); a file of the same name already in quarantine is kept
  (the new one gets a numbered name). Its ``.meta.yaml`` goes with it.
- A symbolic link is never archived as a link: a link to a file inside the inbox is archived (or quarantined) as the
  bytes it points to; a link that leaves the inbox, or points nowhere, is refused unread (:func:`refused_link`),
  moved to quarantine as the link it is, with a sidecar saying so and no hash.
All moves stay inside the configured folders: names are reduced to their final component, so ``../`` tricks
cannot escape.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock

from etl.declared import sidecar_path
from etl.digest import sha256_file
from etl.extract.formats import SUFFIXES
from etl.extract.source import is_report_file

PARTIAL_SUFFIXES: frozenset[str] = frozenset({".part", ".tmp", ".crdownload", ".partial", ".download"})
RECORD_SUFFIX = ".json"
SEQUENCE_FILE = "sequence"
# The longest name the archive or quarantine makes, in bytes of UTF-8: within every common file system's limit
# (255 bytes; 143 on eCryptfs) with room for the quarantine's ".9999" and ".error.json".
MAX_NAME_BYTES = 120
MAX_SUFFIX_BYTES = 16


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int


def file_state(path: Path) -> FileState:
    stat = path.stat()
    return FileState(stat.st_size, stat.st_mtime_ns)


def inbox_lock(inbox: Path, timeout: float) -> FileLock:
    """Held by an inbox poll of a lake from listing the inbox to moving its files, so two polls never take one file
    (a lake has no warehouse-wide writer lock that would keep them apart): ``<inbox>.poll.lock`` beside the inbox."""
    inbox = inbox.resolve()
    return FileLock(inbox.with_name(inbox.name + ".poll.lock"), timeout=timeout, thread_local=False)


def is_partial(path: Path) -> bool:
    return path.name.startswith(".") or path.suffix.lower() in PARTIAL_SUFFIXES


def ready_files(inbox: Path, *, settle_seconds: float, now: float | None = None) -> list[Path]:
    """Report files of the inbox whose last change is at least ``settle_seconds`` old, oldest first.

    Links that leave the inbox or point nowhere are not listed: see :func:`refused_links`."""
    current = datetime.now(UTC).timestamp() if now is None else now
    ready: list[tuple[float, Path]] = []
    for path in inbox.iterdir():
        if is_partial(path) or not is_report_file(path) or refused_link(path, inbox):
            continue
        state = file_state(path)
        if current - state.mtime_ns / 1e9 >= settle_seconds:  # an empty file that stays empty is quarantined
            ready.append((state.mtime_ns, path))
    return [path for _, path in sorted(ready)]


def refused_link(path: Path, inbox: Path) -> str | None:
    """Why a symbolic link of the inbox is refused unread (it leaves the inbox, or points nowhere), else None."""
    if not path.is_symlink():
        return None
    target = Path(os.path.realpath(path))
    if not target.exists():
        return f"{path.name}: a symbolic link to {os.readlink(path)}, which does not exist: not read"
    if not target.is_relative_to(Path(os.path.realpath(inbox))):
        return (
            f"{path.name}: a symbolic link to {target}, outside the inbox: not read (copy the file itself into the "
            "inbox; links may only point to files inside it)"
        )
    return None


def refused_links(inbox: Path) -> list[tuple[Path, str]]:
    """The inbox's report-named symbolic links that are refused, with why (see :func:`refused_link`)."""
    found = []
    for path in sorted(inbox.iterdir()):
        if is_partial(path) or path.suffix.lower() not in SUFFIXES:
            continue
        reason = refused_link(path, inbox)
        if reason is not None:
            found.append((path, reason))
    return found


def safe_name(name: str) -> str:
    """The final component of a name: no directories, no '..', never empty."""
    final = Path(name.replace("\\", "/")).name
    return final if final not in ("", ".", "..") else "unnamed"


def short_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """``safe_name``, cut to ``limit`` bytes of UTF-8 if longer: the start of the stem, a hash of the whole name
    (two long names stay apart) and the suffix."""
    name = safe_name(name)
    if len(name.encode("utf-8", "surrogateescape")) <= limit:
        return name
    path = Path(name)
    suffix = path.suffix if len(path.suffix.encode("utf-8", "surrogateescape")) <= MAX_SUFFIX_BYTES else ""
    tag = "~" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    room = limit - len(tag.encode()) - len(suffix.encode("utf-8", "surrogateescape"))
    stem = name[: len(name) - len(suffix)].encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore")
    return stem + tag + suffix


@dataclass(frozen=True)
class Arrival:
    """One arrival of a file's bytes in the inbox, as the archive record keeps it."""

    seq: int  # arrival number: the order of loading
    name: str  # the name it arrived under
    arrived_at: str  # ISO time it was archived
    declared: str | None = None  # the text of its <name>.meta.yaml, if one came with it
    accepted_drops: list[int] | None = None  # tasks of the replaced version it dropped, accepted (etl.load.versions)


@dataclass(frozen=True)
class ArchivedFile:
    """Archived bytes and their record."""

    sha256: str
    path: Path  # the bytes
    arrivals: tuple[Arrival, ...]

    @property
    def first(self) -> Arrival:
        return min(self.arrivals, key=lambda arrival: arrival.seq)


def archive_file(path: Path, archive: Path, *, accepted_drops: list[int] | None = None) -> Path:
    """Move a processed file's bytes into the archive and record its arrival; the same bytes are stored once.

    The record is written first (with the arrival's number), then the bytes are moved: killed in between, the
    file is still in the inbox, and the next poll (finding it loaded) archives it again under the same record.
    """
    digest = sha256_file(path)
    folder = archive / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    sidecar = sidecar_path(path)
    declared = _read_declared(sidecar, path.parent)
    now = datetime.now(UTC).isoformat()
    arrival = Arrival(_next_sequence(archive), path.name, now, declared, accepted_drops or None)
    record = folder / f"{digest}{RECORD_SUFFIX}"
    target = folder / f"{digest}{_archive_suffix(path.name)}"
    previous = read_record(record) if record.exists() else None
    arrivals = [*(previous.arrivals if previous else ()), arrival]
    _write_json(record, {"sha256": digest, "file": target.name, "arrivals": [asdict(a) for a in arrivals]})
    if target.exists() or (previous is not None and previous.path.exists()):
        path.unlink()  # these bytes are archived already
    else:
        _move(path, target)
    if declared is not None:
        sidecar.unlink(missing_ok=True)
    return previous.path if previous is not None and previous.path.exists() else target


def _archive_suffix(name: str) -> str:
    suffix = Path(safe_name(name)).suffix.lower()
    return suffix if len(suffix.encode("utf-8", "surrogateescape")) <= MAX_SUFFIX_BYTES else ""


def _read_declared(sidecar: Path, inbox: Path) -> str | None:
    """The text of a declared-metadata sidecar, unless absent or a link that leaves the inbox."""
    if not sidecar.is_file() or refused_link(sidecar, inbox):
        return None
    return sidecar.read_text(encoding="utf-8", errors="replace")


def _next_sequence(archive: Path) -> int:
    """The next arrival number (the caller holds the writer lock); rebuilt from the records if the file is lost."""
    counter = archive / SEQUENCE_FILE
    try:
        number = int(counter.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        number = 1 + max((a.seq for item in archived_records(archive) for a in item.arrivals), default=0)
    counter.parent.mkdir(parents=True, exist_ok=True)
    temporary = counter.with_name(counter.name + ".tmp")
    temporary.write_text(f"{number + 1}\n", encoding="ascii")
    os.replace(temporary, counter)
    return number


def _write_json(path: Path, content: object) -> None:
    """Write a small JSON file whole (a temporary file renamed over it), flushed to disk."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(content, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def read_record(record: Path) -> ArchivedFile:
    data = json.loads(record.read_text(encoding="utf-8"))
    arrivals = tuple(Arrival(**arrival) for arrival in data["arrivals"])
    return ArchivedFile(str(data["sha256"]), record.with_name(str(data["file"])), arrivals)


def archived_records(archive: Path) -> list[ArchivedFile]:
    """Every archive record, in arrival order (of each content's first arrival)."""
    if not archive.is_dir():
        return []
    records = [read_record(path) for path in archive.glob(f"??/*{RECORD_SUFFIX}") if not is_partial(path)]
    return sorted(records, key=lambda item: item.first.seq)


def quarantine_file(path: Path, quarantine: Path, reason: str, *, read: bool = True) -> Path:
    """Move a failed file to quarantine with a sidecar ``.error.json`` saying why and when.

    ``read=False``: a refused link, moved as the link it is, its target neither read nor hashed."""
    quarantine.mkdir(parents=True, exist_ok=True)
    target = _free_name(quarantine / short_name(path.name))
    digest = sha256_file(path) if read else None
    sidecar = sidecar_path(path)
    if read:
        _move(path, target)
    else:
        os.replace(path, target)
    if sidecar.is_file() and not refused_link(sidecar, path.parent):
        _move(sidecar, sidecar_path(target))
    note = {"file": path.name, "sha256": digest, "reason": reason, "quarantined_at": datetime.now(UTC).isoformat()}
    target.with_name(target.name + ".error.json").write_text(
        json.dumps(note, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return target


@dataclass(frozen=True)
class Processed:
    """A file of a poll after its ingest: where it goes (archive or quarantine) and what the run said of it."""

    path: Path
    outcome: str  # loaded / unchanged / failed
    message: str | None = None
    accepted_drops: list[int] | None = None


def file_away(files: list[Processed], archive: Path, quarantine: Path) -> tuple[list[Path | None], list[str]]:
    """Archive each file that was loaded or unchanged, quarantine each that failed; where each went (None: it could
    not be moved and is still in the inbox) and, for those, a sentence saying so. One file that cannot be moved
    (a full disk, a permission) never stops the others."""
    moved: list[Path | None] = []
    problems: list[str] = []
    for item in files:  # links first become the bytes they point to: their target may be moved below
        if item.path.is_symlink():
            with contextlib.suppress(OSError):  # said below, when the link cannot be moved either
                _materialize(item.path)
    for item in files:
        try:
            if item.outcome == "failed":
                moved.append(quarantine_file(item.path, quarantine, item.message or "failed"))
            else:
                moved.append(archive_file(item.path, archive, accepted_drops=item.accepted_drops))
        except OSError as exc:
            moved.append(None)
            problems.append(_not_moved(item, exc))
    return moved, problems


def _materialize(link: Path) -> None:
    """Replace a symbolic link by a copy of the file it points to (a hidden name while copying: never ready)."""
    partial = link.with_name(f".{link.name}.partial")
    try:
        shutil.copyfile(link, partial)
        os.replace(partial, link)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _not_moved(item: Processed, exc: OSError) -> str:
    reason = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    if item.outcome == "failed":
        return (
            f"{item.path.name}: rejected, but not moved to quarantine ({reason}); it is still in the inbox and the "
            "next poll reads it again"
        )
    done = "loaded and published" if item.outcome == "loaded" else "already in the warehouse"
    return (
        f"{item.path.name}: {done}, but not archived ({reason}); it is still in the inbox, and the next poll finds "
        "it loaded and archives it"
    )


def _free_name(target: Path) -> Path:
    if not target.exists() and not target.is_symlink():
        return target
    for n in range(1, 10_000):
        candidate = target.with_name(f"{target.stem}.{n}{target.suffix}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise FileExistsError(f"no free name for {target.name} in {target.parent}")


def _move(source: Path, target: Path) -> None:
    """Move a file's bytes: within a file system atomically; across file systems, or from a symbolic link (whose
    bytes, not the link, are kept), copy, fsync, then remove the source."""
    if not source.is_symlink():
        try:
            os.replace(source, target)
            return
        except OSError:
            pass
    partial = target.with_name(target.name + ".partial")
    try:
        shutil.copyfile(source, partial)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    source.unlink()


def legacy_archived_files(archive: Path) -> list[Path]:
    """Files archived before archive records (``<sha256>_<name>``), oldest first: they arrived before any recorded
    one, and their modification time is the only order they have."""
    if not archive.is_dir():
        return []
    files = [
        path
        for path in archive.glob("??/*")
        if (path.is_file() or path.is_symlink()) and not is_partial(path) and path.name[64:65] == "_"
    ]
    return sorted(files, key=lambda path: (path.lstat().st_mtime_ns, path.name))


def original_name(archived: Path) -> str:
    """The name a legacy archived file had in the inbox: the old archive prefixed it with its hash and '_'."""
    digest, _, name = archived.name.partition("_")
    return name if len(digest) == 64 and name else archived.name
