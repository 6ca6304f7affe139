"""Analysts' ad-hoc queries (`etl sql`): read the warehouse, never change a file.

A read-only connection alone still lets SQL write elsewhere: ``COPY (…) TO 'warehouse.duckdb'`` overwrote the
warehouse, ``ATTACH 'other.duckdb' (READ_ONLY false)`` then ``DELETE`` changed another database. So queries run
on a read-only connection with DuckDB's ``enable_external_access = false`` (no file other than the database
itself: no COPY TO/FROM, ATTACH, EXPORT, read_csv …, no extension installs or loads) and
``lock_configuration = true`` (the query cannot ``SET`` the first back).

That configuration does not cover DuckDB's functions that change the database's state or write files of their own:
``CALL enable_logging(storage='file', …)`` aborted the whole process (an uncaught C++ exception, exit 134),
``CALL checkpoint()``, ``PRAGMA enable_checkpoint_on_shutdown``, ``CALL truncate_duckdb_logs()`` ran. So every statement
is checked before it runs (:func:`check_query`): only queries run — SELECT (with SHOW, DESCRIBE, SUMMARIZE and the
PRAGMAs that DuckDB turns into a SELECT), EXPLAIN, and CALL of a table function — and every table function they use
must be one of :data:`READ_ONLY_TABLE_FUNCTIONS` (read by DuckDB's own parser: ``json_serialize_sql``). Anything
else is refused with :class:`RefusedQuery` before DuckDB sees it. A table function DuckDB adds in a later release is
refused until it is added to a list (tests/etl/load/test_query.py lists every table function of the installed
DuckDB as read-only or refused).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from etl.load.lake import AsOf, LakeSpec, current_snapshot, stored_data_path
from etl.load.lake import connect as lake_connect
from etl.load.rebuild import missing_warehouse_message

# DuckDB settings of every analyst query connection (see the module docstring).
QUERY_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "lock_configuration": True,
    "python_enable_replacements": False,  # a table name never reads a Python variable of this process
}

# Table functions (and table macros) that only read: the catalog, generated series, JSON and the readers of files
# (which enable_external_access = false refuses with DuckDB's own message).
READ_ONLY_TABLE_FUNCTIONS: frozenset[str] = frozenset(
    {
        "duckdb_approx_database_count", "duckdb_columns", "duckdb_connection_count", "duckdb_constraints",
        "duckdb_coordinate_systems", "duckdb_databases", "duckdb_dependencies", "duckdb_extensions",
        "duckdb_external_file_cache", "duckdb_functions", "duckdb_indexes", "duckdb_keywords", "duckdb_log_contexts",
        "duckdb_logs", "duckdb_logs_parsed", "duckdb_memory", "duckdb_optimizers", "duckdb_prepared_statements",
        "duckdb_profiling_settings", "duckdb_schemas", "duckdb_secret_types", "duckdb_secrets", "duckdb_sequences",
        "duckdb_settings", "duckdb_table_sample", "duckdb_tables", "duckdb_temporary_files", "duckdb_types",
        "duckdb_variables", "duckdb_views",
        "pragma_collations", "pragma_database_size", "pragma_metadata_info", "pragma_platform", "pragma_show",
        "pragma_storage_info", "pragma_table_info", "pragma_user_agent", "pragma_version",
        "range", "generate_series", "unnest", "repeat", "repeat_row", "summary", "histogram", "histogram_values",
        "json_each", "json_tree", "query_table", "icu_calendar_names", "pg_timezone_names", "which_secret",
        "test_all_types", "test_vector_types",
        "read_csv", "read_csv_auto", "read_json", "read_json_auto", "read_json_objects", "read_json_objects_auto",
        "read_ndjson", "read_ndjson_auto", "read_ndjson_objects", "read_parquet", "parquet_scan", "parquet_metadata",
        "parquet_file_metadata", "parquet_full_metadata", "parquet_kv_metadata", "parquet_schema",
        "parquet_bloom_probe", "read_blob", "read_text", "read_duckdb", "glob", "sniff_csv",
    }
)  # fmt: skip
# Table functions refused: they change the database's state or write files (logging, profiling, checkpoints), run
# SQL the check cannot see (query, json_execute_serialized_sql) or scan this process's Python objects.
REFUSED_TABLE_FUNCTIONS: frozenset[str] = frozenset(
    {
        "enable_logging", "disable_logging", "truncate_duckdb_logs", "enable_profiling", "disable_profiling",
        "checkpoint", "force_checkpoint", "query", "json_execute_serialized_sql", "python_map_function",
        "pandas_scan", "arrow_scan", "arrow_scan_dumb", "seq_scan",
    }
)  # fmt: skip
_QUERY_TYPES = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN, duckdb.StatementType.CALL})
_LEADING = r"^\s*(?:(?:--[^\n]*(?:\n|$)|/\*.*?\*/)\s*)*"  # whitespace and comments before a statement's keyword
_CALL = re.compile(_LEADING + r"call\b", re.IGNORECASE | re.DOTALL)
_EXPLAIN = re.compile(_LEADING + r"explain\b(?:\s+analyze\b)?", re.IGNORECASE | re.DOTALL)


class RefusedQuery(ValueError):
    """A statement `etl sql` does not run: not a query, or a table function that is not read-only."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    snapshot: str | None = None  # a lake: the snapshot read (id and time)


@contextmanager
def query_connection(
    warehouse: Path, *, lake: LakeSpec | None = None, as_of: AsOf | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse that cannot reach other files or change its own settings.

    A lake is attached read-only (at ``as_of``, else its latest snapshot) first, then the same settings are set
    and locked: its catalog and Parquet files stay readable, nothing else is."""
    if lake is not None:
        with lake_connect(lake, read_only=True, as_of=as_of, config={"python_enable_replacements": False}) as conn:
            # its Parquet files stay readable (a folder; object storage is reached through DuckDB's own settings)
            conn.execute("set allowed_directories = ?", [[stored_data_path(conn)]])
            for name in ("enable_external_access", "lock_configuration"):  # locking last
                conn.execute(f"set {name} = {str(QUERY_CONFIG[name]).lower()}")
            yield conn
        return
    if not warehouse.exists():
        raise FileNotFoundError(missing_warehouse_message(warehouse))
    conn = duckdb.connect(str(warehouse), read_only=True, config=QUERY_CONFIG)
    try:
        yield conn
    finally:
        conn.close()


def run_query(
    warehouse: Path, sql: str, *, lake: LakeSpec | None = None, as_of: AsOf | None = None
) -> QueryResult | None:
    """Run ``sql`` (one or more statements) on a :func:`query_connection`; the last statement's result, if any."""
    with query_connection(warehouse, lake=lake, as_of=as_of) as conn:
        check_query(conn, sql)
        snapshot = current_snapshot(conn).describe() if lake is not None else None
        relation = conn.sql(sql)
        if relation is None:
            return None
        return QueryResult(list(relation.columns), relation.fetchall(), snapshot)


def check_query(conn: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise RefusedQuery unless every statement of ``sql`` is a query using read-only table functions only."""
    for statement in conn.extract_statements(sql):
        text = statement.query
        if statement.type not in _QUERY_TYPES:
            raise RefusedQuery(_refusal(text, f"{statement.type.name} statements are refused"))
        if statement.type == duckdb.StatementType.CALL:
            if not _CALL.match(text):  # CHECKPOINT, FORCE CHECKPOINT: CALLs without the keyword
                raise RefusedQuery(_refusal(text, "it changes the database"))
            text = _CALL.sub("select * from ", text, count=1)
        elif statement.type == duckdb.StatementType.EXPLAIN:
            text = _EXPLAIN.sub("", text, count=1)
        for name in _table_functions(conn, text):
            if name not in READ_ONLY_TABLE_FUNCTIONS:
                raise RefusedQuery(_refusal(statement.query, f"the table function {name}() is not a read-only one"))


def _table_functions(conn: duckdb.DuckDBPyConnection, select: str) -> list[str]:
    """The table functions a SELECT uses, anywhere in it (subqueries, joins, CTEs), as DuckDB's parser reads it."""
    row = conn.execute("select json_serialize_sql(?)", [select]).fetchone()
    tree = json.loads(row[0]) if row else {"error": True}
    if tree.get("error"):
        raise RefusedQuery(_refusal(select, f"it is not a query ({tree.get('error_message', 'unreadable')})"))
    found: list[str] = []
    pending: list[object] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if node.get("type") == "TABLE_FUNCTION":
                found.append(str(node.get("function", {}).get("function_name", "")).lower())
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def _refusal(statement: str, why: str) -> str:
    shown = " ".join(statement.split())
    shown = shown if len(shown) <= 120 else shown[:119] + "…"
    return (
        f"refused: {shown!r}: {why}. `etl sql` runs read-only queries (SELECT, SHOW, DESCRIBE, EXPLAIN, CALL of a "
        "read-only table function); nothing was run"
    )
