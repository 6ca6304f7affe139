"""Comparing warehouses: every mart view's answer (and core.task_version), read from any connection (a warehouse
file, or a lake attached as ``lake``); used by the lake's tests and benchmarks."""

from __future__ import annotations

from typing import Any

import duckdb

# Columns that say when or in which run a row was written: they differ between two loads of the same files.
WHEN_COLUMNS = ("loaded_at", "ingested_at", "recorded_at", "run_id", "validation_id", "written_at", "applied_at")


def mart_answers(
    conn: duckdb.DuckDBPyConnection, *, without: tuple[str, ...] = WHEN_COLUMNS
) -> dict[str, list[tuple[Any, ...]]]:
    """Every view of the ``mart`` schema (and core.task_version) of the connection's current database, all rows
    sorted, without the columns named."""
    database = conn.execute("select current_database()").fetchone()
    assert database is not None
    views = [
        (schema, name)
        for schema, name in conn.execute(
            "select schema_name, view_name from duckdb_views() where database_name = ? and not internal "
            "and (schema_name = 'mart' or (schema_name, view_name) = ('core', 'task_version')) order by all",
            [database[0]],
        ).fetchall()
    ]
    answers = {}
    for schema, name in views:
        columns = [
            f'"{column}"'
            for (column,) in conn.execute(
                "select column_name from duckdb_columns() where database_name = ? and schema_name = ? "
                "and table_name = ? and not list_contains(?, column_name) order by column_index",
                [database[0], schema, name, list(without)],
            ).fetchall()
        ]
        answers[f"{schema}.{name}"] = conn.execute(
            f"select {', '.join(columns)} from {schema}.{name} order by all"
        ).fetchall()
    return answers


def differences(a: dict[str, list[tuple[Any, ...]]], b: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """The views whose answers differ, with a count of rows each side (empty: identical)."""
    out = []
    for view in sorted(set(a) | set(b)):
        if a.get(view) != b.get(view):
            out.append(f"{view}: {len(a.get(view, []))} vs {len(b.get(view, []))} rows")
    return out
