"""Random arrivals in the inbox, then `etl rebuild`: the rebuilt marts are the polls' marts (issue 22, "what it must
show").

Each example is a sequence of polls; before each, one to three files arrive: good reports (the real one and the
synthetic history), a second version of the real one without （修订）, a version that drops two tasks (refused), a
file that is not a report, a copy of an earlier arrival (same bytes, another name or the same), any of them under a
64-character Chinese name or with a modification time 400 days old, a link to another arrival in the inbox, a link to
a file outside it (refused). Each poll runs the library's poll (what `etl poll` runs); then the warehouse is moved
aside and the archive replayed as `etl rebuild` does (etl.load.rebuild). Every mart view must be identical, row for
row (times and run ids aside).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.load.rebuild import accepted_drops, move_aside, replay_files
from etl.load.versions import DroppedTasksAccepted
from etl.pipeline import RunOptions, inbox_poll, run_context, run_pipeline
from etl.settings import get_settings
from tests.conftest import REAL_TEXT_DUMP, SYNTHETIC
from tests.reliability.inbox_runs import Place, marts
from tests.reliability.test_versions import changed_version, without_last_tasks

LONG = (  # 64 Chinese characters: with the poll and arrival numbers and .txt, over 190 bytes
    "市工信局关于二〇二四年政府工作报告重点任务第三季度完成情况及下一"
    "步工作安排的报告附件一任务清单与责任分工修订稿请审阅全文定稿附件"
)

CONTENTS: dict[str, bytes] = {
    **{path.stem: path.read_bytes() for path in [REAL_TEXT_DUMP, *SYNTHETIC]},
    "second_version": changed_version().encode(),
    "drops_tasks": without_last_tasks().encode(),
    "not_a_report": "会议纪要\n这不是任务完成情况表。\n".encode(),
}


@dataclass(frozen=True)
class Arrival:
    content: str  # a key of CONTENTS, or "copy" (of an earlier arrival), "link" (to another arrival of the poll)
    long_name: bool
    old: bool
    outside_link: bool


arrivals = st.builds(
    Arrival,
    content=st.sampled_from([*CONTENTS, "copy", "link"]),
    long_name=st.booleans(),
    old=st.booleans(),
    outside_link=st.sampled_from([False, False, False, True]),
)
polls = st.lists(st.lists(arrivals, min_size=1, max_size=3), min_size=1, max_size=4)


def _deliver(place: Place, poll: list[Arrival], number: int, sent: list[bytes]) -> None:
    """Put one poll's arrivals into the inbox (names unique within the poll)."""
    placed: list[Path] = []
    for index, arrival in enumerate(poll):
        stem = f"{LONG}{number}{index}" if arrival.long_name else f"p{number}_{index}"
        if arrival.outside_link:
            outside = place.root / "outside" / f"{stem}.txt"
            outside.parent.mkdir(exist_ok=True)
            outside.write_bytes(CONTENTS[REAL_TEXT_DUMP.stem])
            (place.inbox / f"{stem}_out.txt").symlink_to(outside)
            continue
        if arrival.content == "link" and placed:
            (place.inbox / f"{stem}_link.txt").symlink_to(placed[0])
            continue
        data = sent[index % len(sent)] if arrival.content == "copy" and sent else CONTENTS.get(arrival.content)
        data = data if data is not None else CONTENTS[REAL_TEXT_DUMP.stem]
        placed.append(place.arrive(data, f"{stem}.txt", age_days=400 if arrival.old else 0))
        sent.append(data)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=polls)
def test_rebuild_gives_the_marts_the_polls_made(
    tmp_path_factory: pytest.TempPathFactory, sequence: list[list[Arrival]]
) -> None:
    root = tmp_path_factory.mktemp("property")
    place = Place(root)
    place.inbox.mkdir()
    setting = get_settings(
        warehouse=place.warehouse, inbox_dir=place.inbox, archive_dir=place.archive,
        quarantine_dir=place.quarantine, settle_seconds=0, data_docs_dir=None, report_file=root / "r.html",
    )  # fmt: skip
    options = RunOptions(write_report=False, gate_in_worker=False)
    sent: list[bytes] = []
    for number, poll in enumerate(sequence):
        _deliver(place, poll, number, sent)
        inbox_poll(run_context(setting, options))
        assert list(place.inbox.iterdir()) == [], "every arrival was archived or quarantined"
    if not place.warehouse.exists():
        return  # nothing was ever loaded (only refused files)
    polled = marts(place.warehouse)
    replay = RunOptions(write_report=False, gate_in_worker=False, rebuild=True,
                        accept_dropped=DroppedTasksAccepted(files=accepted_drops(place.archive)))  # fmt: skip
    with replay_files(place.archive) as files:
        if not files:  # only refused arrivals: `etl rebuild` refuses an empty archive (exit 2) and moves nothing
            return
        move_aside(place.warehouse)
        summary = run_pipeline(files, run_context(setting, replay))
    assert not summary.failed, [f.message for f in summary.failed]
    assert marts(place.warehouse) == polled
