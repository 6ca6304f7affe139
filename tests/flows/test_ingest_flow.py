"""End to end: the real Prefect flow into a temporary warehouse, checked through the contract views."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl.load.warehouse import connect
from flows.ingest import ingest_report, ingest_reports
from tests.conftest import REAL_TEXT_DUMP

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]


def test_the_flow_loads_the_real_report_and_the_views_answer(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    summary = ingest_report(str(REAL_TEXT_DUMP), str(warehouse))
    assert [f.outcome for f in summary.files] == ["loaded"]
    assert (summary.reports_in_warehouse, summary.tasks_in_warehouse, summary.task_rows_in_warehouse) == (
        1,
        17,
        34,
    )
    with connect(warehouse, read_only=True) as conn:
        row = conn.execute(
            "select issuer, year, quarter, task_title, lead_office, responsible_units, status, source_file "
            "from mart.task_progress where task_no = 22 and plan_type = 'roadmap'"
        ).fetchone()
        assert row == (
            "市工信局",
            2024,
            3,
            "健全拖欠中小企业账款常态化预防和清理机制",
            "中小办",
            ["市经济和信息化局", "市财政局(市国资委)"],
            "in_progress",
            REAL_TEXT_DUMP.name,
        )
        overall = conn.execute(
            "select tasks, tasks_completed, completion_rate from mart.quarterly_completion where lead_office is null"
        ).fetchall()
        assert overall == [(17, 15, 0.8824)]
        by_office = dict(
            conn.execute(
                "select lead_office, tasks_completed || '/' || tasks from mart.quarterly_completion "
                "where lead_office is not null"
            ).fetchall()
        )
        assert by_office["中小办"] == "2/4"  # tasks 19 and 22 are still in progress
        assert by_office["节能科"] == "3/3"


def test_a_bad_file_is_reported_and_the_others_are_loaded(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(REAL_TEXT_DUMP, inbox / "good.txt")
    (inbox / "broken.pdf").write_bytes(b"this is not a pdf")
    (inbox / "no_quarter.txt").write_text(
        REAL_TEXT_DUMP.read_text(encoding="utf-8").replace("三季度完成情况", "完成情况"), encoding="utf-8"
    )
    warehouse = tmp_path / "w.duckdb"
    summary = ingest_reports([str(inbox)], str(warehouse))
    outcomes = {f.file: f.outcome for f in summary.files}
    assert outcomes == {"broken.pdf": "failed", "good.txt": "loaded", "no_quarter.txt": "failed"}
    messages = {f.file: f.message for f in summary.failed}
    assert messages["broken.pdf"] == "broken.pdf: named .pdf but is not a PDF (no %PDF header)"
    assert "no_quarter.txt: page 1: title" in (messages["no_quarter.txt"] or "")
    with connect(warehouse, read_only=True) as conn:
        recorded = conn.execute("select file_name, outcome from ops.ingest_file order by file_name").fetchall()
        assert recorded == [("broken.pdf", "failed"), ("good.txt", "loaded"), ("no_quarter.txt", "failed")]
        assert conn.execute("select count(*) from core.report").fetchone() == (1,)


def test_a_second_run_over_the_same_files_is_a_no_op(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    ingest_report(str(REAL_TEXT_DUMP), str(warehouse))
    again = ingest_report(str(REAL_TEXT_DUMP), str(warehouse))
    assert [(f.outcome, f.rows) for f in again.files] == [("unchanged", 0)]
    assert again.task_rows_in_warehouse == 34
