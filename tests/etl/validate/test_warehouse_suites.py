"""Cross-period expectations on the warehouse before loading, the published checks after, and Data Docs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.load.schema import apply_schema
from etl.load.warehouse import connect
from etl.models import Report
from etl.validate import QualityGate, ValidationOutcome
from etl.validate.suites import HISTORY_TASK_COUNT, HISTORY_TITLES, PUBLISHED_ROWS, PUBLISHED_VERSIONS
from tests.conftest import SQL_DIR, load_report, validate_history, validate_published, validate_report


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(tmp_path / "warehouse.duckdb") as conn:
        apply_schema(conn, SQL_DIR)
        yield conn


def _version(
    report: Report, sha: str, *, year: int | None = None, quarter: int | None = None, revision: str | None = None
) -> Report:
    """Another source file: other bytes and content (its title), optionally another period or a re-issue marker."""
    quarter = quarter or report.meta.quarter or 0
    meta = report.meta.model_copy(
        update={
            "year": year or report.meta.year,
            "period_end_month": quarter * 3,
            "period_label": f"{'一二三四'[quarter - 1]}季度",
            "revision_label": revision,
            "title": f"{report.meta.title} [{sha}]",
        }
    )
    raw = report.raw.model_copy(update={"source_sha256": sha, "source_file": f"{sha}.txt"})
    return Report(meta=meta, raw=raw, rows=report.rows)


def _load(conn: duckdb.DuckDBPyConnection, report: Report) -> None:
    assert load_report(conn, report).outcome == "loaded"


def _retitled(report: Report, task_no: int, title: str) -> Report:
    rows = tuple(r.model_copy(update={"task_title": title}) if r.task_no == task_no else r for r in report.rows)
    return Report(meta=report.meta, raw=report.raw, rows=rows)


def _first_tasks(report: Report, count: int) -> Report:
    keep = sorted({r.task_no for r in report.rows})[:count]
    return Report(meta=report.meta, raw=report.raw, rows=tuple(r for r in report.rows if r.task_no in keep))


def _only(outcome: ValidationOutcome, suite: str) -> Any:
    [result] = [r for r in outcome.results if r.suite == suite]
    return result


def test_a_report_consistent_with_its_earlier_quarter_passes(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    _load(warehouse, _version(real_report, "q2", quarter=2))
    outcome = validate_history(gate, warehouse, real_report)
    assert outcome.success
    assert outcome.suites == (HISTORY_TASK_COUNT, HISTORY_TITLES)


def test_the_first_report_of_a_year_has_nothing_to_compare_with(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    _load(warehouse, _version(_retitled(real_report, 4, "去年的标题"), "2023q2", year=2023, quarter=2))
    assert validate_history(gate, warehouse, real_report).success


def test_a_sharp_drop_in_task_count_is_a_warning(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    _load(warehouse, _version(real_report, "q1", quarter=1))
    _load(warehouse, _version(real_report, "q2", quarter=2))
    outcome = validate_history(gate, warehouse, _first_tasks(real_report, 8))  # 8 of 17 tasks: ratio 0.4706
    assert outcome.passed_critical
    result = _only(outcome, HISTORY_TASK_COUNT)
    assert (result.success, result.severity, result.column) == (False, "warning", "task_count_ratio")
    assert outcome.warnings == [result]
    assert result.observed["values"] == [0.4706]
    assert result.observed["rows"] == [
        {"task_count_ratio": 0.4706, "previous_period": "二季度", "previous_task_count": 17, "task_count": 8}
    ]


def test_a_drop_to_half_or_a_later_quarter_loaded_earlier_is_no_warning(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    _load(warehouse, _version(_first_tasks(real_report, 16), "q2", quarter=2))
    _load(warehouse, _version(_first_tasks(real_report, 2), "q4", quarter=4))  # later quarter: not compared
    assert _only(validate_history(gate, warehouse, _first_tasks(real_report, 8)), HISTORY_TASK_COUNT).success


def test_a_title_changed_within_the_year_is_a_warning_naming_the_task(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    _load(warehouse, _version(_retitled(real_report, 4, "旧的任务标题"), "q2", quarter=2))
    outcome = validate_history(gate, warehouse, real_report)
    assert outcome.passed_critical
    result = _only(outcome, HISTORY_TITLES)
    assert (result.success, result.severity, result.column) == (False, "warning", "task_title, other_title")
    assert result.observed["unexpected_count"] == 1
    assert [row["task_no"] for row in result.observed["rows"]] == [4]
    assert result.observed["rows"][0]["other_period"] == "二季度"
    assert result.observed["values"] == [["加快推进安庆石化轻烃资源综合利用及高端材料项目", "旧的任务标题"]]


def test_a_title_change_is_reported_once_by_the_report_where_it_happens(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    _load(warehouse, _version(_retitled(real_report, 4, "旧的任务标题"), "q1", quarter=1))
    _load(warehouse, _version(real_report, "q2", quarter=2))  # the change happened in Q2
    assert validate_history(gate, warehouse, real_report).success  # Q3 agrees with its neighbour Q2


def test_a_title_change_is_found_whatever_the_loading_order(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    _load(warehouse, _version(real_report, "q4", quarter=4))
    result = _only(validate_history(gate, warehouse, _retitled(real_report, 4, "旧的任务标题")), HISTORY_TITLES)
    assert not result.success
    assert result.observed["rows"][0]["other_period"] == "四季度"


def test_only_current_versions_are_compared(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    _load(warehouse, _version(_retitled(real_report, 4, "旧的任务标题"), "q2", quarter=2))
    _load(warehouse, _version(real_report, "q2-revised", quarter=2, revision="修订"))
    assert validate_history(gate, warehouse, real_report).success


def test_the_published_warehouse_passes(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    _load(warehouse, real_report)
    _load(warehouse, _version(real_report, "q3-revised", revision="修订"))
    outcome = validate_published(gate, warehouse)
    assert outcome.success
    assert outcome.suites == (PUBLISHED_VERSIONS, PUBLISHED_ROWS)


def test_two_current_versions_of_a_quarter_are_critical(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    _load(warehouse, real_report)
    _load(warehouse, _version(real_report, "q3-again"))
    # A broken staging view that forgets to pick one version per quarter:
    warehouse.execute("create or replace view staging.current_report as select * from core.report")
    outcome = validate_published(gate, warehouse)
    result = _only(outcome, PUBLISHED_VERSIONS)
    assert (result.success, result.severity) == (False, "critical")
    assert outcome.failures == [result]
    assert {row["report_id"] for row in result.observed["rows"]} == {real_report.raw.source_sha256, "q3-again"}


def test_a_report_missing_rows_is_critical(
    gate: QualityGate, warehouse: duckdb.DuckDBPyConnection, real_report: Report
) -> None:
    _load(warehouse, real_report)
    warehouse.execute("delete from core.task_row where task_no = 4")
    result = _only(validate_published(gate, warehouse), PUBLISHED_ROWS)
    assert (result.success, result.severity) == (False, "critical")
    assert result.observed["values"] == [[34, 32]]
    assert result.observed["rows"][0]["report_id"] == real_report.raw.source_sha256


def test_data_docs_are_built_as_static_html(tmp_path: Path, real_report: Report) -> None:
    docs = tmp_path / "data_docs"
    with QualityGate(data_docs_dir=docs) as docs_gate:
        outcome = validate_report(docs_gate, real_report)
        assert docs_gate.data_docs_index == docs / "index.html"
        assert outcome.data_docs == docs / "index.html"
    assert (docs / "index.html").is_file()
    pages = list((docs / "validations").rglob("*.html"))
    assert {page.relative_to(docs / "validations").parts[0] for page in pages} == set(outcome.suites)
    assert all(page.relative_to(docs / "validations").parts[1] == real_report.raw.source_file for page in pages)


def test_without_a_docs_folder_nothing_is_built(gate: QualityGate, real_report: Report) -> None:
    validate_report(gate, real_report)
    assert gate.data_docs_index is None
    assert gate.build_data_docs() is None
