"""Superset's route into the warehouse: duckdb-engine 0.17 on SQLAlchemy 1.4 (what `apache-superset[duckdb]` installs;
Superset 5 and 6 pin sqlalchemy<2), checked call by call against the warehouse's own catalog.

What Superset calls before and while it queries: schemas, tables and views, columns with their types and comments,
keys and indexes, table comments, a SELECT of each dataset, the filters it builds (IN, LIKE) and SUM metrics. Needs
only SQLAlchemy, duckdb-engine, duckdb (and pytz, which Superset has, for TIMESTAMPTZ values), so it runs in a virtual
environment the test makes (tests/etl/load/test_sqlalchemy_route.py):

    python tests/etl/load/bi_superset.py WAREHOUSE.duckdb    → prints a JSON line: versions, calls, what was seen
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

UNIT = "市经济和信息化局"


def read_catalog(warehouse: Path) -> dict[str, Any]:
    """What DuckDB itself says of every mart view: comment, columns (name, comment, type) and row count. Read before
    the engine connects: one process cannot open the file with two configurations at once."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        views = conn.execute("select view_name, comment from duckdb_views() where schema_name = 'mart'").fetchall()
        return {
            view: {
                "comment": comment,
                "columns": conn.execute(
                    "select column_name, comment, data_type from duckdb_columns() where schema_name = 'mart' "
                    "and table_name = ? order by column_index",
                    [view],
                ).fetchall(),
                "rows": conn.execute(f"select count(*) from mart.{view}").fetchone()[0],  # type: ignore[index]
            }
            for view, comment in views
        }


def _inspect_views(engine: sa.engine.Engine, catalog: dict[str, Any]) -> dict[str, Any]:
    inspector = sa.inspect(engine)
    assert set(inspector.get_view_names(schema="mart")) == set(catalog)
    calls, untyped = 1, []
    for view, known in catalog.items():
        reflected = inspector.get_columns(view, schema="mart")
        assert [(c["name"], c["comment"]) for c in reflected] == [(n, c) for n, c, _ in known["columns"]], view
        untyped += [f"{view}.{c['name']}" for c in reflected if isinstance(c["type"], sa.types.NullType)]
        assert inspector.get_table_comment(view, schema="mart") == {"text": known["comment"]}, view
        assert inspector.get_pk_constraint(view, schema="mart")["constrained_columns"] == []
        assert inspector.get_foreign_keys(view, schema="mart") == [] == inspector.get_indexes(view, schema="mart")
        calls += 5
    lists = [f"{v}.{n}" for v, known in catalog.items() for n, _, t in known["columns"] if t.endswith("[]")]
    assert sorted(untyped) == sorted(lists), (untyped, lists)  # only the lists: "Did not recognize type 'list'"
    return {"calls": calls, "untyped": sorted(untyped)}


def _query_every_mart(engine: sa.engine.Engine, catalog: dict[str, Any]) -> dict[str, int]:
    rows = {}
    with engine.connect() as conn:
        for view, known in catalog.items():
            rows[view] = len(conn.execute(sa.text(f"select * from mart.{view}")).fetchall())  # every value converted
            assert rows[view] == known["rows"], view
    return rows


def _superset_queries(engine: sa.engine.Engine) -> dict[str, Any]:
    """The SQL Superset builds for a filter and a metric, and what comes back."""
    seen: dict[str, Any] = {}
    with engine.connect() as conn:
        by_unit = (
            "select count(distinct task_no) from mart.task_units where responsible_unit in (:unit) and is_latest_period"
        )
        seen["tasks_of_unit"] = conn.execute(sa.text(by_unit), {"unit": UNIT}).scalar_one()
        like = "select count(*) from mart.task_history where responsible_units_text like :text and is_latest_period"
        seen["tasks_like_unit"] = conn.execute(sa.text(like), {"text": f"%{UNIT}%"}).scalar_one()
        try:  # the filter Superset builds on the list column itself
            conn.execute(sa.text("select count(*) from mart.task_history where responsible_units in (:unit)"),
                         {"unit": UNIT}).scalar_one()  # fmt: skip
            seen["in_on_list"] = "worked"
        except sa.exc.DBAPIError as exc:
            seen["in_on_list"] = str(exc.orig).splitlines()[0]
        metric = "select sum(tasks) as s, cast(sum(tasks) as bigint) as b from mart.quarterly_completion"
        result = conn.execute(sa.text(metric))
        seen["sum_types"] = [str(d[1]) for d in result.cursor.description]
        seen["sums"] = list(result.one())
        stamp = conn.execute(sa.text("select loaded_at from mart.report_versions limit 1")).scalar_one()
        seen["loaded_at_has_zone"] = stamp.tzinfo is not None
    return seen


def check_superset_route(warehouse: Path) -> dict[str, object]:
    catalog = read_catalog(warehouse)
    engine = sa.create_engine(f"duckdb:///{warehouse}", connect_args={"read_only": True}, poolclass=NullPool)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sa.exc.SAWarning)  # "Did not recognize type 'list'": recorded below
            schemas = sa.inspect(engine).get_schema_names()
            inspected = _inspect_views(engine, catalog)
        rows = _query_every_mart(engine, catalog)
        seen = _superset_queries(engine)
        dialect = type(engine.dialect).__module__
    finally:
        engine.dispose()
    return {
        "sqlalchemy": sa.__version__,
        "duckdb": duckdb.__version__,
        "dialect": dialect,
        "schemas": schemas,
        "calls": inspected["calls"] + len(rows) + 5,
        "untyped": inspected["untyped"],
        "rows": rows,
        **seen,
    }


if __name__ == "__main__":
    print(json.dumps(check_superset_route(Path(sys.argv[1])), ensure_ascii=False, default=str))
