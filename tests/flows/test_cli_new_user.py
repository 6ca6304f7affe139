"""What a new user tripped on (issue 23, item 3), each as the user met it through `etl`."""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.flows.cli import app
from etl.load.warehouse import connect
from tests.conftest import REAL_TEXT_DUMP, flat

runner = CliRunner()


def test_report_leads_with_the_period_asked_for(sample_warehouse: Path, tmp_path: Path) -> None:
    """`etl report --period 2024Q2`: the page leads with that period (periods are general: 2024H1, 2024M11 …); one
    not loaded is refused naming the periods that are; a malformed one is a usage error."""
    out = tmp_path / "q2.html"
    chosen = runner.invoke(app, ["report", "-w", str(sample_warehouse), "--period", "2024Q2", "--out", str(out)])
    assert chosen.exit_code == 0, chosen.output
    assert "政府工作报告任务完成情况 · 2024年二季度（合成）</h1>" in out.read_text(encoding="utf-8")
    latest = runner.invoke(app, ["report", "-w", str(sample_warehouse), "--out", str(tmp_path / "latest.html")])
    assert latest.exit_code == 0 and "· 2024年三季度</h1>" in (tmp_path / "latest.html").read_text(encoding="utf-8")

    missing = runner.invoke(app, ["report", "-w", str(sample_warehouse), "--period", "2024Q4", "--out", str(out)])
    assert missing.exit_code == 1
    assert "no current report for 2024 ending in month 12" in flat(missing.output)
    loaded = "2023年三季度（合成）、2024年一季度（合成）、2024年二季度（合成）、2024年三季度"
    assert f"periods loaded: {loaded}" in flat(missing.output)
    malformed = runner.invoke(app, ["report", "-w", str(sample_warehouse), "--period", "2024Q5", "--out", str(out)])
    assert malformed.exit_code == 2 and "--period" in malformed.output


def test_bulletin_writes_the_period_asked_for_and_beside_the_warehouse_by_default(
    sample_warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bulletin.docx"
    done = runner.invoke(app, ["bulletin", "-w", str(sample_warehouse), "--period", "2024Q3", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "Bulletin of 市工信局 2024 三季度 (17 tasks, 0 target(s) behind)" in flat(done.output) and out.exists()
    warehouse = tmp_path / "copy" / "w.duckdb"
    warehouse.parent.mkdir()
    warehouse.write_bytes(sample_warehouse.read_bytes())
    beside = runner.invoke(app, ["bulletin", "-w", str(warehouse), "--period", "2024Q1", "--issuer", "市工信局"])
    assert beside.exit_code == 0, beside.output
    assert (warehouse.parent / "bulletin_市工信局_2024Q1.docx").exists()
    missing = runner.invoke(app, ["bulletin", "-w", str(warehouse), "--period", "2025Q1"])
    assert missing.exit_code == 1 and "error: no current report for 2025 ending in month 3" in flat(missing.output)
    wrong = runner.invoke(app, ["bulletin", "-w", str(warehouse), "--out", str(tmp_path / "b.pdf")])
    assert wrong.exit_code == 2 and "a bulletin is written as .docx, .md, .html" in flat(wrong.output)


def test_a_run_on_another_warehouse_writes_its_report_and_data_docs_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`etl ingest … -w other/w.duckdb` rewrote the default warehouse's report and Data Docs ("报告文件 0 份")."""
    for name in ("ETL_REPORT_FILE", "ETL_DATA_DOCS_DIR", "ETL_WAREHOUSE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    default_report, default_docs = Path("data/warehouse_report.html"), Path("data/warehouse_gx_docs/index.html")
    for path in (default_report, default_docs):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("the default warehouse's", encoding="utf-8")
    done = runner.invoke(app, ["ingest", str(REAL_TEXT_DUMP), "-w", "other/w.duckdb", "--no-prefect"])
    assert done.exit_code == 0, done.output
    assert (
        default_report.read_text(encoding="utf-8")
        == default_docs.read_text(encoding="utf-8")
        == ("the default warehouse's")
    )
    assert "报告文件 1 份" in Path("other/w_report.html").read_text(encoding="utf-8")
    assert Path("other/w_gx_docs/index.html").is_file()
    assert "w_report.html" in done.output.replace("\n", "")


def etl(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`etl …` as a real process whose output is a pipe, not a terminal (a script, a CI log, `| less`)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "ETL_WAREHOUSE", "PREFECT_API_URL")}
    binary = Path(sys.executable).parent / "etl"
    return subprocess.run([str(binary), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


QUERY = (
    "select task_no, task_title, responsible_units, status from mart.task_history "
    "where year = 2024 and quarter = 3 and task_no in (4, 19) order by task_no"
)


def test_sql_output_is_never_cut_when_not_a_terminal_and_comes_in_four_formats(sample_warehouse: Path) -> None:
    """`etl sql` cut columns to the terminal's width ("in_p…") even into a file."""
    with connect(sample_warehouse, read_only=True) as conn:
        rows = conn.execute(QUERY).fetchall()
    title_19 = rows[1][1]
    assert len(title_19) > 40
    table = etl("sql", QUERY, "-w", str(sample_warehouse))
    assert table.returncode == 0, table.stderr
    assert title_19 in table.stdout and "in_progress" in table.stdout and "…" not in table.stdout
    assert "市经济和信息化局, 安庆石化, 安庆高新区管委会" in table.stdout

    as_csv = etl("sql", QUERY, "-w", str(sample_warehouse), "--format", "csv")
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [
        ["task_no", "task_title", "responsible_units", "status"],
        *[[str(n), t, ", ".join(u), s] for n, t, u, s in rows],
    ]
    as_json = etl("sql", QUERY, "-w", str(sample_warehouse), "--format", "json")
    assert json.loads(as_json.stdout) == [
        {"task_no": n, "task_title": t, "responsible_units": u, "status": s} for n, t, u, s in rows
    ]
    as_markdown = etl("sql", QUERY, "-w", str(sample_warehouse), "--format", "markdown").stdout.splitlines()
    assert as_markdown[0] == "| task_no | task_title | responsible_units | status |"
    assert as_markdown[2] == f"| 4 | {rows[0][1]} | {', '.join(rows[0][2])} | completed |"
    wrong = etl("sql", "select 1", "-w", str(sample_warehouse), "--format", "xml")
    assert wrong.returncode == 2 and "table, csv, json, markdown" in flat(wrong.stderr)


def test_the_try_hint_runs_as_printed_and_is_left_out_when_nothing_is_loaded(tmp_path: Path) -> None:
    other = tmp_path / "other" / "w.duckdb"
    done = etl("ingest", str(REAL_TEXT_DUMP), "-w", str(other), "--no-prefect", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    hint = next(line for line in done.stdout.splitlines() if line.startswith("Try: "))
    command = shlex.split(hint.removeprefix("Try: "))
    assert command[:2] == ["etl", "sql"] and command[-2:] == ["-w", str(other)]  # the warehouse it loaded
    again = etl(*command[1:], cwd=tmp_path)
    assert again.returncode == 0 and "quarterly_completion" not in again.stderr and "17" in again.stdout

    junk = tmp_path / "junk.txt"
    junk.write_text("not a report\n", encoding="utf-8")
    failed = etl("ingest", str(junk), "-w", str(tmp_path / "empty.duckdb"), "--no-prefect", cwd=tmp_path)
    assert failed.returncode == 1
    assert "Try:" not in failed.stdout and "error" not in failed.stdout.lower().replace("failed", "")
