from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from etl.load.schema import SchemaError, apply_schema, view_files
from etl.load.warehouse import connect
from tests.conftest import SQL_DIR

TASK_PROGRESS_COLUMNS = [
    "issuer",
    "year",
    "quarter",
    "task_no",
    "task_title",
    "lead_office",
    "responsible_units",
    "phone",
    "plan_type",
    "plan_type_label",
    "plan_text",
    "status",
    "status_text",
    "progress_text",
    "source_file",
    "source_sha256",
    "source_pages",
    "is_latest_quarter",
    # issue 20: every period and template (appended: the columns above keep their places)
    "period_kind",
    "period_end_month",
    "period_label",
    "is_latest_period",
    "responsible_people",
    "annual_target",
    "is_synthetic",
    # issue 23: the lists as text, for BI tools
    "responsible_units_text",
    "responsible_people_text",
    "source_pages_text",
]
QUARTERLY_COMPLETION_COLUMNS = [
    "issuer",
    "year",
    "quarter",
    "tasks",
    "tasks_completed",
    "tasks_in_progress",
    "tasks_not_completed",
    "completion_rate",
    "is_latest_quarter",
    "is_synthetic",
    "source_file",
    "period_kind",
    "period_end_month",
    "period_label",
    "tasks_on_schedule",
    "tasks_ahead_of_schedule",
    "tasks_behind_schedule",
    "tasks_not_started",
    "tasks_without_status",
    "is_latest_period",
]


def _columns(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = conn.execute(
        "select column_name from duckdb_columns() where schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    ).fetchall()
    return [name for (name,) in rows]


def test_schema_applies_twice_without_change(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with connect(path) as conn:
        apply_schema(conn, SQL_DIR)
        conn.execute(
            "insert into ops.ingest_file (run_id, file_name, outcome, recorded_at) values ('r', 'f', 'failed', now())"
        )
        apply_schema(conn, SQL_DIR)
        assert conn.execute("select count(*) from ops.ingest_file").fetchone() == (1,)


def test_contract_views_have_their_fixed_columns(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as conn:
        apply_schema(conn, SQL_DIR)
        assert _columns(conn, "mart", "task_progress") == TASK_PROGRESS_COLUMNS
        assert _columns(conn, "mart", "quarterly_completion") == QUARTERLY_COMPLETION_COLUMNS
        types = dict(
            conn.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = 'mart' and table_name = 'task_progress'"
            ).fetchall()
        )
        assert types["responsible_units"] == "VARCHAR[]"


def test_every_table_view_and_column_has_a_comment(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as conn:
        apply_schema(conn, SQL_DIR)
        uncommented_tables = conn.execute(
            """
            select schema_name || '.' || table_name from duckdb_tables()
            where schema_name in ('raw', 'core', 'staging', 'mart', 'ops') and comment is null
            union all
            select schema_name || '.' || view_name from duckdb_views()
            where schema_name in ('raw', 'core', 'staging', 'mart', 'ops') and comment is null
            """
        ).fetchall()
        uncommented_columns = conn.execute(
            """
            select schema_name || '.' || table_name || '.' || column_name from duckdb_columns()
            where schema_name in ('raw', 'core', 'staging', 'mart', 'ops') and comment is null
            """
        ).fetchall()
    assert uncommented_tables == []
    assert uncommented_columns == []


def test_views_are_created_after_the_views_they_read() -> None:
    order = [path.name for path in view_files(SQL_DIR)]
    assert order.index("staging_current_report.sql") < order.index("mart_task_progress.sql")
    assert order.index("mart_task_progress.sql") < order.index("mart_quarterly_completion.sql")


def test_a_broken_sql_file_is_named_and_nothing_is_applied(tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    (sql_dir / "migrations").mkdir(parents=True)
    (sql_dir / "views").mkdir()
    shutil.copytree(SQL_DIR / "bootstrap", sql_dir / "bootstrap")
    (sql_dir / "migrations" / "0001_ok.sql").write_text(
        "create schema if not exists core; create schema if not exists ops; create table core.t (a int);"
        "create table ops.warehouse_write (written_at timestamptz, package_version varchar, schema_version int, "
        "duckdb_version varchar, storage_version varchar);"
    )
    (sql_dir / "migrations" / "0002_bad.sql").write_text("create tabel oops;")
    with connect(tmp_path / "w.duckdb") as conn:
        with pytest.raises(SchemaError, match="0002_bad.sql"):
            apply_schema(conn, sql_dir)
        assert conn.execute("select count(*) from duckdb_tables() where table_name = 't'").fetchone() == (0,)
