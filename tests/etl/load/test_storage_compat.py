"""Files other tools can open: an older DuckDB (1.1.3, as bundled by many BI drivers) reads the warehouse.

The old release is installed from PyPI into its own virtual environment under .cache/ the first time (about
10 s), then reused.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from filelock import FileLock

from etl.load.schema import apply_schema
from etl.load.storage import storage_tag
from etl.load.warehouse import connect
from etl.settings import PROJECT_ROOT, get_settings
from tests.conftest import SQL_DIR

OLD_DUCKDB = "1.1.3"
OLD_ENV = PROJECT_ROOT / ".cache" / f"duckdb-{OLD_DUCKDB}"

# Run by the old DuckDB: open read-only, list the mart views the file declares, query each of them.
QUERY_EVERY_MART_VIEW = textwrap.dedent(
    """
    import json, sys
    import duckdb

    result = {"version": duckdb.__version__}
    try:
        conn = duckdb.connect(sys.argv[1], read_only=True)
        views = [v for (v,) in conn.execute(
            "select view_name from duckdb_views() where schema_name = 'mart' order by view_name").fetchall()]
        result["rows"] = {v: conn.execute(f"select count(*) from mart.{v}").fetchone()[0] for v in views}
        result["columns"] = {v: [c for (c,) in conn.execute(
            "select column_name from duckdb_columns() where schema_name = 'mart' and table_name = ? "
            "order by column_index", [v]).fetchall()] for v in views}
    except Exception as exc:
        result["error"] = repr(exc)
    print(json.dumps(result))
    """
)


def old_duckdb_python() -> Path:
    """The interpreter of a virtual environment with the old DuckDB release, made once and cached."""
    python = OLD_ENV / "bin" / "python"
    OLD_ENV.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(OLD_ENV) + ".lock"):
        check = [str(python), "-c", "import duckdb; print(duckdb.__version__)"]
        if python.exists() and subprocess.run(check, capture_output=True, text=True).stdout.strip() == OLD_DUCKDB:
            return python
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(OLD_ENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"duckdb=={OLD_DUCKDB}"],
            check=True,
            timeout=600,
        )
    return python


def read_with_old_duckdb(warehouse: Path) -> dict[str, object]:
    result = subprocess.run(
        [str(old_duckdb_python()), "-c", QUERY_EVERY_MART_VIEW, str(warehouse)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(result.stdout))


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
    with connect(tmp_path / "configured.duckdb") as conn:
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
    assert rows["task_progress"] == 170


@pytest.mark.compat
def test_a_file_written_for_newer_releases_only_is_refused_by_duckdb_1_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the setting is what makes the file readable (ETL_STORAGE_VERSION names the format)."""
    monkeypatch.setenv("ETL_STORAGE_VERSION", "v1.5.0")
    warehouse = tmp_path / "new_format.duckdb"
    with connect(warehouse) as conn:
        apply_schema(conn, SQL_DIR)
    assert storage_tag(warehouse) == "v1.5.0+"
    seen = read_with_old_duckdb(warehouse)
    assert "version number" in str(seen.get("error")), seen
