"""Every inspector call a BI tool makes on the SQLAlchemy route, checked against the warehouse's own catalog.

What Superset, Metabase-over-SQLAlchemy and pandas call before they query: schemas, tables, views, columns with
comments, primary/foreign/unique keys, indexes, table comments, ``Table(autoload_with=…)``, ``MetaData.reflect``,
``pandas.read_sql_table``. Needs only SQLAlchemy, the DuckDB dialect (duckdb-sqlalchemy), duckdb and pandas, so
the same calls also run as a script in a virtual environment with another SQLAlchemy release
(tests/etl/load/test_sqlalchemy_route.py: 2.1 in the project's environment, 2.0 in one under .cache/):

    python tests/etl/load/bi_inspection.py WAREHOUSE.duckdb    → prints a JSON line: versions, calls checked
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.pool import NullPool


def _catalog(warehouse: Path, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def check_every_inspector_call(warehouse: Path) -> dict[str, object]:
    """Run each call and compare its answer with duckdb's catalog (AssertionError naming the object otherwise)."""
    engine = sa.create_engine(f"duckdb:///{warehouse}", connect_args={"read_only": True}, poolclass=NullPool)
    calls = 0
    try:
        inspector = sa.inspect(engine)
        database = warehouse.stem  # the dialect names schemas database.schema
        schemas = set(inspector.get_schema_names())
        assert {f"{database}.{s}" for s in ("raw", "core", "staging", "mart", "ops")} <= schemas, schemas
        calls += 1

        for schema in ("raw", "core", "ops"):
            tables = _catalog(
                warehouse, "select table_name, comment from duckdb_tables() where schema_name = ?", [schema]
            )
            assert set(inspector.get_table_names(schema=schema)) == {t for t, _ in tables}, schema
            calls += 1
            for table, comment in tables:
                where = f"{schema}.{table}"
                columns = _catalog(
                    warehouse,
                    "select column_name, comment from duckdb_columns() where schema_name = ? and table_name = ? "
                    "order by column_index",
                    [schema, table],
                )
                reflected = inspector.get_columns(table, schema=schema)
                assert [(c["name"], c["comment"]) for c in reflected] == columns, where
                assert inspector.get_table_comment(table, schema=schema) == {"text": comment}, where
                keys = _catalog(
                    warehouse,
                    "select constraint_column_names from duckdb_constraints() where schema_name = ? "
                    "and table_name = ? and constraint_type = 'PRIMARY KEY'",
                    [schema, table],
                )
                primary = inspector.get_pk_constraint(table, schema=schema)["constrained_columns"]
                assert primary == (list(keys[0][0]) if keys else []), where
                assert inspector.get_foreign_keys(table, schema=schema) == [], where  # the warehouse declares none
                assert inspector.get_unique_constraints(table, schema=schema) == [], where
                assert inspector.get_indexes(table, schema=schema) == [], where
                calls += 6

        views = _catalog(warehouse, "select view_name, comment from duckdb_views() where schema_name = 'mart'")
        assert set(inspector.get_view_names(schema="mart")) == {v for v, _ in views}
        calls += 1
        for view, comment in views:
            reflected = inspector.get_columns(view, schema="mart")
            assert reflected and all(c["comment"] for c in reflected), f"mart.{view}: a column without comment"
            assert inspector.get_table_comment(view, schema="mart") == {"text": comment}, f"mart.{view}"
            calls += 2

        report = sa.Table("report", sa.MetaData(), schema="core", autoload_with=engine)
        assert [c.name for c in report.primary_key] == ["report_id"]
        task_row = sa.Table("task_row", sa.MetaData(), schema="core", autoload_with=engine)
        assert task_row.c.status.comment and "completed" in task_row.c.status.comment
        progress = sa.Table("task_progress", sa.MetaData(), schema="mart", autoload_with=engine)
        assert "responsible_units" in progress.c
        calls += 2

        metadata = sa.MetaData()
        metadata.reflect(engine, schema="mart", views=True)
        assert {t.name for t in metadata.tables.values()} == {v for v, _ in views}
        calls += 1

        counts = {v: _catalog(warehouse, f"select count(*) from mart.{v}")[0][0] for v, _ in views}
        with engine.connect() as conn:  # a query of each mart, every value converted
            fetched = {v: len(conn.execute(sa.text(f"select * from mart.{v}")).fetchall()) for v, _ in views}
        assert fetched == counts, (fetched, counts)
        calls += len(views)

        frame = pd.read_sql_table("quarterly_completion", engine, schema="mart")
        expected = _catalog(warehouse, "select count(*) from mart.quarterly_completion")[0][0]
        columns = _catalog(
            warehouse,
            "select column_name from duckdb_columns() where schema_name = 'mart' "
            "and table_name = 'quarterly_completion' order by column_index",
        )
        assert len(frame) == expected and list(frame.columns) == [c for (c,) in columns]
        calls += 1
        dialect = type(engine.dialect).__module__
    finally:
        engine.dispose()
    return {
        "sqlalchemy": sa.__version__,
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
        "dialect": dialect,
        "calls": calls,
    }


if __name__ == "__main__":
    print(json.dumps(check_every_inspector_call(Path(sys.argv[1]))))
