"""What a new user tripped on (issue 23, item 3), each as the user met it through `etl`."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from etl.flows.cli import app
from tests.conftest import flat

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
