"""`etl export`, `etl docs` and `etl report`: read-only commands for analysts and BI tools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.flows.cli import app
from tests.conftest import flat

runner = CliRunner()


def test_export_writes_parquet_and_a_manifest(sample_warehouse: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--format", "parquet", str(tmp_path / "out"), "-w", str(sample_warehouse)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert {v["file"] for v in manifest["views"]} <= {p.name for p in (tmp_path / "out").glob("*.parquet")}
    assert "parquet file(s) and manifest.json" in flat(result.output)


def test_export_refuses_an_unknown_format(sample_warehouse: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--format", "csv", str(tmp_path / "out"), "-w", str(sample_warehouse)])
    assert result.exit_code == 2
    assert "the formats are: parquet" in flat(result.output)
    assert not (tmp_path / "out").exists()


def test_export_of_a_missing_warehouse_fails_without_creating_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", str(tmp_path / "out"), "-w", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "does not exist yet" in flat(result.output)
    assert not (tmp_path / "none.duckdb").exists()


def test_docs_from_the_warehouse_and_from_sql_alone_are_the_same(sample_warehouse: Path, tmp_path: Path) -> None:
    from_file = runner.invoke(app, ["docs", "--out", str(tmp_path / "a"), "-w", str(sample_warehouse)])
    from_sql = runner.invoke(app, ["docs", "--schema-only", "--out", str(tmp_path / "b")])
    assert from_file.exit_code == 0 and from_sql.exit_code == 0, from_file.output + from_sql.output
    for name in ("data_dictionary.md", "data_dictionary.html"):
        assert (tmp_path / "a" / name).read_text(encoding="utf-8") == (tmp_path / "b" / name).read_text(
            encoding="utf-8"
        )
        assert name in "".join(from_file.output.split())


def test_report_prints_the_path_it_wrote(sample_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "-w", str(sample_warehouse), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists()
    assert str(out.resolve()) in "".join(result.output.split())  # the path, with rich's line wrapping undone
    assert "5 charts" in flat(result.output)


def test_report_file_comes_from_the_environment(
    sample_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ETL_REPORT_FILE", str(tmp_path / "env.html"))
    result = runner.invoke(app, ["report", "-w", str(sample_warehouse)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env.html").exists()
