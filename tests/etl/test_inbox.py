from __future__ import annotations

import json
import os
import time
from pathlib import Path

from etl.declared import sidecar_path
from etl.digest import sha256_file
from etl.inbox import (
    MAX_NAME_BYTES,
    Processed,
    archive_file,
    archived_records,
    file_away,
    quarantine_file,
    ready_files,
    refused_links,
    safe_name,
    short_name,
)
from etl.load.rebuild import replay_files


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
    assert target == archive / digest[:2] / f"{digest}.txt"  # the name it arrived with is in the record
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


# -- issue 22: long names, arrival order, declared metadata, links, files that cannot be moved ---------------------

LONG = (
    "市工信局关于二〇二四年政府工作报告重点任务第三季度完成情况及下一步工"
    "作安排的报告附件一任务清单与责任分工修订稿终版定稿请审阅全文.txt"
)


def test_a_long_name_is_archived_and_quarantined_within_any_name_limit_and_kept_in_a_sidecar(tmp_path: Path) -> None:
    """64 Chinese characters: 196 bytes, over 255 with the old '<sha256>_' prefix (ENAMETOOLONG)."""
    inbox, archive, quarantine = tmp_path / "inbox", tmp_path / "archive", tmp_path / "quarantine"
    inbox.mkdir()
    assert len(LONG) >= 64 and len(LONG.encode()) > 190
    stored = archive_file(_touch(inbox / LONG, b"report", 0), archive)
    assert len(stored.name.encode()) <= MAX_NAME_BYTES
    [record] = archived_records(archive)
    assert record.first.name == LONG and record.path == stored
    bad = quarantine_file(_touch(inbox / LONG, b"junk", 0), quarantine, "not a report")
    again = quarantine_file(_touch(inbox / LONG, b"junk 2", 0), quarantine, "not a report")
    for path in (bad, again, bad.with_name(bad.name + ".error.json"), again.with_name(again.name + ".error.json")):
        assert path.exists() and len(path.name.encode()) <= 143  # eCryptfs, the smallest common limit
    assert json.loads((quarantine / (bad.name + ".error.json")).read_text(encoding="utf-8"))["file"] == LONG
    assert short_name(LONG) != short_name(LONG.replace("终版", "初稿"))  # two long names never share a name


def test_arrivals_are_numbered_in_the_order_they_are_archived_whatever_their_times(tmp_path: Path) -> None:
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    new = archive_file(_touch(inbox / "v1.txt", b"one", 10), archive)
    old = archive_file(_touch(inbox / "v2.txt", b"two", 10 * 365 * 86400), archive)  # `cp -p` of an old file
    archive_file(_touch(inbox / "copy of v1.txt", b"one", 0), archive)  # the same bytes again: one record
    records = archived_records(archive)
    assert [r.path for r in records] == [new, old]
    assert [a.name for a in records[0].arrivals] == ["v1.txt", "copy of v1.txt"]
    assert [r.first.seq for r in records] == [1, 2] and records[0].arrivals[1].seq == 3
    with replay_files(archive) as replayed:
        assert [(p.name, p.read_bytes()) for p in replayed] == [("v1.txt", b"one"), ("v2.txt", b"two")]


def test_declared_metadata_travels_with_its_file_into_the_archive_and_back_out_at_replay(tmp_path: Path) -> None:
    inbox, archive, quarantine = tmp_path / "inbox", tmp_path / "archive", tmp_path / "quarantine"
    inbox.mkdir()
    declared = "issuer: 绍兴市政府\nperiod: 2021Q3\nsynthetic: false\nnote: from the web page\n"
    report = _touch(inbox / "report.txt", b"report", 0)
    sidecar_path(report).write_text(declared, encoding="utf-8")
    archive_file(report, archive)
    assert list(inbox.iterdir()) == []  # the sidecar left the inbox with its file
    assert archived_records(archive)[0].first.declared == declared
    with replay_files(archive) as [replayed]:
        assert sidecar_path(replayed).read_text(encoding="utf-8") == declared
    bad = _touch(inbox / "bad.txt", b"junk", 0)
    sidecar_path(bad).write_text(declared, encoding="utf-8")
    moved = quarantine_file(bad, quarantine, "not a report")
    assert sidecar_path(moved).read_text(encoding="utf-8") == declared and list(inbox.iterdir()) == []


def test_a_link_inside_the_inbox_is_archived_as_bytes_and_links_leaving_it_are_refused_unread(tmp_path: Path) -> None:
    inbox, archive, quarantine, elsewhere = (tmp_path / n for n in ("inbox", "archive", "quarantine", "elsewhere"))
    inbox.mkdir()
    elsewhere.mkdir()
    secret = _touch(elsewhere / "secret.txt", b"not for the inbox", 60)
    _touch(inbox / "real.txt", b"report", 60)
    (inbox / "inside.txt").symlink_to(inbox / "real.txt")
    (inbox / "outside.txt").symlink_to(secret)
    (inbox / "dangling.txt").symlink_to(elsewhere / "gone.txt")
    assert {p.name for p in ready_files(inbox, settle_seconds=5)} == {"real.txt", "inside.txt"}
    assert [p.name for p, _ in refused_links(inbox)] == ["dangling.txt", "outside.txt"]
    stored = archive_file(inbox / "inside.txt", archive)
    assert not stored.is_symlink() and stored.read_bytes() == b"report" and not (inbox / "inside.txt").exists()
    [(outside, reason)] = [(p, r) for p, r in refused_links(inbox) if p.name == "outside.txt"]
    moved = quarantine_file(outside, quarantine, reason, read=False)
    note = json.loads(moved.with_name(moved.name + ".error.json").read_text(encoding="utf-8"))
    assert note["sha256"] is None and "outside the inbox" in note["reason"] and secret.read_bytes()


def test_a_file_that_cannot_be_archived_stays_in_the_inbox_and_is_named(tmp_path: Path) -> None:
    inbox, archive, quarantine = tmp_path / "inbox", tmp_path / "archive", tmp_path / "quarantine"
    inbox.mkdir()
    archive.write_text("not a folder")  # every move into it fails
    files = [
        Processed(_touch(inbox / "a.txt", b"a", 0), "loaded"),
        Processed(_touch(inbox / "b.txt", b"b", 0), "failed", "bad"),
    ]
    moved, problems = file_away(files, archive, quarantine)
    assert moved[0] is None and moved[1] is not None and (inbox / "a.txt").exists()
    assert problems == [problems[0]] and problems[0].startswith("a.txt: loaded and published, but not archived")
