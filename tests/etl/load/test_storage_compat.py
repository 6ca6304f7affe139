"""Files other tools can open: an older DuckDB (1.1.3, as bundled by many BI drivers) reads the warehouse.

The old releases are installed from PyPI into their own virtual environments under .cache/ the first time
(about 10 s each), then reused (tests/etl/load/old_duckdb.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.load import storage
from etl.load.schema import apply_schema
from etl.load.storage import storage_tag
from etl.load.warehouse import connect
from etl.settings import get_settings
from tests.conftest import SAMPLES, SQL_DIR
from tests.etl.load.old_duckdb import OLD_DUCKDB, OTHER_OLD_DUCKDBS, quarter_dump, read_with_old_duckdb


def current_mart(warehouse: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    with connect(warehouse, read_only=True) as conn:
        views = [
            v for (v,) in conn.execute("select view_name from duckdb_views() where schema_name = 'mart'").fetchall()
        ]
        rows = {}
        columns = {}
        for view in views:
            count = conn.execute(f"select count(*) from mart.{view}").fetchone()
            assert count is not None
            rows[view] = int(count[0])
            columns[view] = [
                c
                for (c,) in conn.execute(
                    "select column_name from duckdb_columns() where schema_name = 'mart' and table_name = ? "
                    "order by column_index",
                    [view],
                ).fetchall()
            ]
    return rows, columns


def test_the_default_storage_version_is_one_duckdb_1_1_reads() -> None:
    assert get_settings().storage_version == "v1.1.0"


def test_new_warehouse_files_get_the_configured_storage_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with connect(tmp_path / "default.duckdb") as conn:
        apply_schema(conn, SQL_DIR)
    assert storage_tag(tmp_path / "default.duckdb") == "v1.0.0+"  # what DuckDB calls the v1.1 format
    monkeypatch.setenv("ETL_STORAGE_VERSION", "v1.2.0")
    with connect(tmp_path / "configured.duckdb", storage_version=get_settings().storage_version) as conn:
        apply_schema(conn, SQL_DIR)
    assert storage_tag(tmp_path / "configured.duckdb") == "v1.2.0+"
    with connect(tmp_path / "default.duckdb") as conn:  # an existing file keeps the format it was created in
        conn.execute("create table ops.scratch (a integer)")
    assert storage_tag(tmp_path / "default.duckdb") == "v1.0.0+"


@pytest.mark.compat
def test_duckdb_1_1_opens_the_warehouse_and_queries_every_mart_view(sample_warehouse: Path) -> None:
    assert storage_tag(sample_warehouse) == "v1.0.0+"
    seen = read_with_old_duckdb(sample_warehouse)
    assert seen["version"] == OLD_DUCKDB
    assert "error" not in seen, seen["error"]
    rows, columns = current_mart(sample_warehouse)
    assert len(rows) >= 7 and {"task_progress", "quarterly_completion", "target_attainment"} <= set(rows)
    assert seen["rows"] == rows  # the same views, the same answers, in DuckDB 1.1.3 and in the current release
    assert seen["columns"] == columns
    assert rows["task_progress"] == 136


@pytest.mark.compat
def test_a_file_written_for_newer_releases_only_is_refused_by_duckdb_1_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the setting is what makes the file readable (ETL_STORAGE_VERSION names the format)."""
    monkeypatch.setenv("ETL_STORAGE_VERSION", "v1.5.0")
    warehouse = tmp_path / "new_format.duckdb"
    with connect(warehouse, storage_version=get_settings().storage_version) as conn:
        apply_schema(conn, SQL_DIR)
    assert storage_tag(warehouse) == "v1.5.0+"
    seen = read_with_old_duckdb(warehouse)
    assert "version number" in str(seen.get("error")), seen


def _ingest(paths: list[Path], warehouse: Path) -> int:
    """`etl ingest PATH… -w WAREHOUSE` in this process (so a test can change the library's configuration), on the
    session's Prefect server; its exit code."""
    import typer

    from etl.flows import cli

    try:
        cli.ingest(paths=paths, warehouse=warehouse)
    except typer.Exit as exc:
        return int(exc.exit_code)
    return 0


def _the_reported_sequence(tmp_path: Path) -> Path:
    """Issue 13's sequence: the bundled samples, then a good new quarter together with a junk text file."""
    warehouse = tmp_path / "w.duckdb"
    assert _ingest([SAMPLES], warehouse) == 0
    junk = tmp_path / "junk.txt"
    junk.write_text("this is not a report\n", encoding="utf-8")
    assert _ingest([quarter_dump(tmp_path, 2025, 1), junk], warehouse) == 1
    return warehouse


@pytest.mark.compat
@pytest.mark.prefect
def test_the_reported_sequence_leaves_a_file_old_duckdb_releases_open(tmp_path: Path, prefect_api_url: str) -> None:
    warehouse = _the_reported_sequence(tmp_path)
    rows, columns = current_mart(warehouse)
    assert rows["task_progress"] == 136 + 34
    for version in (OLD_DUCKDB, *OTHER_OLD_DUCKDBS):
        seen = read_with_old_duckdb(warehouse, version)
        assert seen["version"] == version
        assert "error" not in seen, (version, seen["error"])
        assert seen["rows"] == rows and seen["columns"] == columns


@pytest.mark.compat
@pytest.mark.prefect
def test_the_cause_is_duckdbs_metadata_reuse_and_the_next_run_repairs_the_file(
    tmp_path: Path, prefect_api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: with DuckDB's default (experimental_metadata_reuse on) the same sequence breaks the file for
    DuckDB 1.1.3 (as release 0.1.0 did); one run of today's code, which writes with it off, repairs it."""
    with monkeypatch.context() as patched:
        patched.setattr(storage, "WRITER_CONFIG", {"experimental_metadata_reuse": True})
        warehouse = _the_reported_sequence(tmp_path)
    broken = read_with_old_duckdb(warehouse)
    if "error" not in broken:
        # Whether the sequence trips DuckDB's bug depends on the exact table layout: it did on release 0.1.0's and
        # 45f65da…c29127c's schema; after issue 15's migrations 0030/0031 and mart views it no longer does (also not
        # after six more quarters with junk). The control is reported as skipped, not passed, until a sequence that
        # trips it on today's schema is found (owner of this test: see /work/notes/issue-15-marts.md).
        pytest.skip("control not reproduced: with metadata reuse on, this sequence no longer breaks the file")
    assert "Failed to load metadata pointer" in str(broken.get("error")), broken
    assert _ingest([quarter_dump(tmp_path, 2025, 2)], warehouse) == 0
    repaired = read_with_old_duckdb(warehouse)
    assert "error" not in repaired, repaired["error"]
    assert repaired["rows"] == current_mart(warehouse)[0]
