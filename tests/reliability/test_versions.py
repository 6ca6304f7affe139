"""A cut-off file, a version that drops tasks, a second version without （修订） (issue 22, defects 2 and 12).

Before issue 22 the real report's text dump cut at 90 % of its bytes (mid-cell, no final line end, an unclosed
``<p>``) loaded with exit 0 and no warning and became the current 2024 Q3 with 15 of its 17 tasks; any new version
replaced the current one silently, whatever it dropped or changed.

Now: the cut dump is refused for its signs; a version that drops tasks of the version it would replace is refused
naming them, and the current version stays, in every case (cut or not, re-issue or not) unless the run accepts the
drop (``--accept-dropped-tasks``); a version without （修订） that replaces the current one is loaded with a warning
naming what changed, in mart.open_warnings and the run's summary.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.errors import ReportError
from etl.extract.text_dump import parse_text_dump
from etl.load.versions import DroppedTasksAccepted
from etl.pipeline import RunOptions, RunSummary, run_context, run_pipeline
from etl.settings import get_settings
from tests.conftest import REAL_TEXT_DUMP, flat
from tests.reliability.inbox_runs import Place, current_versions, etl, marts

TEXT = REAL_TEXT_DUMP.read_text(encoding="utf-8")
LAST_TWO = ("30", "31")  # the real report's last tasks: 30 (碳达峰) and 31 (能效“领跑者”)


def cut(fraction: float) -> bytes:
    """The real dump cut at ``fraction`` of its bytes (at a character boundary), as a stopped copy leaves it."""
    data = REAL_TEXT_DUMP.read_bytes()
    return data[: int(len(data) * fraction)].decode("utf-8", "ignore").encode("utf-8")


def without_last_tasks() -> str:
    """The real dump without its last two tasks, well formed (ends on a complete row and a line end)."""
    lines = TEXT.split("\n")
    first = next(i for i, line in enumerate(lines) if line.split("\t")[0] == LAST_TWO[0])
    return "\n".join(lines[:first]).rstrip("\n") + "\n"


def changed_version(revision: bool = False) -> str:
    text = TEXT.replace("全市新增“小巨人”企业6户。", "全市新增“小巨人”企业7户（更正）。", 1)
    return text.replace("三季度完成情况", "三季度完成情况（修订）", 1) if revision else text


def run(folder: Path, files: list[Path], accept: DroppedTasksAccepted | None = None) -> RunSummary:
    settings = get_settings(warehouse=folder / "w.duckdb", data_docs_dir=None, report_file=folder / "r.html")
    options = RunOptions(write_report=False, accept_dropped=accept or DroppedTasksAccepted())
    return run_pipeline(files, run_context(settings, options))


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def task_count(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        row = conn.execute("select count(distinct task_no) from mart.task_progress where year = 2024").fetchone()
    assert row is not None
    return int(row[0])


def test_the_real_dump_cut_at_90_percent_is_refused_for_its_signs() -> None:
    with pytest.raises(ReportError) as caught:
        parse_text_dump(cut(0.9), "cut.txt")
    message = str(caught.value)
    assert "<p> opened and not closed" in message and "looks cut off" in message and "line " in message
    parse_text_dump(REAL_TEXT_DUMP.read_bytes(), "whole.txt")  # the whole file has no final line end either


def test_a_dump_ending_inside_a_tag_or_missing_its_last_row_is_refused() -> None:
    lines = TEXT.split("\n")
    with pytest.raises(ReportError, match="a tag cut off inside"):
        parse_text_dump(("\n".join(lines) + " <p").encode(), "tag.txt")
    with pytest.raises(ReportError, match=r"after 1 row\(s\) of its last task"):
        parse_text_dump("\n".join(lines[:-1]).encode(), "half_task.txt")  # task 31 without its 施工图 row


def test_a_version_that_drops_tasks_is_refused_and_the_current_one_stays(tmp_path: Path) -> None:
    assert run(tmp_path, [REAL_TEXT_DUMP]).counts() == {"loaded": 1}
    before = marts(tmp_path / "w.duckdb")
    for name, content in [
        ("cut_clean.txt", without_last_tasks()),  # no sign of a cut: only the drop shows it
        ("cut_revision.txt", without_last_tasks().replace("三季度完成情况", "三季度完成情况（修订）", 1)),
    ]:
        summary = run(tmp_path, [write(tmp_path, name, content)])
        [outcome] = summary.files
        assert outcome.outcome == "failed", outcome
        message = flat(outcome.message or "")
        assert f"{name}: not loaded: this version of 市工信局 2024 三季度 would replace the current one" in message
        assert "drops 2 of its 17 tasks: task 30 (" in message and "task 31 (实施能效“领跑者”行动" in message
        assert "--accept-dropped-tasks" in message
        assert marts(tmp_path / "w.duckdb") == before  # nothing of it was loaded


def test_an_accepted_drop_becomes_current_with_a_warning_naming_the_tasks(tmp_path: Path) -> None:
    run(tmp_path, [REAL_TEXT_DUMP])
    summary = run(tmp_path, [write(tmp_path, "withdrawn.txt", without_last_tasks())], DroppedTasksAccepted(True))
    assert summary.counts() == {"loaded": 1} and summary.files[0].accepted_drops == [30, 31]
    assert [row[3] for row in current_versions(tmp_path / "w.duckdb")] == ["withdrawn.txt"]
    assert task_count(tmp_path / "w.duckdb") == 15
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        [(description, observed)] = conn.execute(
            "select description, observed_value from mart.open_warnings where suite = 'history_versions'"
        ).fetchall()
    assert "tasks 30, 31 dropped (accepted)" in description and '"dropped": [30, 31]' in observed


def test_a_second_version_without_revision_is_loaded_with_a_warning_naming_what_changed(tmp_path: Path) -> None:
    run(tmp_path, [REAL_TEXT_DUMP])
    summary = run(tmp_path, [write(tmp_path, "again.txt", changed_version())])
    [outcome] = summary.files
    assert outcome.outcome == "loaded" and outcome.warnings >= 1
    assert outcome.message and "a second version without （修订） replaces the current one" in outcome.message
    assert "task 1: 落实情况" in outcome.message and REAL_TEXT_DUMP.name in outcome.message
    assert summary.open_warnings >= 1
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            "select source_file, observed_value from mart.open_warnings where suite = 'history_versions'"
        ).fetchall()
    assert [row[0] for row in rows] == ["again.txt"] and "task 1: 落实情况" in rows[0][1]
    revised = run(tmp_path, [write(tmp_path, "revised.txt", changed_version(revision=True))])
    assert revised.files[0].outcome == "loaded" and not revised.files[0].message  # a re-issue says so itself


def test_accepted_drops_are_replayed_by_rebuild(tmp_path: Path) -> None:
    place = Place(tmp_path)
    place.arrive(REAL_TEXT_DUMP, "v1.txt")
    assert etl(["poll"], place.env()).returncode == 0
    place.arrive(without_last_tasks().encode(), "v2.txt")
    refused = etl(["poll"], place.env())
    assert refused.returncode == 1 and "drops 2 of its 17 tasks" in flat(refused.stdout)
    (place.quarantine / "v2.txt").rename(place.inbox / "v2.txt")  # confirmed by the sender: send it again
    accepted = etl(["poll", "--accept-dropped-tasks"], place.env())
    assert accepted.returncode == 0 and "v2.txt: loaded" in flat(accepted.stdout)
    before = marts(place.warehouse)
    assert etl(["rebuild"], place.env()).returncode == 0
    assert marts(place.warehouse) == before and task_count(place.warehouse) == 15
