"""Trap: the warning for a task title that changed within the year read "task title unchanged within the year"."""

from __future__ import annotations

from pathlib import Path

from etl.extract.source import read_source
from etl.load.warehouse import connect
from etl.parse.report import parse_report
from etl.validate import QualityGate
from etl.validate.suites import HISTORY_TITLES
from tests.conftest import REAL_TEXT_DUMP, SAMPLES, build_warehouse, validate_history


def test_a_changed_title_is_reported_as_changed(tmp_path: Path) -> None:
    # Synthetic 2024 Q2 names task 23 新增规上工业企业260户以上 as the real Q3 does; Q1 said 250户以上.
    warehouse = tmp_path / "w.duckdb"
    build_warehouse(warehouse, [SAMPLES / "2024Q1_市工信局_synthetic.txt"])
    report = parse_report(read_source(REAL_TEXT_DUMP))
    report = report.model_copy(update={"meta": report.meta.model_copy(update={"quarter": 2})})
    with connect(warehouse) as conn:
        outcome = validate_history(QualityGate(), conn, report)
    [result] = [r for r in outcome.results if r.suite == HISTORY_TITLES]
    assert not result.success
    assert result.description == "task title changed within the year (expected: unchanged)"
    assert [row["task_no"] for row in result.observed["rows"]] == [23]
    assert "warning: task title changed within the year" in result.describe()
