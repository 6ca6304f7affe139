"""One file-discovery rule for every entry point (etl.pipeline.discover)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from etl.pipeline.discover import discover_files, inbox_files


def _touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_folders_are_searched_recursively_in_path_order_without_partial_or_hidden_files(tmp_path: Path) -> None:
    a = _touch(tmp_path / "in" / "b.txt")
    b = _touch(tmp_path / "in" / "a.pdf")
    c = _touch(tmp_path / "in" / "2024" / "q1.tsv")
    for skipped in ("copy.pdf.part", "upload.tmp", ".hidden.txt", "notes.docx.crdownload", "readme.md"):
        _touch(tmp_path / "in" / skipped)
    assert discover_files([tmp_path / "in"]) == [c, b, a]
    assert discover_files([tmp_path / "in"], recursive=False) == [b, a]


def test_a_named_file_is_taken_as_it_is_and_each_file_only_once(tmp_path: Path) -> None:
    report = _touch(tmp_path / "in" / "q3.txt")
    odd = _touch(tmp_path / "odd.bin")  # named by the user: taken, and rejected later with a reason
    link = tmp_path / "link.txt"
    link.symlink_to(report)
    assert discover_files([odd, report, tmp_path / "in", link]) == [odd, report]


def test_the_inbox_takes_settled_top_level_files_oldest_first(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    old, older = _touch(inbox / "old.txt"), _touch(inbox / "older.pdf")
    _touch(inbox / "fresh.txt")
    _touch(inbox / "sub" / "nested.txt")
    _touch(inbox / "partial.txt.part")
    now = time.time()
    os.utime(old, (now - 100, now - 100))
    os.utime(older, (now - 200, now - 200))
    os.utime(inbox / "sub" / "nested.txt", (now - 300, now - 300))
    assert inbox_files(inbox, settle_seconds=30, now=now) == [older, old]
