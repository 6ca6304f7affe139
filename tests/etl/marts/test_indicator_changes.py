"""mart.indicator_yoy: year-over-year and quarter-over-quarter changes that respect the indicator's unit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from etl.load.warehouse import connect
from etl.vocabulary import CHANGE_KINDS


def rows(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connect(warehouse, read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def test_trap_a_percentage_indicator_changes_in_percentage_points(sample_warehouse: Path) -> None:
    # 技改投资增长 18.2 % (synthetic 2023) → 31.3 % (real 2024): +13.1 pp, not +71.98 %.
    assert rows(
        sample_warehouse,
        "select value, prev_year_value, change_kind, yoy_change, yoy_difference from mart.indicator_yoy "
        "where indicator = 'tech_upgrade_investment_growth' and year = 2024 and quarter = 3",
    ) == [(31.3, 18.2, "percentage_points", 13.1, 13.1)]


def test_a_count_changes_relatively(sample_warehouse: Path) -> None:
    # 新建5G基站: 945 (synthetic 2023 Q3) → 1152 (real 2024 Q3): +21.90 %; previous quarter 720 (the Q2 re-issue).
    assert rows(
        sample_warehouse,
        "select value, figure_text, change_kind, prev_year_value, yoy_change, prev_quarter_value, qoq_change "
        "from mart.indicator_yoy where indicator = 'new_5g_base_stations' and year = 2024 and quarter = 3",
    ) == [(1152.0, "1152个", "relative", 945.0, 21.9048, 720.0, 60.0)]


def test_change_kind_follows_the_unit_and_comes_from_the_vocabulary(sample_warehouse: Path) -> None:
    found = rows(sample_warehouse, "select distinct unit, change_kind from mart.indicator_yoy order by all")
    assert {kind for _, kind in found} == set(CHANGE_KINDS)
    assert all((kind == "percentage_points") == (unit in ("%", "pp")) for unit, kind in found)


def test_quarter_over_quarter_stays_within_the_year(sample_warehouse: Path) -> None:
    # Figures are year-to-date: Q1 is not compared with the previous year's Q4 or Q3.
    assert rows(
        sample_warehouse, "select count(*) from mart.indicator_yoy where quarter = 1 and prev_quarter_value is not null"
    ) == [(0,)]


def test_only_year_to_date_and_level_figures_are_values(sample_warehouse: Path) -> None:
    # 省级产业集群: 2个 入选 this year, not the 累计建成 4个 stock (the larger figure).
    assert rows(
        sample_warehouse,
        "select value, figure_text from mart.indicator_yoy "
        "where indicator = 'provincial_industrial_clusters' and year = 2024 and quarter = 3",
    ) == [(2.0, "2个")]


def test_trap_the_history_moves_most_indicators_year_over_year(sample_warehouse: Path) -> None:
    """The old synthetic 2023 repeated the real figures: 10 of 16 year-over-year rows were +0.00 %."""
    compared = rows(
        sample_warehouse,
        "select indicator, yoy_change from mart.indicator_yoy where prev_year_value is not null order by indicator",
    )
    assert len(compared) >= 10
    unchanged = [indicator for indicator, change in compared if change == 0]
    assert unchanged == ["provincial_industrial_clusters"]  # 2 clusters both years: a count this small can repeat
