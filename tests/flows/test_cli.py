"""The `etl` command as a user runs it (Typer's runner, real flows on the session's Prefect server)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.flows.cli import app
from tests.conftest import REAL_TEXT_DUMP, flat, run_etl

runner = CliRunner()


@pytest.mark.prefect
def test_ingest_prints_a_summary_and_exits_1_when_a_file_failed(tmp_path: Path, prefect_api_url: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(REAL_TEXT_DUMP, inbox / "q3.txt")
    warehouse = tmp_path / "w.duckdb"
    ok = run_etl(["ingest", str(inbox), "--warehouse", str(warehouse)], prefect_api_url)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "1 report file(s) (1 current), 17 tasks, 34 task rows" in flat(ok.stdout)
    assert "from mart.quarterly_completion" in flat(ok.stdout)

    (inbox / "bad.txt").write_text("not a report", encoding="utf-8")
    failed = run_etl(["ingest", str(inbox), "--warehouse", str(warehouse)], prefect_api_url)
    assert failed.returncode == 1
    assert "bad.txt: no table header" in flat(failed.stderr)
    assert "unchanged" in failed.stdout


def test_backfill_refuses_an_unknown_task_runner_before_reading_anything(tmp_path: Path) -> None:
    """The runner is parsed as one of the executors (etl.settings.Executor): another word exits 2 naming them."""
    warehouse = tmp_path / "w.duckdb"
    args = ["backfill", str(REAL_TEXT_DUMP), "--task-runner", "threads", "--warehouse", str(warehouse)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert all(word in flat(result.output) for word in ("'threads'", "'process'", "'dask'", "'serial'"))
    assert not warehouse.exists()


def test_ingest_of_a_missing_path_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2
    assert not (tmp_path / "w.duckdb").exists()


def test_warehouse_path_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = tmp_path / "env.duckdb"
    monkeypatch.setenv("ETL_WAREHOUSE", str(warehouse))
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert warehouse.exists()


def test_sql_is_read_only(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["init", "--warehouse", str(warehouse)]).exit_code == 0
    result = runner.invoke(app, ["sql", "select count(*) as n from mart.task_progress", "-w", str(warehouse)])
    assert result.exit_code == 0 and "0" in result.output
    write = runner.invoke(app, ["sql", "create table core.x (a int)", "-w", str(warehouse)])
    assert write.exit_code == 1
    assert "read-only" in write.output.lower()


def test_sql_on_a_missing_warehouse_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sql", "select 1", "-w", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "does not exist yet" in flat(result.output)


def test_check_shows_a_good_file_and_rejects_a_bad_one(tmp_path: Path) -> None:
    good = runner.invoke(app, ["check", str(REAL_TEXT_DUMP)])
    assert good.exit_code == 0
    assert "市工信局 2024 三季度 (to month 9), 17 tasks, 34 rows, 7 pages" in flat(good.output)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"<html>not a pdf</html>")
    rejected = runner.invoke(app, ["check", str(bad)])
    assert rejected.exit_code == 1
    assert "bad.pdf: named .pdf but is not a PDF" in flat(rejected.output)


def test_indicators_lists_catalog_use_and_unmatched_metrics(sample_warehouse: Path) -> None:
    env = {"COLUMNS": "250"}
    used = runner.invoke(app, ["indicators", "-w", str(sample_warehouse)], env=env)
    assert used.exit_code == 0
    assert "new_5g_base_stations" in used.output
    unmatched = runner.invoke(app, ["indicators", "--unmatched", "-w", str(sample_warehouse)], env=env)
    assert unmatched.exit_code == 0
    assert "5G疑难站址" in unmatched.output  # a figure no indicator takes yet
    assert "new_5g_base_stations" not in unmatched.output
