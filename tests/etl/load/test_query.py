"""`etl sql`'s statement check (etl.load.query.check_query): queries run, statements and table functions that change
the database or write files are refused before DuckDB sees them (issue 22, defect 11)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.load.query import (
    READ_ONLY_TABLE_FUNCTIONS,
    REFUSED_TABLE_FUNCTIONS,
    RefusedQuery,
    check_query,
    run_query,
)
from tests.conftest import REAL_TEXT_DUMP, build_warehouse

# DuckDB's statements and functions that write files or change the database's state: each is refused.
WRITING = [
    "call enable_logging(storage='file', storage_path='/tmp')",  # aborted the process (exit 134) before
    "select * from enable_logging(storage='file', storage_path='/tmp')",
    "call enable_logging()",
    "call disable_logging()",
    "call truncate_duckdb_logs()",
    "call enable_profiling(save_location='/tmp/profile.txt')",
    "call disable_profiling()",
    "call checkpoint()",
    "checkpoint",
    "force checkpoint",
    "call force_checkpoint()",
    "with c as (from force_checkpoint()) select * from c",
    "select 1 from range(2) join (select * from checkpoint()) on true",
    "explain analyze select * from checkpoint()",
    "/* comment */ CALL \"enable_logging\"()",
    "select 1; call checkpoint()",
    "pragma enable_profiling",
    "pragma enable_checkpoint_on_shutdown",
    "pragma disable_checkpoint_on_shutdown",
    "pragma force_checkpoint",
    "pragma enable_object_cache",
    "pragma add_parquet_key('k', '0123456789112345')",
    "pragma copy_database('a', 'b')",
    "pragma enable_verification",
    "select * from query('call checkpoint()')",
    "select * from json_execute_serialized_sql('{}')",
    "vacuum",
    "load icu",
    "install icu",
    "create temp table t as select 1",
    "set enable_external_access = true",
    "copy (select 1) to '/tmp/x.csv'",
    "export database '/tmp/x'",
    "attach '/tmp/x.duckdb' as x",
    "detach memory",
    "use memory",
    "begin transaction",
    "prepare p as select 1",
]
QUERIES = [
    "select count(*) from mart.task_progress",
    "-- a comment\nfrom core.report",
    "show all tables",
    "describe mart.task_progress",
    "summarize core.report",
    "pragma show_tables_expanded",
    "pragma table_info('core.report')",
    "call pragma_table_info('core.report')",
    "call duckdb_tables()",
    "explain select 1",
    "select * from duckdb_views() join range(2) on true",
    "with a as (select * from unnest([1, 2])) select * from a",
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("query") / "w.duckdb"
    build_warehouse(path, [REAL_TEXT_DUMP])
    return path


@pytest.mark.parametrize("sql", WRITING)
def test_statements_that_write_or_change_state_are_refused_before_they_run(sql: str) -> None:
    with duckdb.connect() as conn, pytest.raises(RefusedQuery, match=r"^refused: .*nothing was run"):
        check_query(conn, sql)


@pytest.mark.parametrize("sql", QUERIES)
def test_queries_run(warehouse: Path, sql: str) -> None:
    result = run_query(warehouse, sql)
    assert result is not None and result.rows


def test_every_table_function_of_this_duckdb_is_listed_as_read_only_or_refused() -> None:
    """A table function a newer DuckDB adds is refused until someone reads what it does and lists it."""
    with duckdb.connect() as conn:
        names = {
            str(name)
            for (name,) in conn.execute(
                "select distinct function_name from duckdb_functions() where function_type in ('table', 'table_macro')"
            ).fetchall()
        }
    assert not READ_ONLY_TABLE_FUNCTIONS & REFUSED_TABLE_FUNCTIONS
    assert names - READ_ONLY_TABLE_FUNCTIONS - REFUSED_TABLE_FUNCTIONS == set()


def test_a_file_reader_is_left_to_duckdbs_own_refusal(warehouse: Path) -> None:
    with pytest.raises(duckdb.PermissionException, match="disabled by configuration"):
        run_query(warehouse, "select * from read_csv('/etc/passwd')")
