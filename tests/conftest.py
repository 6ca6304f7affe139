"""Shared fixtures: the bundled real report and temporary warehouses."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from etl.extract.source import read_source
from etl.extract.text_dump import read_text_dump
from etl.load.schema import apply_schema
from etl.load.seeds import seed_indicator_catalog
from etl.load.warehouse import LoadResult, connect, load_report
from etl.metrics.catalog import load_catalog
from etl.models import Report
from etl.parse.report import parse_report
from etl.settings import PROJECT_ROOT

SAMPLES = PROJECT_ROOT / "data" / "samples"
REAL_TEXT_DUMP = SAMPLES / "2024Q3_市工信局_政府工作报告任务完成情况.txt"
REAL_PDF = SAMPLES / "2024Q3_市工信局_政府工作报告任务完成情况.pdf"
SQL_DIR = PROJECT_ROOT / "sql"
INDICATORS = PROJECT_ROOT / "data" / "indicators.yaml"
SYNTHETIC = sorted(SAMPLES.glob("*synthetic*.txt"))


@pytest.fixture(scope="session")
def real_report() -> Report:
    """The bureau's real 2024 Q3 report, parsed from the text dump as delivered."""
    return parse_report(read_text_dump(REAL_TEXT_DUMP))


@pytest.fixture
def real_dump_lines() -> list[str]:
    return REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")


def write_dump(tmp_path: Path, lines: list[str], name: str = "report.txt") -> Path:
    """A text dump made from (possibly edited) lines of the real one."""
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def build_warehouse(path: Path, files: Iterable[Path]) -> list[LoadResult]:
    """A warehouse loaded with the library alone (no Prefect), in the order given."""
    with connect(path) as conn:
        apply_schema(conn, SQL_DIR)
        seed_indicator_catalog(conn, load_catalog(INDICATORS))
        return [load_report(conn, parse_report(read_source(file))) for file in files]


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real report, its PDF and the synthetic history, loaded once for the view tests (read-only use)."""
    path = tmp_path_factory.mktemp("samples") / "warehouse.duckdb"
    build_warehouse(path, [REAL_TEXT_DUMP, REAL_PDF, *SYNTHETIC])
    return path
