"""Analysts' ad-hoc queries (`etl sql`): read the warehouse, never change a file.

A read-only connection alone still lets SQL write elsewhere: ``COPY (…) TO 'warehouse.duckdb'`` overwrote the
warehouse, ``ATTACH 'other.duckdb' (READ_ONLY false)`` then ``DELETE`` changed another database. So queries run
on a read-only connection with DuckDB's ``enable_external_access = false`` (no file other than the database
itself: no COPY TO/FROM, ATTACH, EXPORT, read_csv …, no extension installs or loads) and
``lock_configuration = true`` (the query cannot ``SET`` the first back).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from etl.load.rebuild import missing_warehouse_message

# DuckDB settings of every analyst query connection (see the module docstring).
QUERY_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "lock_configuration": True,
}


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


@contextmanager
def query_connection(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse that cannot reach other files or change its own settings."""
    if not warehouse.exists():
        raise FileNotFoundError(missing_warehouse_message(warehouse))
    conn = duckdb.connect(str(warehouse), read_only=True, config=QUERY_CONFIG)
    try:
        yield conn
    finally:
        conn.close()


def run_query(warehouse: Path, sql: str) -> QueryResult | None:
    """Run ``sql`` (one or more statements) on a :func:`query_connection`; the last statement's result, if any."""
    with query_connection(warehouse) as conn:
        relation = conn.sql(sql)
        if relation is None:
            return None
        return QueryResult(list(relation.columns), relation.fetchall())
