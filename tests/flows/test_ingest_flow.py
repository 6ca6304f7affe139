"""End to end: the real Prefect flow into a temporary warehouse, checked through the contract views."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl.flows.ingest import RejectedFiles, ingest_report, ingest_reports, summary_of
from etl.inbox import archived_records
from etl.load.warehouse import connect
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
            "select tasks, tasks_completed, completion_rate from mart.quarterly_completion"
        ).fetchall()
        assert overall == [(17, 15, 0.8824)]
        by_office = dict(
            conn.execute(
                "select lead_office, tasks_completed || '/' || tasks from mart.office_quarterly_completion"
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
    state = ingest_reports([str(inbox)], str(warehouse), return_state=True)
    # Issue 13: the run ends Failed, naming the rejected files, after the good file was loaded and published.
    assert state.is_failed()
    assert state.message == "2 of 3 file(s) rejected: broken.pdf, no_quarter.txt"
    summary = summary_of(state)
    assert summary.published
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
    state = ingest_report(str(REAL_TEXT_DUMP), str(warehouse), return_state=True)
    assert state.is_completed()
    again = summary_of(state)
    assert [(f.outcome, f.rows) for f in again.files] == [("unchanged", 0)]
    assert again.task_rows_in_warehouse == 34 and not again.published


def test_a_report_failing_the_quality_gate_is_not_loaded_and_the_reasons_are_kept(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    lines = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
    cells = lines[6].split("\t")
    cells[8] += "&lt;p&gt;"  # escaped markup survives cleaning as a literal <p>: a critical expectation
    lines[6] = "\t".join(cells)
    (inbox / "markup.txt").write_text("\n".join(lines), encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    with pytest.raises(RejectedFiles) as rejected:
        ingest_reports([str(inbox)], str(warehouse))
    summary = rejected.value.summary
    assert [(f.file, f.outcome) for f in summary.files] == [("markup.txt", "failed")]
    assert "quality gate failed" in (summary.files[0].message or "")
    with connect(warehouse, read_only=True) as conn:
        for table in ("raw.source_file", "raw.extracted_cell", "core.report", "core.task_row", "core.metric"):
            assert conn.execute(f"select count(*) from {table}").fetchone() == (0,), table
        failing = conn.execute(
            "select severity, column_name, observed_value from ops.validation_result "
            "where not success and file_name = 'markup.txt'"
        ).fetchall()
        assert failing and all(severity == "critical" for severity, _, _ in failing)
        assert any(column == "progress_text" and "<p>" in observed for _, column, observed in failing)
    assert summary.data_docs.endswith("index.html") and Path(summary.data_docs).exists()


def test_poll_inbox_archives_good_files_quarantines_bad_ones_and_leaves_unsettled_ones(tmp_path: Path) -> None:
    import os
    import time

    from etl.flows.ingest import poll_inbox

    inbox, archive, quarantine = tmp_path / "inbox", tmp_path / "archive", tmp_path / "quarantine"
    inbox.mkdir()
    old = time.time() - 120
    for name, data in (("q3.txt", REAL_TEXT_DUMP.read_bytes()), ("bad.pdf", b"not a pdf")):
        (inbox / name).write_bytes(data)
        os.utime(inbox / name, (old, old))
    (inbox / "copying.txt").write_bytes(REAL_TEXT_DUMP.read_bytes())  # just written: not settled yet
    warehouse = tmp_path / "w.duckdb"
    state = poll_inbox(str(inbox), str(archive), str(quarantine), str(warehouse), settle_seconds=30, return_state=True)
    assert state.is_failed() and state.message == "1 of 2 file(s) rejected: bad.pdf"
    summary = summary_of(state)
    assert sorted((f.file, f.outcome) for f in summary.files) == [("bad.pdf", "failed"), ("q3.txt", "loaded")]
    assert [p.name for p in inbox.iterdir()] == ["copying.txt"]
    [record] = archived_records(archive)  # the bytes by hash, the name it arrived with in the record
    assert record.first.name == "q3.txt" and record.path.read_bytes() == REAL_TEXT_DUMP.read_bytes()
    assert (quarantine / "bad.pdf").exists()
    assert "not a PDF" in (quarantine / "bad.pdf.error.json").read_text(encoding="utf-8")
    # The next poll picks up the settled file; it has the same bytes as q3.txt, so it is unchanged and archived once.
    os.utime(inbox / "copying.txt", (old, old))
    again = poll_inbox(str(inbox), str(archive), str(quarantine), str(warehouse), settle_seconds=30)
    assert [(f.file, f.outcome) for f in again.files] == [("copying.txt", "unchanged")]
    assert list(inbox.iterdir()) == []


def test_poll_inbox_without_folders_takes_them_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flow's folders default to None, meaning the setting: before, they defaulted to data/inbox and friends,
    which overrode ETL_INBOX_DIR (issue 24)."""
    from etl.flows.ingest import poll_inbox

    for name in ("inbox", "archive", "quarantine"):
        monkeypatch.setenv(f"ETL_{name.upper()}_DIR", str(tmp_path / name))
    monkeypatch.setenv("ETL_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("ETL_SETTLE_SECONDS", "0")
    monkeypatch.setenv("ETL_REPORT_FILE", str(tmp_path / "report.html"))
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "q3.txt").write_bytes(REAL_TEXT_DUMP.read_bytes())
    summary = poll_inbox()
    assert [(f.file, f.outcome) for f in summary.files] == [("q3.txt", "loaded")]
    assert list((tmp_path / "inbox").iterdir()) == []
    [record] = archived_records(tmp_path / "archive")
    assert record.first.name == "q3.txt" and summary.warehouse == str(tmp_path / "w.duckdb")


def test_the_run_artifact_links_the_report_and_data_docs_by_absolute_file_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    monkeypatch.chdir(tmp_path)  # relative settings (data/report.html) must still become absolute links
    monkeypatch.setenv("ETL_REPORT_FILE", "out/report.html")
    state = ingest_report(str(REAL_TEXT_DUMP), "w.duckdb", return_state=True)
    assert state.is_completed()
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)  # type: ignore[arg-type]
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["ingest-summary"]), flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])
            )
        )
    (markdown,) = [str(a.data) for a in artifacts]
    report = (tmp_path / "out" / "report.html").resolve()
    assert f"(<{report.as_uri()}>)" in markdown and report.as_uri().startswith("file:///")
    assert "Data Docs: [" in markdown and "(<file:///" in markdown.split("Data Docs: [", 1)[1]


def test_each_step_of_a_flow_run_is_a_prefect_task_named_as_the_library_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The library names each step once (etl.pipeline.run.Steps); a flow hands it one hook that makes each step a
    task (issue 24: the steps were written four times, Prefect plugging in by subclassing). The task runs of a real
    flow run are the steps, by those names."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    monkeypatch.setenv("ETL_REPORT_FILE", str(tmp_path / "report.html"))
    state = ingest_report(str(REAL_TEXT_DUMP), str(tmp_path / "w.duckdb"), return_state=True)
    assert state.is_completed()
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
        )
    assert {run.name.rsplit("-", 1)[0] for run in task_runs} == {
        "check-warehouse",
        "hash-files",
        "read-and-parse",
        "prepare-warehouse",
        "gate-and-load",
        "check-published",
        "data-docs-and-report",
    }


def test_the_hook_makes_each_step_one_task_with_its_retries() -> None:
    from prefect import Task

    from etl.flows.ingest import step_task
    from etl.pipeline.gate_and_load import load_batch
    from etl.pipeline.run import check

    checked = step_task("check-warehouse", check)
    assert isinstance(checked, Task) and checked.name == "check-warehouse" and checked.retries == 3
    assert step_task("check-warehouse", check) is checked  # one Task object per step, not one per call
    assert step_task("gate-and-load", load_batch).retries == 0  # a batch is committed round by round: no retry
