"""The SQLAlchemy routes BI tools take into ``duckdb:///path``, as the field uses them:

- SQLAlchemy 2 with the duckdb-sqlalchemy dialect (the `bi` extra): pandas, notebooks, SQLAlchemy-2 tools; in this
  environment (SQLAlchemy 2.1) and in a virtual environment with SQLAlchemy 2.0;
- Superset's: duckdb-engine 0.17 on SQLAlchemy 1.4 (`apache-superset[duckdb]`; Superset 5 and 6 pin sqlalchemy<2, and
  duckdb-sqlalchemy needs SQLAlchemy 2), in a virtual environment the test makes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from etl.extract.source import read_source
from etl.load.publish import staged_warehouse
from etl.load.schema import apply_schema
from etl.load.seeds import seed_indicator_catalog
from etl.load.warehouse import connect
from etl.metrics.catalog import load_catalog
from etl.parse.report import parse_report
from tests.conftest import INDICATORS, REAL_TEXT_DUMP, SQL_DIR, SYNTHETIC, load_report
from tests.etl.load.bi_inspection import check_every_inspector_call
from tests.etl.load.old_duckdb import cached_venv

READ_ONLY = {"read_only": True}
TASK_ROWS = "select count(*) from mart.task_progress"
SQLALCHEMY_2_0 = "2.0.58"  # the latest 2.0 release on the package index (2.1.x is in the project's environment)
BI_INSPECTION = Path(__file__).with_name("bi_inspection.py")
# Superset's own [duckdb] extra: duckdb-engine on SQLAlchemy 1.4 (Superset pins sqlalchemy<2); pytz as Superset has it
SUPERSET_ROUTE = {"duckdb-engine": "0.17.0", "sqlalchemy": "1.4.54", "pytz": "2026.6"}
BI_SUPERSET = Path(__file__).with_name("bi_superset.py")


def url(warehouse: Path) -> str:
    return f"duckdb:///{warehouse}"


def publish(warehouse: Path, files: Iterable[Path]) -> None:
    with staged_warehouse(warehouse) as staging, connect(staging) as conn:
        apply_schema(conn, SQL_DIR)
        seed_indicator_catalog(conn, load_catalog(INDICATORS))
        for file in files:
            load_report(conn, parse_report(read_source(file)))


def a_writer_can_open(warehouse: Path) -> bool:
    """Whether another process can open the file for writing now (as a direct, unstaged writer would)."""
    result = subprocess.run(
        [sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1]).close()", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        assert "lock" in result.stderr.lower(), result.stderr
    return result.returncode == 0


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    publish(path, [REAL_TEXT_DUMP])
    return path


def test_the_inspector_lists_schemas_tables_and_views_and_a_view_can_be_queried(sample_warehouse: Path) -> None:
    engine = sa.create_engine(url(sample_warehouse), connect_args=READ_ONLY, poolclass=NullPool)
    inspector = sa.inspect(engine)
    database = sample_warehouse.stem  # the dialect names schemas database.schema
    schemas = set(inspector.get_schema_names())
    assert {f"{database}.{layer}" for layer in ("raw", "core", "staging", "mart", "ops")} <= schemas
    assert {"source_file", "extracted_cell"} <= set(inspector.get_table_names(schema="raw"))
    assert {"report", "task_row", "metric", "indicator"} <= set(inspector.get_table_names(schema="core"))
    with connect(sample_warehouse, read_only=True) as conn:
        mart_views = {
            v for (v,) in conn.execute("select view_name from duckdb_views() where schema_name = 'mart'").fetchall()
        }
    assert set(inspector.get_view_names(schema="mart")) == mart_views
    assert {"task_progress", "quarterly_completion", "indicator_yoy", "target_attainment"} <= mart_views
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "select year, quarter, tasks_completed, tasks from mart.quarterly_completion "
                "where year = :year order by quarter"
            ),
            {"year": 2024},
        ).all()
    assert [tuple(row) for row in rows] == [(2024, 1, 12, 17), (2024, 2, 14, 17), (2024, 3, 15, 17)]
    engine.dispose()


def test_writes_are_refused_on_a_read_only_engine(warehouse: Path) -> None:
    engine = sa.create_engine(url(warehouse), connect_args=READ_ONLY, poolclass=NullPool)
    with pytest.raises(sa.exc.DBAPIError, match="read-only"), engine.connect() as conn:
        conn.execute(sa.text("delete from core.report"))


def test_a_pooled_engine_keeps_the_file_open_after_its_with_block(warehouse: Path) -> None:
    engine = sa.create_engine(url(warehouse), connect_args=READ_ONLY)  # SQLAlchemy's default: a QueuePool
    with engine.connect() as conn:
        assert conn.execute(sa.text(TASK_ROWS)).scalar_one() == 34
    # The connection went back to the pool, still open: it still holds DuckDB's lock on the file.
    assert not a_writer_can_open(warehouse)
    engine.dispose()
    assert a_writer_can_open(warehouse)


def test_a_null_pool_engine_releases_the_file_when_its_with_block_ends(warehouse: Path) -> None:
    engine = sa.create_engine(url(warehouse), connect_args=READ_ONLY, poolclass=NullPool)
    with engine.connect() as conn:
        assert conn.execute(sa.text(TASK_ROWS)).scalar_one() == 34
        assert not a_writer_can_open(warehouse)
    assert a_writer_can_open(warehouse)


def test_a_pooled_engine_reads_the_state_it_opened_until_disposed_null_pool_the_latest(warehouse: Path) -> None:
    """Staged publishing never waits for readers; a pooled connection just goes on reading the replaced file."""
    pooled = sa.create_engine(url(warehouse), connect_args=READ_ONLY)
    with pooled.connect() as conn:
        assert conn.execute(sa.text(TASK_ROWS)).scalar_one() == 34
    publish(warehouse, SYNTHETIC)  # a scheduled load while the BI tool is connected
    with pooled.connect() as conn:
        assert conn.execute(sa.text(TASK_ROWS)).scalar_one() == 34  # stale: the file it opened before the load
    pooled.dispose()
    fresh = sa.create_engine(url(warehouse), connect_args=READ_ONLY, poolclass=NullPool)
    with fresh.connect() as conn:
        assert conn.execute(sa.text(TASK_ROWS)).scalar_one() == 34 + 3 * 34  # 2023 Q3, 2024 Q1, Q2 (修订)


def test_the_dialect_behind_duckdb_urls_is_duckdb_sqlalchemy(sample_warehouse: Path) -> None:
    """The `bi` extra's dialect (duckdb-engine registers the same `duckdb://` name and fails the calls below)."""
    engine = sa.create_engine(url(sample_warehouse), connect_args=READ_ONLY, poolclass=NullPool)
    assert type(engine.dialect).__module__.startswith("duckdb_sqlalchemy")


def test_every_inspector_call_a_bi_tool_makes_works(sample_warehouse: Path) -> None:
    """What Superset, Metabase-over-SQLAlchemy and pandas call before they query, against the real catalog."""
    checked = check_every_inspector_call(sample_warehouse)
    assert checked["sqlalchemy"] == sa.__version__ and str(checked["dialect"]).startswith("duckdb_sqlalchemy")
    assert int(str(checked["calls"])) > 100  # every table of raw/core/ops and every mart view was inspected


@pytest.mark.compat
def test_every_inspector_call_works_with_sqlalchemy_2_0(sample_warehouse: Path) -> None:
    """The same calls with SQLAlchemy 2.0 (tools on SQLAlchemy 2 that have not moved to 2.1), in a virtual environment
    under .cache/ with this project's duckdb, duckdb-sqlalchemy and pandas: only SQLAlchemy differs."""
    pins = {dist: version(dist) for dist in ("duckdb", "duckdb-sqlalchemy", "pandas")}
    python = cached_venv(f"sqlalchemy-{SQLALCHEMY_2_0}", {"sqlalchemy": SQLALCHEMY_2_0, **pins})
    result = subprocess.run(
        [str(python), str(BI_INSPECTION), str(sample_warehouse)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-5000:]
    checked = json.loads(result.stdout.strip().splitlines()[-1])
    assert checked["sqlalchemy"] == SQLALCHEMY_2_0 and checked["dialect"].startswith("duckdb_sqlalchemy")
    assert checked["duckdb"] == pins["duckdb"] and checked["pandas"] == pins["pandas"]
    assert checked["calls"] == check_every_inspector_call(sample_warehouse)["calls"]


@pytest.mark.compat
def test_supersets_route_duckdb_engine_on_sqlalchemy_1_4(sample_warehouse: Path) -> None:
    """Superset's route, call by call (tests/etl/load/bi_superset.py): every mart view's columns and comments, a query
    of each mart, the IN and LIKE filters Superset builds, a SUM metric; in a virtual environment under .cache/ with
    duckdb-engine 0.17.0, SQLAlchemy 1.4 and this project's duckdb."""
    python = cached_venv("superset-duckdb-engine", {**SUPERSET_ROUTE, "duckdb": version("duckdb")})
    result = subprocess.run(
        [str(python), str(BI_SUPERSET), str(sample_warehouse)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-5000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert (seen["sqlalchemy"], seen["dialect"], seen["duckdb"]) == ("1.4.54", "duckdb_engine", version("duckdb"))
    # schemas are listed as <file name>.<schema>: a BI user picks mart and writes mart.<view> (docs/analysts.md)
    assert {f"{sample_warehouse.stem}.{s}" for s in ("raw", "core", "staging", "mart", "ops")} <= set(seen["schemas"])
    with connect(sample_warehouse, read_only=True) as conn:
        counts = {
            v: conn.execute(f"select count(*) from mart.{v}").fetchone()[0]  # type: ignore[index]
            for (v,) in conn.execute("select view_name from duckdb_views() where schema_name = 'mart'").fetchall()
        }
        lists = conn.execute(
            "select table_name || '.' || column_name from duckdb_columns() where schema_name = 'mart' "
            "and data_type like '%[]' order by 1"
        ).fetchall()
    assert seen["rows"] == counts and len(counts) >= 12  # every mart queried, every value converted
    # lists are untyped for this dialect ("Did not recognize type 'list'"): the _text columns beside them are read
    assert seen["untyped"] == [name for (name,) in lists]
    assert seen["tasks_of_unit"] == seen["tasks_like_unit"] == 17  # filtering by unit: mart.task_units, _text
    assert "can't be cast to the destination type VARCHAR[]" in seen["in_on_list"]  # why those exist
    assert seen["sum_types"] == ["HUGEINT", "BIGINT"] and seen["sums"] == [68, 68]  # SUM is HUGEINT: CAST it
    assert seen["loaded_at_has_zone"] is True
