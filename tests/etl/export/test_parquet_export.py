"""`mart` views as Parquet with a manifest, for tools that cannot open DuckDB files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from etl.export.parquet import MANIFEST, export_parquet


@pytest.fixture(scope="module")
def exported(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    # A read-only connection held in this process: the export can only share it if it opens read-only too.
    held = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        export_parquet(sample_warehouse, out)
    finally:
        held.close()
    return out


def test_every_mart_view_is_exported_and_described_by_the_manifest(sample_warehouse: Path, exported: Path) -> None:
    manifest = json.loads((exported / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["format"] == "parquet"
    with duckdb.connect(str(sample_warehouse), read_only=True) as conn:
        views = sorted(
            v for (v,) in conn.execute("select view_name from duckdb_views() where schema_name = 'mart'").fetchall()
        )
        assert [v["view"] for v in manifest["views"]] == [f"mart.{v}" for v in views]
        for entry in manifest["views"]:
            path = exported / entry["file"]
            assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
            assert path.stat().st_size == entry["bytes"]
            count = conn.execute(f"select count(*) from {entry['view']}").fetchone()
            assert count is not None and entry["rows"] == count[0]
            described = conn.execute(
                "select column_name, data_type, comment from duckdb_columns() where schema_name = 'mart' "
                "and table_name = ? order by column_index",
                [entry["view"].removeprefix("mart.")],
            ).fetchall()
            assert [(c["name"], c["type"], c["comment"]) for c in entry["columns"]] == described
            assert entry["comment"].startswith("Grain:")
    assert not list(exported.glob("*.partial"))


def test_the_parquet_files_hold_the_views_rows_with_their_types(sample_warehouse: Path, exported: Path) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as conn:
        for view in ("task_progress", "quarterly_completion", "indicator_yoy", "target_attainment"):
            in_view = conn.execute(f"select * from mart.{view} order by all").fetchall()
            parquet = str(exported / f"{view}.parquet")
            assert conn.execute("select * from read_parquet(?)", [parquet]).fetchall() == in_view, view
            view_types = conn.execute(f"select * from mart.{view} limit 0").description
            file_types = conn.execute("select * from read_parquet(?) limit 0", [parquet]).description
            assert [(d[0], str(d[1])) for d in file_types] == [(d[0], str(d[1])) for d in view_types]
    units = duckdb.execute(
        "select responsible_units from read_parquet(?) where task_no = 6 and year = 2024 and quarter = 2 limit 1",
        [str(exported / "task_progress.parquet")],
    ).fetchone()
    assert units == (["市经济和信息化局", "安庆高新区管委会"],)


def test_exporting_again_gives_the_same_files(sample_warehouse: Path, exported: Path, tmp_path: Path) -> None:
    again = export_parquet(sample_warehouse, tmp_path)
    first = json.loads((exported / MANIFEST).read_text(encoding="utf-8"))
    assert [v.sha256 for v in again.views] == [v["sha256"] for v in first["views"]]


def test_a_missing_warehouse_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist yet"):
        export_parquet(tmp_path / "none.duckdb", tmp_path / "out")
    assert not (tmp_path / "none.duckdb").exists()
