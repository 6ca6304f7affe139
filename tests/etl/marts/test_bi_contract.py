"""What BI tools need of the marts (issue 23, item 4): a readable text column beside every list, a view to filter by
unit, BIGINT counts, the time zone of every TIMESTAMPTZ column said in its comment, and the storage version the
README names. Checked on the warehouse's own catalog, so a new view or column is covered without editing this."""

from __future__ import annotations

from pathlib import Path

from etl.load.warehouse import connect
from tests.conftest import REAL_TEXT_DUMP, build_warehouse

COUNT_PREFIXES = ("tasks", "targets", "units_of", "migrations_applied", "reports", "figures")


def _columns(warehouse: Path, where: str) -> list[tuple[str, str, str, str, str]]:
    with connect(warehouse, read_only=True) as conn:
        return conn.execute(
            "select schema_name, table_name, column_name, data_type, coalesce(comment, '') from duckdb_columns() "
            f"where schema_name in ('raw', 'core', 'staging', 'mart', 'ops') and {where} order by all"
        ).fetchall()


def test_every_list_column_of_a_mart_has_a_text_column_beside_it_joined_with_the_chinese_comma(
    sample_warehouse: Path,
) -> None:
    lists = _columns(sample_warehouse, "schema_name = 'mart' and data_type like '%[]'")
    assert {(t, c) for _, t, c, *_ in lists} >= {
        ("task_progress", "responsible_units"),
        ("task_progress", "responsible_people"),
        ("task_progress", "source_pages"),
        ("task_history", "responsible_units"),
        ("task_history", "responsible_people"),
    }
    with connect(sample_warehouse, read_only=True) as conn:
        for _, table, column, _, _ in lists:
            rows = conn.execute(f"select {column}, {column}_text from mart.{table}").fetchall()
            assert rows and all(text == "、".join(map(str, items)) for items, text in rows), (table, column)
        (joined,) = conn.execute(
            "select responsible_units_text from mart.task_progress where year = 2024 and quarter = 3 and task_no = 4 "
            "and plan_type = 'schedule'"
        ).fetchone() or (None,)
    assert joined == "市经济和信息化局、安庆石化、安庆高新区管委会"  # plain text, no JSON, no escaped Chinese


def test_one_row_per_task_and_unit_filters_by_unit(sample_warehouse: Path, tmp_path: Path) -> None:
    with connect(sample_warehouse, read_only=True) as conn:
        rows = conn.execute(
            "select task_no, unit_no, units_of_task from mart.task_units "
            "where year = 2024 and quarter = 3 and responsible_unit = '安庆高新区管委会' order by task_no"
        ).fetchall()
        units, tasks, progress = conn.execute(
            "select count(*), count(distinct task_no), (select sum(len(responsible_units)) from mart.task_history "
            "where year = 2024 and quarter = 3) from mart.task_units where year = 2024 and quarter = 3"
        ).fetchone() or (0, 0, 0)
    assert rows == [(4, 3, 3), (6, 2, 2)]  # the filter a BI tool makes on a text column, no list function
    assert (units, tasks) == (progress, 17)
    # A table that names no unit (开化县, tests/fixtures/real_tables) keeps its tasks, unit NULL
    county = Path(__file__).parents[2] / "fixtures" / "real_tables" / "kaihua_xian_2023q1" / "kaihua_xian_2023q1.txt"
    warehouse = tmp_path / "w.duckdb"
    build_warehouse(warehouse, [county, REAL_TEXT_DUMP])
    with connect(warehouse, read_only=True) as conn:
        kaihua = conn.execute(
            "select task_no, unit_no, responsible_unit, units_of_task, status_text from mart.task_units "
            "where issuer = '开化县' order by task_no"
        ).fetchall()
    assert kaihua == [(1, 0, None, 0, "达序推进"), (2, 0, None, 0, "达序推进")]


def test_mart_counts_are_bigint_and_no_mart_column_is_hugeint(sample_warehouse: Path) -> None:
    """DuckDB's sum() of any integer is HUGEINT, which a BI driver may not map; the marts' own counts are BIGINT."""
    columns = _columns(sample_warehouse, "schema_name in ('mart', 'ops')")
    assert not [c for c in columns if c[3] in ("HUGEINT", "UHUGEINT")]
    counts = [c for c in columns if c[2].startswith(COUNT_PREFIXES) and not c[2].endswith(("_share", "_rate", "_text"))]
    assert len(counts) > 30 and {c[3] for c in counts} == {"BIGINT"}, {c[:3] for c in counts if c[3] != "BIGINT"}


def test_every_timestamptz_column_says_its_time_zone(sample_warehouse: Path) -> None:
    """A BI tool shows a TIMESTAMPTZ without its zone: every such column's comment says which zone it is shown in
    and how to get Beijing time."""
    stamps = _columns(sample_warehouse, "data_type = 'TIMESTAMP WITH TIME ZONE'")
    assert len(stamps) >= 10
    unsaid = [c[:3] for c in stamps if not ("UTC" in c[4] and "TimeZone" in c[4] and "Asia/Shanghai" in c[4])]
    assert unsaid == []


def test_the_warehouse_records_the_storage_version_the_readme_names(tmp_path: Path) -> None:
    """ops.warehouse_version said v1.0.0+ (DuckDB's tag of the format) where the README says v1.1.0."""
    from typer.testing import CliRunner

    from etl.flows.cli import app

    warehouse = tmp_path / "w.duckdb"
    assert CliRunner().invoke(app, ["init", "-w", str(warehouse)]).exit_code == 0
    with connect(warehouse, read_only=True) as conn:
        assert conn.execute("select storage_version from ops.warehouse_version").fetchone() == ("v1.1.0",)
