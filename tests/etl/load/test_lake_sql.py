"""The lake's variant of the SQL files (etl.load.lake_sql): only what DuckLake refuses is taken out, and the lake's
schema is the file's (no server: a DuckLake catalog in a DuckDB file)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.load import lake
from etl.load.backend import prepare_lake
from etl.load.lake_schema import lake_sql_of
from etl.load.lake_sql import for_lake, without_constraints
from etl.load.migrations import bootstrap_files, migration_files
from etl.load.schema import apply_schema
from etl.metrics.catalog import load_catalog
from tests.conftest import INDICATORS, SQL_DIR

# What a lake may differ in, and why (etl.load.lake_sql): its own views ledger (and no constraints but NOT NULL).
LAKE_ONLY_TABLES = {("ops", "lake_views")}


def test_constraints_are_taken_out_of_create_table_and_nothing_else() -> None:
    statement = (
        "create table t (a varchar primary key, b integer not null check (b between 1 and 4), "
        "c varchar check (c in ('x (y)', 'it''s')), d varchar unique, e varchar default 'primary key', "
        "primary key (a, b))"
    )
    assert without_constraints(statement) == (
        "create table t (a varchar not null, b integer not null, c varchar, d varchar, e varchar default 'primary key')"
    )


def test_the_lake_variant_leaves_out_view_column_comments() -> None:
    sql = "-- it's a comment with a quote\ncomment on column mart.v.x is 'x';\ncomment on view mart.v is 'a view';"
    assert for_lake(sql, view_file=True) == "comment on view mart.v is 'a view';"
    assert "comment on column mart.v.x" in for_lake(sql)  # a table's column comment stays


# Every file a warehouse runs before its views, in order (a migration kept in parts: each part).
SCHEMA_FILES = [*bootstrap_files(SQL_DIR), *(part for m in migration_files(SQL_DIR) for part in m.parts)]


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_ducklake_refuses_what_the_variant_takes_out(path: Path, tmp_path: Path) -> None:
    """Each change of the variant is needed: a file whose variant differs fails in a lake as it is (so a
    construct DuckLake learns to accept shows up here as a variant to retire)."""
    if lake_sql_of(path) == ";\n".join(_statements(path.read_text(encoding="utf-8"))) + ";":
        pytest.skip(f"{path.name}: run as it is")
    with _lake(tmp_path) as conn:
        conn.execute("begin transaction")
        for earlier in SCHEMA_FILES:
            if earlier == path:
                break
            conn.execute(lake_sql_of(earlier))
        with pytest.raises(duckdb.Error):
            conn.execute(path.read_text(encoding="utf-8"))


def test_a_lake_has_the_file_schema_but_for_the_documented_differences(tmp_path: Path) -> None:
    spec = lake.LakeSpec.parse(f"ducklake:duckdb:{tmp_path / 'c.ducklake'}", str(tmp_path / "data"))
    prepare_lake(spec, SQL_DIR, load_catalog(INDICATORS))
    with duckdb.connect() as conn:
        apply_schema(conn, SQL_DIR)
        file_columns = _columns(conn, "memory")
        file_comments = _comments(conn, "memory")
    with lake.connect(spec, read_only=True) as conn:
        lake_columns = _columns(conn, "lake")
        lake_comments = _comments(conn, "lake")
        constraints = conn.execute(
            "select distinct constraint_type from duckdb_constraints() where database_name = 'lake'"
        ).fetchall()
    assert {c[:3] for c in lake_columns if c[:2] not in LAKE_ONLY_TABLES} == {c[:3] for c in file_columns}
    assert {c for c in lake_columns if c[:2] not in LAKE_ONLY_TABLES} == file_columns  # nullability too
    assert {(k, v) for k, v in lake_comments if k[:2] not in LAKE_ONLY_TABLES} == {
        (k, v) for k, v in file_comments if not (k[2] and k[3] == "view")
    }
    assert constraints in ([], [("NOT NULL",)])


def _statements(sql: str) -> list[str]:
    from etl.load.lake_sql import statements, without_comments

    return [without_comments(s) for s in statements(sql)]


def _lake(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(config=lake.BASE_CONFIG)
    spec = lake.LakeSpec.parse(f"ducklake:duckdb:{tmp_path / 'refuse.ducklake'}", str(tmp_path / "refuse"))
    lake.attach(conn, spec)
    conn.execute("use lake")
    return conn


def _columns(conn: duckdb.DuckDBPyConnection, database: str) -> set[tuple[str, str, str, str, bool]]:
    rows = conn.execute(
        "select schema_name, table_name, column_name, data_type, is_nullable from duckdb_columns() "
        "where database_name = ?",
        [database],
    ).fetchall()
    return {(str(s), str(t), str(c), str(d), bool(n)) for s, t, c, d, n in rows}


def _comments(conn: duckdb.DuckDBPyConnection, database: str) -> set[tuple[tuple[str, ...], str]]:
    """(schema, table, column or '', 'table'/'view'): comment."""
    tables = conn.execute(
        "select schema_name, table_name, '', 'table', comment from duckdb_tables() where database_name = ? "
        "union all select schema_name, view_name, '', 'view', comment from duckdb_views() where database_name = ? "
        "and not internal "
        "union all select c.schema_name, c.table_name, c.column_name, "
        "case when v.view_name is null then 'table' else 'view' end, c.comment from duckdb_columns() c "
        "left join duckdb_views() v on v.database_name = c.database_name and v.schema_name = c.schema_name "
        "and v.view_name = c.table_name where c.database_name = ?",
        [database, database, database],
    ).fetchall()
    return {((str(s), str(t), str(c), str(k)), str(v)) for s, t, c, k, v in tables if v}
