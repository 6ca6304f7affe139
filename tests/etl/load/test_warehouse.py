from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.load.schema import apply_schema
from etl.load.warehouse import connect, warehouse_counts
from etl.models import Report, TaskRow
from tests.conftest import SQL_DIR, load_report

TABLES = ("raw.source_file", "raw.extracted_cell", "core.report", "core.task_row")


def _counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    result = {}
    for table in TABLES:
        row = conn.execute(f"select count(*) from {table}").fetchone()
        assert row is not None
        result[table] = int(row[0])
    return result


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with connect(path) as conn:
        apply_schema(conn, SQL_DIR)
    return path


def test_a_report_is_loaded_into_raw_and_core(warehouse: Path, real_report: Report) -> None:
    with connect(warehouse) as conn:
        result = load_report(conn, real_report, run_id="test")
        assert (result.outcome, result.row_count) == ("loaded", 34)
        assert _counts(conn) == {
            "raw.source_file": 1,
            "raw.extracted_cell": 34 * 9,  # the bureau's nine fields (the other issuers' fields: none here)
            "core.report": 1,
            "core.task_row": 34,
        }
        counts = warehouse_counts(conn)
        assert (counts.reports, counts.current_reports, counts.tasks, counts.task_rows) == (1, 1, 17, 34)
        # The raw layer keeps cells exactly as found, markup included.
        raw_cell = conn.execute(
            "select cell_text from raw.extracted_cell where row_no = 17 and column_name = 'period_plan'"
        ).fetchone()
        assert raw_cell is not None and raw_cell[0].startswith("<p>1. 经常性深入企业")


def test_reloading_the_same_file_changes_nothing(warehouse: Path, real_report: Report) -> None:
    with connect(warehouse) as conn:
        load_report(conn, real_report)
        before = _counts(conn)
        again = load_report(conn, real_report)
        assert (again.outcome, again.row_count) == ("unchanged", 0)
        assert _counts(conn) == before


def test_a_failing_load_leaves_nothing_half_written(warehouse: Path, real_report: Report) -> None:
    rows = list(real_report.rows)
    # violates core.task_row's check on status half-way through the load (raw and core.report are inserted before)
    rows.append(rows[0].model_copy(update={"status": "done", "task_no": 999}))
    broken = Report(meta=real_report.meta, raw=real_report.raw, rows=tuple(rows))
    with connect(warehouse) as conn:
        with pytest.raises(duckdb.ConstraintException):
            load_report(conn, broken)
        assert _counts(conn) == dict.fromkeys(TABLES, 0)
        # and the good report still loads afterwards
        assert load_report(conn, real_report).outcome == "loaded"


def test_values_reach_duckdb_as_parameters(warehouse: Path, real_report: Report) -> None:
    hostile = "'); drop table core.report; -- {{ jinja }}"
    first: TaskRow = real_report.rows[0].model_copy(update={"progress_text": hostile})
    report = Report(meta=real_report.meta, raw=real_report.raw, rows=(first, *real_report.rows[1:]))
    with connect(warehouse) as conn:
        load_report(conn, report)
        stored = conn.execute("select progress_text from core.task_row where task_no = 1 and plan_type = 'schedule'")
        assert stored.fetchone() == (hostile,)


def test_read_only_connection_refuses_writes_and_does_not_create_files(tmp_path: Path, warehouse: Path) -> None:
    with connect(warehouse, read_only=True) as conn, pytest.raises(duckdb.Error):
        conn.execute("create table core.x (a int)")
    with (
        pytest.raises(FileNotFoundError, match="does not exist yet"),
        connect(tmp_path / "none.duckdb", read_only=True),
    ):
        pass
    assert not (tmp_path / "none.duckdb").exists()
