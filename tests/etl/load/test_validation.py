from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from etl.load.schema import apply_schema
from etl.load.validation import record_validations
from etl.load.warehouse import connect
from etl.models import Report
from etl.validate import ExpectationResult, QualityGate, ValidationOutcome
from tests.conftest import SQL_DIR, load_report, validate_history, validate_report


@pytest.fixture(scope="module")
def gate() -> QualityGate:
    return QualityGate()


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(tmp_path / "warehouse.duckdb") as conn:
        apply_schema(conn, SQL_DIR)
        yield conn


def _with_phone(report: Report, phone: str) -> Report:
    rows = list(report.rows)
    rows[0] = rows[0].model_copy(update={"phone": phone})
    return Report(meta=report.meta, raw=report.raw, rows=tuple(rows))


def _outcome(*results: ExpectationResult) -> ValidationOutcome:
    return ValidationOutcome(
        results=results, started_at=datetime.now(UTC), seconds=0.1, data_docs=Path("docs/index.html")
    )


def _result(severity: str, success: bool, observed: object) -> ExpectationResult:
    return ExpectationResult(
        suite="report_rows",
        expectation="expect_column_values_to_match_regex",
        column="phone",
        severity="critical" if severity == "critical" else "warning",
        description="phone number of the expected shape",
        success=success,
        observed=observed,
    )


def record_validation(
    conn: duckdb.DuckDBPyConnection, run_id: str, report: Report | None, outcome: ValidationOutcome
) -> str:
    """One validation recorded in its own transaction, as a run records a batch's."""
    conn.execute("begin transaction")
    [validation_id] = record_validations(conn, run_id, [(report, outcome)])
    conn.execute("commit")
    return validation_id


def _open_warnings(conn: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return conn.execute(
        "select quarter, report_id, suite, column_name, observed_value from mart.open_warnings order by suite"
    ).fetchall()


def test_a_validation_is_recorded_with_every_result(warehouse: duckdb.DuckDBPyConnection, real_report: Report) -> None:
    outcome = _outcome(
        _result("critical", False, {"unexpected_count": 1, "values": ["<p>"]}),
        _result("warning", False, {"unexpected_count": 1, "values": ["12345"]}),
        _result("warning", True, {"unexpected_count": 0}),
    )
    validation_id = record_validation(warehouse, "run-1", real_report, outcome)
    run = warehouse.execute(
        "select run_id, report_id, file_name, issuer, year, quarter, suites, success, critical_failures, warnings,"
        " data_docs from ops.validation_run where validation_id = ?",
        [validation_id],
    ).fetchone()
    assert run == (
        "run-1",
        real_report.raw.source_sha256,
        real_report.raw.source_file,
        "市工信局",
        2024,
        3,
        ["report_rows"],
        False,
        1,
        1,
        str(Path("docs/index.html")),
    )
    results = warehouse.execute(
        "select severity, success, observed_value from ops.validation_result where validation_id = ? order by all",
        [validation_id],
    ).fetchall()
    assert [(severity, success) for severity, success, _ in results] == [
        ("critical", False),
        ("warning", False),
        ("warning", True),
    ]
    assert json.loads(results[0][2]) == {"unexpected_count": 1, "values": ["<p>"]}


def test_warehouse_wide_checks_are_recorded_without_a_report(warehouse: duckdb.DuckDBPyConnection) -> None:
    validation_id = record_validation(warehouse, "run-1", None, _outcome(_result("critical", True, {})))
    row = warehouse.execute(
        "select report_id, file_name, success from ops.validation_run where validation_id = ?", [validation_id]
    ).fetchone()
    assert row == (None, None, True)


def test_observed_values_reach_duckdb_as_parameters(warehouse: duckdb.DuckDBPyConnection, real_report: Report) -> None:
    hostile = "'); drop table ops.validation_run; --"
    record_validation(warehouse, "run-1", real_report, _outcome(_result("warning", False, {"values": [hostile]})))
    stored = warehouse.execute("select observed_value from ops.validation_result").fetchone()
    assert stored is not None and json.loads(stored[0]) == {"values": [hostile]}


def test_warnings_of_a_loaded_report_are_listed_as_open(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    report = _with_phone(real_report, "12345")
    outcome = validate_report(gate, report).merge(validate_history(gate, warehouse, report))
    assert outcome.passed_critical and len(outcome.warnings) == 1
    record_validation(warehouse, "run-1", report, outcome)
    load_report(warehouse, report)
    [(quarter, report_id, suite, column, observed)] = _open_warnings(warehouse)
    assert (quarter, report_id, suite, column) == (3, real_report.raw.source_sha256, "report_rows", "phone")
    assert json.loads(observed)["values"] == ["12345"]


def test_a_later_validation_that_passes_closes_the_warning(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    report = _with_phone(real_report, "12345")
    record_validation(warehouse, "run-1", report, validate_report(gate, report))
    load_report(warehouse, report)
    assert len(_open_warnings(warehouse)) == 1
    passing = _outcome(_result("warning", True, {"unexpected_count": 0}))
    record_validation(warehouse, "run-2", report, passing)
    assert _open_warnings(warehouse) == []


def test_warnings_of_superseded_or_quarantined_reports_are_not_open(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    original = _with_phone(real_report, "12345")
    record_validation(warehouse, "run-1", original, validate_report(gate, original))
    load_report(warehouse, original)
    revised = Report(
        meta=real_report.meta.model_copy(update={"revision_label": "修订"}),
        raw=real_report.raw.model_copy(update={"source_sha256": "revised", "source_file": "revised.txt"}),
        rows=real_report.rows,
    )
    record_validation(warehouse, "run-2", revised, validate_report(gate, revised))
    assert load_report(warehouse, revised).outcome == "loaded"
    quarantined = Report(
        meta=real_report.meta.model_copy(update={"quarter": 4}),
        raw=real_report.raw.model_copy(update={"source_sha256": "bad", "source_file": "bad.txt"}),
        rows=_with_phone(real_report, "1").rows,
    )
    record_validation(warehouse, "run-2", quarantined, validate_report(gate, quarantined))  # warned, not loaded
    assert _open_warnings(warehouse) == []
