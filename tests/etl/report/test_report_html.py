"""The report file: self-contained (no network), Chinese labels, the four views of the warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from etl.report import write_report
from etl.report.data import read_report_data


@pytest.fixture(scope="module")
def page(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "nested" / "report.html"
    # Held read-only in this process: the report can only share it if it opens the warehouse read-only too.
    held = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        result = write_report(sample_warehouse, out)
    finally:
        held.close()
    assert result.charts == 5 and result.bytes == out.stat().st_size
    return out.read_text(encoding="utf-8")


def test_the_page_needs_no_network(page: str) -> None:
    markup = re.sub(r"<script[^>]*>.*?</script>", "<script></script>", page, flags=re.DOTALL)  # the page, not the JS
    assert not re.search(r"<script[^>]+src=", markup)
    assert not re.search(r"<link[^>]+href=", markup)
    assert not re.search(r"""(src|href)=["']?https?:""", markup)
    assert page.count("<script") >= 6  # plotly.js inlined once, then one script per chart
    assert len(page) > 3_000_000  # the inlined library


def test_the_charts_and_tables_carry_chinese_labels(page: str) -> None:
    for label in (
        "各季度任务完成率",
        "各牵头科室任务完成率",
        "牵头科室",
        "各季度任务状态",
        "指标同比变化",
        "序时进度",
        "中小办",
        "新建5G基站",
    ):
        assert label in page, label
    assert '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page


def test_the_tables_list_status_changes_and_targets_behind(page: str, sample_warehouse: Path) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as conn:
        data = read_report_data(conn)
        behind = conn.execute("select count(*) from mart.target_attainment where not on_track").fetchone()
    assert [(c.year, c.quarter, c.task_no) for c in data.status_changes] == [
        (2024, 2, 12),
        (2024, 2, 23),
        (2024, 3, 4),
        (2024, 4, 22),
    ]
    assert "未完成（Q1）" in page and "正在推进（Q3）" in page
    assert behind is not None and len(data.behind) == behind[0] >= 1
    assert page.count('class="behind"') == len(data.behind)
    assert {(r.indicator, r.yoy_pct) for r in data.year_over_year} >= {("new_5g_base_stations", 27.96)}
    assert data.headline.first == "2023年Q3" and data.headline.last == "2024年Q4"
