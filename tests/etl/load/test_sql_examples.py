"""Each example query in sql/examples runs on the bundled samples and answers what its comment says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from etl.load.warehouse import connect
from tests.conftest import SQL_DIR

EXAMPLES = SQL_DIR / "examples"


def run_example(warehouse: Path, name: str) -> list[dict[str, Any]]:
    with connect(warehouse, read_only=True) as conn:
        relation = conn.sql((EXAMPLES / name).read_text(encoding="utf-8"))
        columns = relation.columns
        return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def test_every_example_is_tested() -> None:
    assert {path.name for path in EXAMPLES.glob("*.sql")} == {
        "completion_rate_by_office.sql",
        "indicators_behind_elapsed_share.sql",
        "yoy_5g_base_stations.sql",
        "tasks_that_changed_status.sql",
        "open_tasks.sql",
    }


def test_completion_rate_by_office(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "completion_rate_by_office.sql")
    overall = [(r["year"], r["quarter"], r["completion_rate"]) for r in rows if r["office"] == "(all offices)"]
    assert overall == [(2023, 3, 0.8824), (2024, 1, 0.7059), (2024, 2, 0.8235), (2024, 3, 0.8824), (2024, 4, 0.9412)]
    small_business_office = [r["completion_rate"] for r in rows if r["office"] == "中小办" and r["year"] == 2024]
    assert small_business_office == [0.25, 0.5, 0.5, 0.75]  # tasks 1, 12, 19, 22


def test_indicators_behind_elapsed_share(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "indicators_behind_elapsed_share.sql")
    assert rows, "the sample history has targets behind schedule"
    assert all(r["attainment"] < r["elapsed_share"] for r in rows)


def test_yoy_5g_base_stations(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "yoy_5g_base_stations.sql")
    q3 = [r for r in rows if (r["year"], r["quarter"]) == (2024, 3)]
    assert q3 == [
        {
            "issuer": "市工信局",
            "year": 2024,
            "quarter": 3,
            "value": 1158.0,
            "prev_year_value": 905.0,
            "yoy_change": 253.0,
            "yoy_pct": 27.96,
        }
    ]


def test_tasks_that_changed_status(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "tasks_that_changed_status.sql")
    assert [(r["year"], r["quarter"], r["task_no"]) for r in rows] == [
        (2024, 2, 12),
        (2024, 2, 23),
        (2024, 3, 4),
        (2024, 4, 22),
    ]


def test_open_tasks(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "open_tasks.sql")
    assert [(r["year"], r["quarter"], r["task_no"], r["status_text"]) for r in rows] == [
        (2024, 4, 19, "正在推进"),
        (2024, 4, 19, "正在推进"),
    ]
