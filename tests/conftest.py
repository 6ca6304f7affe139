"""Shared fixtures: the bundled real report and temporary warehouses."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.extract.text_dump import read_text_dump
from etl.models import Report
from etl.parse.report import parse_report
from etl.settings import PROJECT_ROOT

SAMPLES = PROJECT_ROOT / "data" / "samples"
REAL_TEXT_DUMP = SAMPLES / "2024Q3_市工信局_政府工作报告任务完成情况.txt"
REAL_PDF = SAMPLES / "2024Q3_市工信局_政府工作报告任务完成情况.pdf"
SQL_DIR = PROJECT_ROOT / "sql"


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
