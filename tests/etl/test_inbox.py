from __future__ import annotations

import json
import os
import time
from pathlib import Path

from etl.digest import sha256_file
from etl.inbox import archive_file, quarantine_file, ready_files, safe_name


def _touch(path: Path, content: bytes, age_seconds: float) -> Path:
    path.write_bytes(content)
    stamp = time.time() - age_seconds
    os.utime(path, (stamp, stamp))
    return path


def test_only_settled_complete_report_files_are_ready(tmp_path: Path) -> None:
    old = _touch(tmp_path / "old.txt", b"a", age_seconds=60)
    _touch(tmp_path / "fresh.pdf", b"%PDF", age_seconds=0)
    _touch(tmp_path / "copying.pdf.part", b"%PDF", age_seconds=60)
    _touch(tmp_path / ".hidden.txt", b"a", age_seconds=60)
    empty = _touch(tmp_path / "empty.txt", b"", age_seconds=30)  # settled and empty: ready, to be quarantined
    _touch(tmp_path / "notes.odt", b"x", age_seconds=60)  # .docx/.xlsx are report formats; .odt is not
    assert ready_files(tmp_path, settle_seconds=5) == [old, empty]
    later = {p.name for p in ready_files(tmp_path, settle_seconds=5, now=time.time() + 10)}
    assert later == {"old.txt", "empty.txt", "fresh.pdf"}


def test_archive_names_files_by_content_and_never_overwrites(tmp_path: Path) -> None:
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    first = _touch(inbox / "report.txt", b"one", 0)
    digest = sha256_file(first)
    target = archive_file(first, archive)
    assert target == archive / digest[:2] / f"{digest}_report.txt"
    assert target.read_bytes() == b"one" and not first.exists()
    # Another file with the same name but other bytes is archived beside it, not over it.
    second = archive_file(_touch(inbox / "report.txt", b"two", 0), archive)
    assert second != target and target.read_bytes() == b"one" and second.read_bytes() == b"two"
    # The same bytes again: stored once, the inbox copy is removed.
    assert archive_file(_touch(inbox / "report.txt", b"one", 0), archive) == target
    assert not (inbox / "report.txt").exists()


def test_quarantine_keeps_every_file_and_says_why(tmp_path: Path) -> None:
    inbox, quarantine = tmp_path / "inbox", tmp_path / "quarantine"
    inbox.mkdir()
    first = quarantine_file(_touch(inbox / "bad.pdf", b"x", 0), quarantine, "bad.pdf: not a PDF")
    second = quarantine_file(_touch(inbox / "bad.pdf", b"y", 0), quarantine, "bad.pdf: still not a PDF")
    assert (first.name, second.name) == ("bad.pdf", "bad.1.pdf")
    sidecar = json.loads((quarantine / "bad.1.pdf.error.json").read_text(encoding="utf-8"))
    assert sidecar["reason"] == "bad.pdf: still not a PDF" and len(sidecar["sha256"]) == 64
    assert first.read_bytes() == b"x"


def test_names_cannot_escape_the_configured_folders() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..") == "unnamed"
    assert safe_name("a\\..\\b.txt") == "b.txt"
    assert safe_name("报告 '2024'.pdf") == "报告 '2024'.pdf"
