"""The mart views as a contract: a stated, tested grain; readable columns; one meaning per name; comments everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from etl.docs.dictionary import schema_descriptions
from etl.load.schema import apply_schema
from etl.load.warehouse import connect
from tests.conftest import SQL_DIR

_GRAIN = re.compile(r"^Grain: ([a-z_0-9 ×]+?)\s*(?:[.(]|$)")


def mart_views(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = conn.execute("select view_name, comment from duckdb_views() where schema_name = 'mart'").fetchall()
    return {name: comment or "" for name, comment in rows}


def columns(conn: duckdb.DuckDBPyConnection, schema: str, view: str) -> list[str]:
    rows = conn.execute(
        "select column_name from duckdb_columns() where schema_name = ? and table_name = ? order by column_index",
        [schema, view],
    ).fetchall()
    return [name for (name,) in rows]


def grain(comment: str) -> list[str]:
    match = _GRAIN.match(comment)
    assert match, f"comment does not start with 'Grain: a × b …': {comment!r}"
    parts = [part.strip() for part in match.group(1).split("×")]
    assert all(re.fullmatch(r"[a-z_0-9]+", part) for part in parts), f"grain is not a list of columns: {parts}"
    return parts


def test_the_grain_parser_reads_column_lists_and_rejects_prose() -> None:
    assert grain("Grain: issuer × year × quarter. Share of tasks.") == ["issuer", "year", "quarter"]
    assert grain("Grain: report_id (one row per file).") == ["report_id"]
    with pytest.raises(AssertionError):
        grain("Grain: current report × figure.")  # "current report" is no column


def test_every_mart_view_states_its_grain_and_the_grain_is_unique(sample_warehouse: Path) -> None:
    with connect(sample_warehouse, read_only=True) as conn:
        views = mart_views(conn)
        assert {"quarterly_completion", "office_quarterly_completion", "target_attainment"} <= set(views)
        for view, comment in views.items():
            keys = grain(comment)
            assert set(keys) <= set(columns(conn, "mart", view)), (view, keys)
            key_list = ", ".join(keys)
            total, distinct = conn.execute(
                f"select count(*), count(distinct ({key_list})) from mart.{view}"
            ).fetchone() or (0, 0)
            duplicates = conn.execute(
                f"select {key_list}, count(*) from mart.{view} group by all having count(*) > 1 limit 3"
            ).fetchall()
            assert duplicates == [], (view, duplicates)
            if view != "open_warnings":  # the library-built sample warehouse records no validations
                assert total > 0 and total == distinct, view


def test_a_uniqueness_check_catches_a_second_grain(sample_warehouse: Path) -> None:
    """The old quarterly_completion mixed office rows and an all-offices row: its stated grain was not unique."""
    with connect(sample_warehouse, read_only=True) as conn:
        duplicates = conn.execute(
            "select issuer, year, quarter, count(*) from ("
            " select issuer, year, quarter from mart.quarterly_completion"
            " union all select issuer, year, quarter from mart.office_quarterly_completion"
            ") group by all having count(*) > 1"
        ).fetchall()
    assert duplicates, "mixing the two grains in one view is caught by the issuer × year × quarter check"


def test_trap_a_bi_sum_of_tasks_does_not_double_count(sample_warehouse: Path) -> None:
    with connect(sample_warehouse, read_only=True) as conn:
        per_quarter = conn.execute(
            "select year, quarter, sum(tasks) from mart.quarterly_completion group by all order by all"
        ).fetchall()
        by_office = conn.execute(
            "select year, quarter, sum(tasks), sum(tasks_completed) from mart.office_quarterly_completion "
            "group by all order by all"
        ).fetchall()
        issuer = conn.execute(
            "select year, quarter, tasks, tasks_completed from mart.quarterly_completion order by all"
        ).fetchall()
    assert {total for _, _, total in per_quarter} == {17}
    assert by_office == issuer


def test_views_an_analyst_filters_by_task_or_indicator_carry_the_names(sample_warehouse: Path) -> None:
    with connect(sample_warehouse, read_only=True) as conn:
        for view in mart_views(conn):
            names = set(columns(conn, "mart", view))
            assert "issuer" in names, view
            if "task_no" in names:
                assert {"task_title", "lead_office"} <= names, view
            if "indicator" in names:
                assert "indicator_name" in names, view
        missing = conn.execute(
            "select count(*) from mart.target_attainment where indicator is not null and indicator_name is null"
        ).fetchone()
    assert missing == (0,)


def test_trap_one_name_one_meaning_across_layers(sample_warehouse: Path) -> None:
    """core.metric.source_text was the figure and mart.metric_observation.source_text the clause: now the figure is
    figure_text and the clause is clause in every layer, and no table or view has a source_text column."""
    with connect(sample_warehouse, read_only=True) as conn:
        all_columns = {
            c
            for (c,) in conn.execute(
                "select column_name from duckdb_columns() where schema_name in ('core', 'staging', 'mart')"
            ).fetchall()
        }
        same = conn.execute(
            "select count(*) filter (where o.clause = m.clause and o.figure_text = m.figure_text), count(*) "
            "from mart.metric_observation as o "
            "inner join staging.current_report as r using (issuer, year, quarter) "
            "inner join core.metric as m on m.report_id = r.report_id and m.metric_no = o.metric_no"
        ).fetchone()
    assert "source_text" not in all_columns and {"clause", "figure_text"} <= all_columns
    assert same is not None and same[0] == same[1] > 0


def test_every_schema_table_view_and_column_has_a_comment(tmp_path: Path) -> None:
    """Staging included. DuckDB cannot COMMENT ON SCHEMA: schemas are described in the SQL header."""
    with connect(tmp_path / "w.duckdb") as conn:
        apply_schema(conn, SQL_DIR)
        layers = ("raw", "core", "staging", "mart", "ops")
        uncommented_relations = conn.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ? and comment is null "
            "union all select schema_name, view_name from duckdb_views() where schema_name in ? and comment is null",
            [list(layers), list(layers)],
        ).fetchall()
        uncommented_columns = conn.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where schema_name in ? and (comment is null or comment = '')",
            [list(layers)],
        ).fetchall()
        schemas = {
            s
            for (s,) in conn.execute(
                "select schema_name from duckdb_schemas() where not internal and schema_name <> 'main'"
            ).fetchall()
        }
    assert uncommented_relations == []
    assert uncommented_columns == []
    described = schema_descriptions(SQL_DIR)
    assert schemas == set(layers) and all(described.get(s) for s in schemas), described


def test_the_comment_check_finds_an_uncommented_staging_column(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as conn:
        apply_schema(conn, SQL_DIR)
        conn.execute("create or replace view staging.extra as select 1 as undocumented")
        found = conn.execute(
            "select column_name from duckdb_columns() where schema_name = 'staging' and comment is null"
        ).fetchall()
    assert found == [("undocumented",)]
