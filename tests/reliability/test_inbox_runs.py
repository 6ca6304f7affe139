"""The inbox with real `etl poll` and `etl rebuild` processes (issue 22, defects 3, 4, 6): long names, a second
version with an old modification time, symbolic links; `etl rebuild` gives back the marts the polls made.

Each test fails on the code before issue 22: the long name wedged the inbox with a false "Nothing was published"
(exit 3); the rebuild made the first version current again (modification-time order); a link was archived as a link
and lost with its target, and a link to a file outside the inbox was read and hashed.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import REAL_TEXT_DUMP, SYNTHETIC, flat
from tests.reliability.inbox_runs import Place, current_versions, etl, marts

LONG = (
    "市工信局关于二〇二四年政府工作报告重点任务第三季度完成情况及下"
    "一步工作安排的报告附件一任务清单与责任分工修订稿终版定稿请审阅全文.txt"
)  # 64 Chinese characters, 196 bytes


def second_version() -> bytes:
    """The real report re-sent with one 落实情况 changed and no （修订）: a second version of 2024 Q3."""
    text = REAL_TEXT_DUMP.read_text(encoding="utf-8")
    changed = text.replace("全市新增“小巨人”企业6户。", "全市新增“小巨人”企业7户（更正）。", 1)
    assert changed != text
    return changed.encode()


@pytest.fixture
def place(tmp_path_factory: pytest.TempPathFactory) -> Place:
    return Place(tmp_path_factory.mktemp("inbox"))


def poll(place: Place) -> str:
    result = etl(["poll"], place.env())
    assert result.returncode == 0, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    return flat(result.stdout)


def rebuild_gives_the_same_marts(place: Place) -> None:
    before = marts(place.warehouse)
    result = etl(["rebuild"], place.env())
    assert result.returncode == 0, (result.stdout[-2000:], result.stderr[-2000:])
    assert marts(place.warehouse) == before


def test_a_long_file_name_is_loaded_archived_and_replayed(place: Place) -> None:
    place.arrive(REAL_TEXT_DUMP, LONG)
    said = poll(place)
    assert f"{LONG}: loaded" in said
    assert list(place.inbox.iterdir()) == []
    [record] = place.archive.glob("??/*.json")
    assert json.loads(record.read_text(encoding="utf-8"))["arrivals"][0]["name"] == LONG
    place.arrive(SYNTHETIC[0], SYNTHETIC[0].name)
    assert f"{SYNTHETIC[0].name}: loaded" in poll(place)  # the inbox goes on
    assert list(place.inbox.iterdir()) == []
    rebuild_gives_the_same_marts(place)
    assert (place.root / "w.duckdb").exists() and any(LONG in str(row) for row in current_versions(place.warehouse))


def test_rebuild_replays_in_arrival_order_not_modification_time(place: Place) -> None:
    place.arrive(REAL_TEXT_DUMP, "2024Q3_v1.txt")
    poll(place)
    place.arrive(second_version(), "2024Q3_v2.txt", age_days=400)  # `cp -p` of a file made long ago
    poll(place)
    assert [row[3] for row in current_versions(place.warehouse)] == ["2024Q3_v2.txt"]
    rebuild_gives_the_same_marts(place)
    assert [row[3] for row in current_versions(place.warehouse)] == ["2024Q3_v2.txt"]


def test_links_archive_their_bytes_and_links_leaving_the_inbox_are_refused(place: Place) -> None:
    elsewhere = place.root / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "report.txt"
    target.write_bytes(REAL_TEXT_DUMP.read_bytes())
    secret = elsewhere / "secret.txt"
    secret.write_text("a file the inbox must not read\n", encoding="utf-8")
    place.arrive(SYNTHETIC[0], "q1.txt")
    (place.inbox / "linked.txt").symlink_to(place.inbox / "q1.txt")  # inside the inbox: its bytes are archived
    (place.inbox / "outside.txt").symlink_to(target)
    (place.inbox / "shadow.txt").symlink_to(secret)
    result = etl(["poll"], place.env())
    said = flat(result.stdout)
    assert result.returncode == 1 and "Traceback" not in result.stderr  # the refused links fail the run
    assert "outside.txt: failed" in said and "outside the inbox" in said and "linked.txt: loaded" in said
    assert list(place.inbox.iterdir()) == []
    assert not [p for p in place.archive.rglob("*") if p.is_symlink()]
    notes = [json.loads(p.read_text(encoding="utf-8")) for p in place.quarantine.glob("*.error.json")]
    assert sorted(n["file"] for n in notes) == ["outside.txt", "shadow.txt"]
    assert all(n["sha256"] is None for n in notes)  # never read, never hashed
    target.unlink()  # a link archived as a link lost its report here before
    rebuild_gives_the_same_marts(place)
