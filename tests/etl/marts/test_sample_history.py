"""The bundled sample history tells the truth: the real 2024 Q3 report is what the default warehouse shows for 2024 Q3,
and the synthetic quarters are labelled and made from it by the rules of scripts/make_synthetic_samples.py."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from etl.declared import read_sidecar
from etl.extract.source import read_source
from etl.load.schema import apply_schema
from etl.load.warehouse import connect
from etl.metrics.catalog import load_catalog
from etl.parse.report import parse_report
from etl.settings import PROJECT_ROOT
from tests.conftest import INDICATORS, REAL_TEXT_DUMP, SAMPLES, SQL_DIR, SYNTHETIC, load_report


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_synthetic_samples", PROJECT_ROOT / "scripts" / "make_synthetic_samples.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_trap_the_real_report_is_current_for_its_quarter(sample_warehouse: Path) -> None:
    with connect(sample_warehouse, read_only=True) as conn:
        current = conn.execute(
            "select source_file, revision_label, is_synthetic from mart.report_versions "
            "where year = 2024 and quarter = 3 and is_current"
        ).fetchall()
        base_stations = conn.execute(
            "select figure_text from mart.metric_observation where year = 2024 and quarter = 3 "
            "and indicator = 'new_5g_base_stations' and kind = 'actual'"
        ).fetchall()
    assert current == [(REAL_TEXT_DUMP.name, None, False)]
    assert base_stations == [("1152个",)]  # as the real text says (2024年已新建5G基站1152个)


def test_the_re_issue_is_of_a_synthetic_quarter_and_outranks_its_original(sample_warehouse: Path) -> None:
    with connect(sample_warehouse, read_only=True) as conn:
        versions = conn.execute(
            "select year, quarter, revision_label, is_current, superseded_by is not null, is_synthetic "
            "from mart.report_versions where revision_label is not null or not is_current order by all"
        ).fetchall()
    assert versions == [(2024, 2, "修订", True, False, True), (2024, 2, None, False, True, True)]


def test_every_synthetic_file_is_labelled_in_its_metadata_its_name_and_the_manifest() -> None:
    manifest = json.loads((SAMPLES / "synthetic_manifest.json").read_text(encoding="utf-8"))
    assert sorted(entry["file"] for entry in manifest) == sorted(path.name for path in SYNTHETIC)
    assert all(entry["synthetic"] is True and entry["derived_from"] == REAL_TEXT_DUMP.name for entry in manifest)
    assert all("synthetic" in path.name for path in SYNTHETIC)
    for path in SYNTHETIC:  # the loader's label is the declared metadata, never the name
        declared = read_sidecar(path)
        assert declared is not None and declared.synthetic, path.name
    assert read_sidecar(REAL_TEXT_DUMP) is None


def test_a_synthetic_report_is_labelled_by_its_metadata_not_its_name(tmp_path: Path) -> None:
    """The defect: marts told synthetic reports by `file_name ilike '%synthetic%'`: a real report named so was
    labelled synthetic and a synthetic one named otherwise was not."""
    real_named_synthetic = tmp_path / "real_synthetic_copy.txt"
    real_named_synthetic.write_bytes(REAL_TEXT_DUMP.read_bytes())
    synthetic = tmp_path / "2024Q1.txt"
    synthetic.write_bytes(SYNTHETIC[1].read_bytes())
    (tmp_path / "2024Q1.txt.meta.yaml").write_text("synthetic: true\n", encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as conn:
        apply_schema(conn, SQL_DIR)
        for path in (real_named_synthetic, synthetic):
            load_report(conn, parse_report(read_source(path), read_sidecar(path)))
        rows = conn.execute("select source_file, is_synthetic from mart.report_versions order by all").fetchall()
        completion = conn.execute(
            "select source_file, is_synthetic from mart.quarterly_completion order by all"
        ).fetchall()
    assert rows == [("2024Q1.txt", True), ("real_synthetic_copy.txt", False)]
    assert completion == rows


def test_the_committed_synthetic_files_are_what_the_rules_make() -> None:
    """Regenerating from the real dump gives the committed bytes: the derivation is the documented one."""
    module = generator()
    real_lines = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
    catalog = load_catalog(INDICATORS).indicators
    for spec in module.ALL:
        lines, _ = module.synthesize(real_lines, spec, catalog)
        assert "\n".join(lines) == (SAMPLES / spec.file_name).read_text(encoding="utf-8"), spec.file_name


def test_figure_rules_move_every_indicator_figure_by_its_measure() -> None:
    manifest = {e["file"]: e for e in json.loads((SAMPLES / "synthetic_manifest.json").read_text(encoding="utf-8"))}
    q1 = {(e["old"], e["new"]) for e in manifest["2024Q1_市工信局_synthetic.txt"]["edits"]}
    assert ("1152个", "346个") in q1  # cumulative × 0.30
    assert ("98%", "91%") in q1  # level − 7 pp
    assert ("31.3%", "14.1%") in q1  # rate × 0.45
    assert ("前三季度", "一季度") in q1  # periods follow the quarter
    previous = {(e["old"], e["new"]) for e in manifest["2023Q3_市工信局_synthetic.txt"]["edits"]}
    assert ("31.3%", "18.2%") in previous and ("1152个", "945个") in previous
