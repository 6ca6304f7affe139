"""Each expectation on a parsed report, fed the real report (passes) and bad data (fails with its severity)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from typing import Any

import pytest

from etl.models import Report, TaskRow
from etl.settings import PROJECT_ROOT
from etl.validate import ExpectationResult, QualityGate, ValidationOutcome
from etl.validate.frames import rows_frame
from etl.validate.suites import REPORT_HEADER, REPORT_ROWS, REPORT_TASKS, SUITES
from tests.conftest import validate_report


def _result(
    outcome: ValidationOutcome, suite: str, expectation: str, column: str | None, severity: str
) -> ExpectationResult:
    found = [
        r
        for r in outcome.results
        if (r.suite, r.expectation, r.column, r.severity) == (suite, f"expect_{expectation}", column, severity)
    ]
    assert len(found) == 1, f"no single {severity} {expectation}({column}) in {suite}"
    return found[0]


def _failed(outcome: ValidationOutcome, suite: str, expectation: str, column: str | None, severity: str) -> Any:
    """Assert that exactly this expectation failed with this severity; return what it observed."""
    result = _result(outcome, suite, expectation, column, severity)
    assert not result.success
    assert result in (outcome.failures if severity == "critical" else outcome.warnings)
    assert outcome.passed_critical is (severity == "warning")
    json.loads(result.observed_json)  # JSON-serialisable
    return result.observed


def _with_rows(report: Report, rows: list[TaskRow] | tuple[TaskRow, ...]) -> Report:
    return Report(meta=report.meta, raw=report.raw, rows=tuple(rows))


def _edit_row(report: Report, index: int, **changes: Any) -> Report:
    rows = list(report.rows)
    rows[index] = rows[index].model_copy(update=changes)
    return _with_rows(report, rows)


def _with_meta(report: Report, **changes: Any) -> Report:
    return Report(meta=report.meta.model_copy(update=changes), raw=report.raw, rows=report.rows)


def _with_task_count(report: Report, count: int) -> Report:
    pair = report.rows[:2]
    return _with_rows(report, [row.model_copy(update={"task_no": n}) for n in range(1, count + 1) for row in pair])


def test_the_real_report_passes_every_expectation(gate: QualityGate, real_report: Report) -> None:
    outcome = validate_report(gate, real_report)
    assert outcome.passed_critical and outcome.success
    assert outcome.failures == [] and outcome.warnings == []
    assert outcome.suites == (REPORT_ROWS, REPORT_TASKS, REPORT_HEADER)
    expected = sum(len(SUITES[s].expectations()) for s in outcome.suites)
    assert len(outcome.results) == expected
    assert {r.severity for r in outcome.results} == {"critical", "warning"}
    assert outcome.summary() == ""


def test_a_missing_required_column_is_critical(gate: QualityGate, real_report: Report) -> None:
    frame = rows_frame(real_report).drop(columns=["status"])
    outcome = gate.validate_batch([{REPORT_ROWS: frame}], run_names=["frame"])[0]
    observed = _failed(
        outcome, REPORT_ROWS, "table_columns_to_match_set", "task_no, task_title, plan_type, status", "critical"
    )
    assert observed["missing"] == ["status"]


@pytest.mark.parametrize("column", ["task_no", "task_title", "plan_type", "status"])
def test_a_null_required_value_is_critical(gate: QualityGate, real_report: Report, column: str) -> None:
    outcome = validate_report(gate, _edit_row(real_report, 2, **{column: None}))
    observed = _failed(outcome, REPORT_ROWS, "column_values_to_not_be_null", column, "critical")
    assert observed["unexpected_count"] == 1


def test_a_blank_title_is_critical(gate: QualityGate, real_report: Report) -> None:
    outcome = validate_report(gate, _edit_row(real_report, 2, task_title="  "))
    observed = _failed(outcome, REPORT_ROWS, "column_values_to_match_regex", "task_title", "critical")
    assert observed["values"] == ["  "]
    assert observed["rows"][0]["task_no"] == 4


def test_a_fractional_task_number_is_critical(gate: QualityGate, real_report: Report) -> None:
    outcome = validate_report(gate, _edit_row(real_report, 2, task_no=4.5))
    observed = _failed(outcome, REPORT_ROWS, "column_values_to_be_of_type", "task_no", "critical")
    assert observed["observed"] == "float64"


@pytest.mark.parametrize("task_no", [0, -3])
def test_a_task_number_below_one_is_critical(gate: QualityGate, real_report: Report, task_no: int) -> None:
    outcome = validate_report(gate, _edit_row(real_report, 2, task_no=task_no))
    observed = _failed(outcome, REPORT_ROWS, "column_values_to_be_between", "task_no", "critical")
    assert observed["values"] == [task_no]


def test_a_repeated_task_and_plan_type_is_critical(gate: QualityGate, real_report: Report) -> None:
    outcome = validate_report(gate, _with_rows(real_report, [*real_report.rows, real_report.rows[2]]))
    observed = _failed(outcome, REPORT_ROWS, "compound_columns_to_be_unique", "task_no, plan_type", "critical")
    assert observed["unexpected_count"] == 2
    assert {"task_no": 4, "plan_type": "schedule"} in observed["values"]


def test_an_unknown_plan_type_is_critical(gate: QualityGate, real_report: Report) -> None:
    outcome = validate_report(gate, _edit_row(real_report, 2, plan_type="timeline"))
    observed = _failed(outcome, REPORT_ROWS, "column_values_to_be_in_set", "plan_type", "critical")
    assert observed["values"] == ["timeline"]


def test_a_task_without_both_plan_types_is_critical(gate: QualityGate, real_report: Report) -> None:
    rows = [r for r in real_report.rows if (r.task_no, r.plan_type) != (4, "roadmap")]
    outcome = validate_report(gate, _with_rows(real_report, rows))
    observed = _failed(outcome, REPORT_TASKS, "column_values_to_be_in_set", "plan_types", "critical")
    assert observed["values"] == ["schedule"]
    assert observed["rows"] == [{"plan_types": "schedule", "task_no": 4}]


def test_an_unknown_status_is_critical(gate: QualityGate, real_report: Report) -> None:
    outcome = validate_report(gate, _edit_row(real_report, 2, status="done"))
    observed = _failed(outcome, REPORT_ROWS, "column_values_to_be_in_set", "status", "critical")
    assert observed["values"] == ["done"]


@pytest.mark.parametrize("phone", ["12345", "电话5515812", "123456789"])
def test_a_phone_number_of_another_shape_is_a_warning(gate: QualityGate, real_report: Report, phone: str) -> None:
    outcome = validate_report(gate, _edit_row(real_report, 2, phone=phone))
    observed = _failed(outcome, REPORT_ROWS, "column_values_to_match_regex", "phone", "warning")
    assert observed["values"] == [phone]
    assert observed["rows"][0]["task_no"] == 4


@pytest.mark.parametrize("phone", ["5515812", "0556-5515812", "05565515812", "13905561234", None])
def test_phone_numbers_of_the_expected_shape_pass(gate: QualityGate, real_report: Report, phone: str | None) -> None:
    outcome = validate_report(gate, _edit_row(real_report, 2, phone=phone))
    assert _result(outcome, REPORT_ROWS, "column_values_to_match_regex", "phone", "warning").success


@pytest.mark.parametrize(
    ("column", "text"),
    [
        ("task_title", "<p>新增企业</p>"),
        ("plan_text", "培育一批&nbsp;企业"),
        ("progress_text", "x &lt; y"),
        ("status_text", "\ufffd"),
        ("plan_text", "(cid:1234)(cid:88)"),
        ("progress_text", "第一行<br/>第二行"),
    ],
)
def test_leftover_markup_or_garbled_text_is_critical(
    gate: QualityGate, real_report: Report, column: str, text: str
) -> None:
    outcome = validate_report(gate, _edit_row(real_report, 2, **{column: text}))
    observed = _failed(outcome, REPORT_ROWS, "column_values_to_not_match_regex", column, "critical")
    assert observed["values"] == [text]
    assert observed["rows"][0]["task_no"] == 4


def test_an_empty_issuer_is_critical(gate: QualityGate, real_report: Report) -> None:
    outcome = validate_report(gate, _with_meta(real_report, issuer=None))
    _failed(outcome, REPORT_HEADER, "column_values_to_not_be_null", "issuer", "critical")


@pytest.mark.parametrize("year", [1999, date.today().year + 2])
def test_an_implausible_year_is_critical(gate: QualityGate, real_report: Report, year: int) -> None:
    outcome = validate_report(gate, _with_meta(real_report, year=year))
    assert _failed(outcome, REPORT_HEADER, "column_values_to_be_between", "year", "critical")["values"] == [year]


@pytest.mark.parametrize("month", [0, 13])
def test_a_period_end_outside_one_to_twelve_is_critical(gate: QualityGate, real_report: Report, month: int) -> None:
    outcome = validate_report(gate, _with_meta(real_report, period_end_month=month))
    observed = _failed(outcome, REPORT_HEADER, "column_values_to_be_between", "period_end_month", "critical")
    assert observed["values"] == [month]


def test_an_unknown_period_kind_is_critical(gate: QualityGate, real_report: Report) -> None:
    outcome = validate_report(gate, _with_meta(real_report, period_kind="decade"))
    observed = _failed(outcome, REPORT_HEADER, "column_values_to_be_in_set", "period_kind", "critical")
    assert observed["values"] == ["decade"]


def test_a_status_missing_in_a_table_with_a_status_column_is_critical(gate: QualityGate, real_report: Report) -> None:
    outcome = validate_report(gate, _edit_row(real_report, 2, status=None, status_text=None))
    observed = _failed(outcome, REPORT_ROWS, "column_values_to_not_be_null", "status", "critical")
    assert observed["rows"][0]["task_no"] == 4


def test_a_plan_row_without_plan_type_is_critical(gate: QualityGate, real_report: Report) -> None:
    outcome = validate_report(gate, _edit_row(real_report, 2, plan_type=None))
    _failed(outcome, REPORT_ROWS, "column_values_to_not_be_null", "plan_type", "critical")


@pytest.mark.parametrize("count", [0, 201])
def test_an_implausible_task_count_is_critical(gate: QualityGate, real_report: Report, count: int) -> None:
    outcome = validate_report(gate, _with_task_count(real_report, count))
    observed = _failed(outcome, REPORT_HEADER, "column_values_to_be_between", "task_count", "critical")
    assert observed["values"] == [count]
    assert not _result(outcome, REPORT_HEADER, "column_values_to_be_between", "task_count", "warning").success


@pytest.mark.parametrize("count", [2, 101])
def test_an_unusual_task_count_is_a_warning(gate: QualityGate, real_report: Report, count: int) -> None:
    outcome = validate_report(gate, _with_task_count(real_report, count))
    observed = _failed(outcome, REPORT_HEADER, "column_values_to_be_between", "task_count", "warning")
    assert observed["values"] == [count]
    assert outcome.warnings == [_result(outcome, REPORT_HEADER, "column_values_to_be_between", "task_count", "warning")]


def test_the_summary_names_failures_first_with_their_offending_values(gate: QualityGate, real_report: Report) -> None:
    report = _edit_row(real_report, 2, phone="12345", plan_text="<p>x</p>")
    lines = validate_report(gate, report).summary().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("critical: no leftover markup") and "<p>x</p>" in lines[0]
    assert lines[1].startswith("warning: phone number") and "12345" in lines[1]


def test_long_offending_values_are_cut_short(gate: QualityGate, real_report: Report) -> None:
    text = "<p>" + "很长的文字" * 100
    outcome = validate_report(gate, _edit_row(real_report, 2, progress_text=text))
    observed = _failed(outcome, REPORT_ROWS, "column_values_to_not_match_regex", "progress_text", "critical")
    assert len(observed["values"][0]) == 80 and observed["values"][0].endswith("…")


def test_importing_the_package_does_not_import_great_expectations() -> None:
    code = "import sys, etl.validate, etl.load.validation; assert 'great_expectations' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PROJECT_ROOT)
