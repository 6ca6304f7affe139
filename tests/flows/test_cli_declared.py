"""Declared metadata from the command line, as a user runs `etl` (real processes, real flows): a page saved without
its title (绍兴 市政府 2021 Q3, tests/fixtures/real_tables, derived) loads with --issuer and --period, through the
library and through the Prefect flow; what contradicts the document is refused naming both."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.load.warehouse import connect
from tests.conftest import REAL_TABLES, flat, run_etl

Q3 = REAL_TABLES / "shaoxing_shizhengfu_2021q3" / "shaoxing_shizhengfu_2021q3.html"
H1 = REAL_TABLES / "shaoxing_shizhengfu_2021q2" / "shaoxing_shizhengfu_2021q2.txt"


def _periods(warehouse: Path) -> list[tuple[object, ...]]:
    with connect(warehouse, read_only=True) as conn:
        return conn.execute(
            "select issuer, year, period_kind, period_end_month, period_label, tasks from mart.quarterly_completion "
            "order by all"
        ).fetchall()


@pytest.mark.prefect
@pytest.mark.parametrize("prefect", ["--no-prefect", "--prefect"])
def test_a_page_without_title_loads_with_declared_issuer_and_period(
    tmp_path: Path, prefect_api_url: str, prefect: str
) -> None:
    warehouse = tmp_path / "w.duckdb"
    refused = run_etl(["ingest", str(Q3), "-w", str(warehouse), prefect], prefect_api_url)
    assert refused.returncode == 1
    assert "no title above the table names issuer, year and period: declare them" in flat(refused.stderr)
    args = ["ingest", str(Q3), "-w", str(warehouse), prefect, "--issuer", "绍兴市政府", "--period", "2021Q3"]
    loaded = run_etl(args, prefect_api_url)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert _periods(warehouse) == [("绍兴市政府", 2021, "quarter", 9, None, 1)]


@pytest.mark.prefect
def test_declared_metadata_that_contradicts_the_title_is_refused_naming_both(
    tmp_path: Path, prefect_api_url: str
) -> None:
    warehouse = tmp_path / "w.duckdb"
    wrong = run_etl(["ingest", str(H1), "-w", str(warehouse), "--period", "2021Q3"], prefect_api_url)
    assert wrong.returncode == 1
    assert "declared period 2021Q3 (三季度 (quarter ending in month 9)) does not agree with the title's 半年度" in (
        flat(wrong.stderr)
    )
    right = run_etl(["ingest", str(H1), "-w", str(warehouse), "--issuer", "绍兴市政府"], prefect_api_url)
    assert right.returncode == 0, right.stdout + right.stderr
    assert _periods(warehouse) == [("绍兴市政府", 2021, "half_year", 6, "半年度", 1)]


def test_check_takes_the_declared_metadata_and_a_malformed_period_is_a_usage_error(
    tmp_path: Path, prefect_api_url: str
) -> None:
    checked = run_etl(["check", str(Q3), "--issuer", "绍兴市政府", "--period", "2021Q3"], prefect_api_url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "绍兴市政府 2021" in flat(checked.stdout) and "template one_row_progress" in flat(checked.stdout)
    malformed = run_etl(["check", str(Q3), "--period", "2021-Q3"], prefect_api_url)
    assert malformed.returncode == 2
    assert "not of the form YEAR + Q1-Q4, H1, M1-M12 or Y" in flat(malformed.stderr)
