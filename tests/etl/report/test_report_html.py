"""The report file as a director reads it: the latest period first (the real 2024 Q3 among the samples), this
year's task count, Beijing time, every target with its assessment, points for rates, synthetic periods marked where
shown; self-contained (no network), in Chinese."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from etl import vocabulary
from etl.report import write_report
from etl.report.data import ASSESSMENT_LABELS, PeriodKey, ReportData, Target, read_report_data
from etl.report.page import beijing_time, render
from tests.conftest import REAL_TEXT_DUMP, SQL_DIR, build_warehouse
from tests.etl.report.markup import cards, tables


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


@pytest.fixture(scope="module")
def data(sample_warehouse: Path) -> ReportData:
    with duckdb.connect(str(sample_warehouse), read_only=True) as conn:
        return read_report_data(conn, SQL_DIR)


@pytest.fixture
def mart(sample_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(sample_warehouse), read_only=True) as conn:
        yield conn


def test_the_page_needs_no_network(page: str) -> None:
    markup = re.sub(r"<script[^>]*>.*?</script>", "<script></script>", page, flags=re.DOTALL)  # the page, not the JS
    assert not re.search(r"<script[^>]+src=", markup)
    assert not re.search(r"<link[^>]+href=", markup)
    assert not re.search(r"""(src|href)=["']?https?:""", markup)
    assert page.count("<script") >= 6  # plotly.js inlined once, then one script per chart
    assert len(page) > 3_000_000  # the inlined library
    assert '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page


def test_the_page_leads_with_the_latest_period_the_real_one(page: str) -> None:
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.DOTALL)
    assert "<h1>市工信局 政府工作报告任务完成情况 · 2024年三季度</h1>" in markup  # issue 23: was a synthetic Q4
    order = [markup.index(f'<section id="{name}">') for name in ("latest", "targets", "completion", "status", "yoy")]
    assert order == sorted(order)
    latest = markup[order[0] : order[1]]
    for heading in ("尚未完成的任务", "落后序时进度的目标", "本期状态发生变化的任务"):
        assert heading in latest, heading


def test_the_task_card_counts_this_years_tasks_not_every_years(page: str, mart: duckdb.DuckDBPyConnection) -> None:
    every_year = mart.execute("select count(*) from (select distinct year, task_no from mart.task_progress)").fetchone()
    assert every_year == (34,)  # 2023's and 2024's lists: the card used to show this
    assert cards(page)["card-tasks"] == ("2024年任务", "17")
    assert cards(page)["card-completed"] == ("2024年三季度 已完成", "15/17")


def test_open_tasks_of_the_latest_quarter_are_listed_by_name_with_office_and_what_was_done(
    page: str, mart: duckdb.DuckDBPyConnection
) -> None:
    expected = mart.execute(
        "select task_no, task_title from mart.task_history where year = 2024 and quarter = 3 "
        "and status <> 'completed' order by task_no"
    ).fetchall()
    assert expected, "the sample's latest quarter has an open task"
    header, *rows = tables(page)["open-tasks"]
    assert header == ["序号", "目标任务", "牵头科室", "状态", "落实情况（做了什么）"]
    assert [(int(r[0]), r[1]) for r in rows] == expected
    assert cards(page)["card-open"][1] == str(len(expected))
    task_19 = next(r for r in rows if r[0] == "19")
    assert task_19[2] == "中小办" and task_19[3] == "正在推进"
    # What was done, from both of its rows, each labelled with its row kind and status, numbered items on lines.
    assert "【进度安排 · 正在推进】按照要求,持续推进该项工作。" in task_19[4]
    assert "【施工图 · 正在推进】1.印发关于商请研究制定" in task_19[4]
    assert "\n2.根据安徽省发展民营经济领导小组" in task_19[4]


def test_every_target_of_the_latest_quarter_has_a_row_with_its_assessment_and_reason(
    page: str, mart: duckdb.DuckDBPyConnection
) -> None:
    expected = mart.execute(
        "select task_no, target_no, assessment, assessment_reason from mart.target_attainment "
        "where year = 2024 and quarter = 3 order by task_no, target_no"
    ).fetchall()
    header, *rows = tables(page)["all-targets"]
    assert header == ["序号", "指标", "目标", "实际", "完成比例", "比较基准", "评估", "原因（mart.target_attainment）"]
    assert [int(r[0]) for r in rows] == [n for n, *_ in expected] and len(rows) == 13
    assert [r[6] for r in rows] == [ASSESSMENT_LABELS[a] for _, _, a, _ in expected]
    assert all(r[7] for r in rows), "every row says why"
    unmeasured = [r for r in rows if r[3] == "—"]
    assert unmeasured, "targets without an actual figure keep their row"
    assert all(r[6] in ("未报告实际值", "无法比较") for r in unmeasured), unmeasured
    task_23 = next(r for r in rows if r[0] == "23")
    assert task_23[1:3] == ["新增规上工业企业", "260户以上"]
    judged = sum(1 for _, _, a, _ in expected if a in ("no_actual_reported", "not_comparable"))
    assert cards(page)["card-unmeasured"][1] == f"{judged}/{len(expected)}"


def test_the_benchmark_is_the_elapsed_share_for_cumulative_targets_and_the_target_for_rates(page: str) -> None:
    """序时进度 applies to cumulative quantities; a rate or level (行政村5G通达率 95%) is judged against the target."""
    _, *rows = tables(page)["all-targets"]
    by_name = {r[1]: r for r in rows}
    assert by_name["行政村5G通达率"][5] == "目标值本身（比率/水平）"
    assert by_name["技术改造投资增长"][5] == "目标值本身（比率/水平）"
    assert by_name["实施重点技术改造项目"][5] == "序时进度 75%，应达 75个"


def test_synthetic_periods_are_labelled_and_the_real_one_is_not(page: str, mart: duckdb.DuckDBPyConnection) -> None:
    synthetic = [
        f"{y}年{label}"
        for y, label in mart.execute(
            "select year, period_label from mart.quarterly_completion where is_synthetic "
            "order by year, period_end_month"
        ).fetchall()
    ]
    assert synthetic == ["2023年三季度", "2024年一季度", "2024年二季度"]  # the real report is 2024 Q3, the latest
    notice = re.search(r'<p class="meta synthetic" id="synthetic">注意：(.*?) 的报告是合成的演示数据', page)
    assert notice is not None and notice.group(1).split("、") == synthetic


def test_a_synthetic_figure_says_so_where_it_is_shown(page: str) -> None:
    """Issue 23: the year-over-year section rested on the synthetic 2023 without saying so; every figure of a
    synthetic report is marked （合成） in its cell, and so is a synthetic period wherever it is named."""
    _, *rows = tables(page)["yoy-table"]
    assert rows and all(r[3].endswith("（合成）") and not r[4].endswith("（合成）") for r in rows)  # 2023 vs real 2024
    assert "标（合成）的数值来自合成的演示数据" in page
    _, *changes = tables(page)["latest-changes"]
    assert [c[3] for c in changes] == ["正在推进（二季度（合成））"]
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.DOTALL)
    assert "覆盖 2023年三季度（合成） – 2024年三季度" in markup


def test_the_page_says_a_revision_replaced_an_original_only_when_one_did(page: str, tmp_path: Path) -> None:
    """Issue 23: "修订版取代原版" was printed although no file was a revision."""
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.DOTALL)
    assert "报告文件 5 份（现行 4 份；其中修订版 1 份，取代原版）" in markup  # the synthetic Q2 and its （修订）
    warehouse = tmp_path / "real.duckdb"
    build_warehouse(warehouse, [REAL_TEXT_DUMP])
    alone = write_report(warehouse, tmp_path / "real.html").path.read_text(encoding="utf-8")
    assert "修订" not in re.sub(r"<script[^>]*>.*?</script>", "", alone, flags=re.DOTALL)
    assert "报告文件 1 份（现行 1 份）" in alone


def test_every_assessment_of_the_vocabulary_has_a_label() -> None:
    assert set(ASSESSMENT_LABELS) == set(vocabulary.ASSESSMENTS)


def test_the_behind_card_counts_the_latest_quarter_only(page: str, mart: duckdb.DuckDBPyConnection) -> None:
    latest, every = mart.execute(
        "select count(*) filter (where year = 2024 and quarter = 3), count(*) from mart.target_attainment "
        "where assessment = 'behind'"
    ).fetchone() or (None, None)
    assert every and every > latest, "the samples have targets behind in earlier quarters"
    assert cards(page)["card-behind"] == ("落后序时进度", str(latest))


def _target(quarter: int, assessment: str, task_no: int = 23) -> Target:
    measured = assessment in ("on_track", "behind", "achieved")
    return Target(
        issuer="市工信局",
        period=PeriodKey(2024, 3 * quarter),
        task_no=task_no,
        target_no=1,
        task_title="持续壮大市场主体规模，新增规上工业企业260户以上",
        lead_office="运行办",
        indicator="new_above_scale_industrial_firms",
        name="新增规上工业企业",
        measure="cumulative",
        unit="家",
        target_text="260户以上",
        target_value=260.0,
        actual_text=f"{20 * quarter}户" if measured else None,
        actual_value=20.0 * quarter if measured else None,
        attainment=20.0 * quarter / 260 if measured else None,
        elapsed_share=quarter / 4,
        expected_value=260 * quarter / 4,
        assessment=assessment,
        assessment_reason="made up for the test" if measured else "no figure of the task measures it",
    )


def test_a_target_behind_in_an_earlier_quarter_does_not_show_as_behind_now(data: ReportData) -> None:
    """The defect: the card showed a stale 2024 Q1 item while the latest period was later."""
    stale = replace(data, targets=[_target(1, "behind"), _target(3, "no_actual_reported")])
    page, _ = render(stale, source="w.duckdb")
    assert cards(page)["card-behind"][1] == "0"
    assert "behind-targets" not in tables(page)
    assert "本期共 1 项目标：未报告实际值 1 项" in page

    current = replace(data, targets=[_target(1, "on_track"), _target(3, "behind"), _target(3, "on_track", 1)])
    page, _ = render(current, source="w.duckdb")
    assert cards(page)["card-behind"][1] == "1"
    _, *rows = tables(page)["behind-targets"]
    assert [(r[0], r[3], r[6]) for r in rows] == [("23", "60户", "落后序时进度")]


def test_status_changes_of_the_latest_period(page: str, mart: duckdb.DuckDBPyConnection) -> None:
    expected = mart.execute(
        "select task_no, task_title from mart.task_history where status_changed and year = 2024 and quarter = 3"
    ).fetchall()
    _, *rows = tables(page)["latest-changes"]
    assert [(int(r[0]), r[1]) for r in rows] == expected == [(4, "加快推进安庆石化轻烃资源综合利用及高端材料项目")]
    assert rows[0][2:] == ["产业科", "正在推进（二季度（合成））", "已完成"]
    assert cards(page)["card-changes"][1] == "1"


def test_rate_indicators_change_by_percentage_points_and_quantities_by_percent(
    page: str, mart: duckdb.DuckDBPyConnection
) -> None:
    _, *rows = tables(page)["yoy-table"]
    shown = {(r[0], r[1]): r for r in rows}
    figures = mart.execute(
        "select year, period_label, indicator_name, unit, change_kind, value, prev_year_value, yoy_change "
        "from mart.indicator_yoy where prev_year_value is not null"
    ).fetchall()
    assert len(rows) == len(figures) >= 10
    rates = 0
    for year, label, name, unit, kind, value, prev, change in figures:
        text = shown[(f"{year}年{label}", name)][5]
        if unit in ("%", "pp"):
            rates += 1
            assert kind == "percentage_points" and text == f"{value - prev:+.1f} 个百分点", (name, text)
        else:
            assert abs(change - (value - prev) / prev * 100) < 0.01, name  # percent, rounded by the mart
            assert kind == "relative" and text == f"{change:+.1f}%", (name, text)
    assert rates >= 2
    tech = shown[("2024年三季度", "技术改造投资增长")]
    assert tech[3:] == ["18.2（合成）", "31.3", "+13.1 个百分点"]  # not +71.98 %: a percent of a percentage


def test_times_are_beijing_time_whatever_the_machine_zone(data: ReportData, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        page, _ = render(data, source="w.duckdb", generated_at=datetime(2026, 12, 1, 20, 5, tzinfo=UTC))
        assert "生成于 2026-12-02 04:05 北京时间" in page  # 20:05 UTC is 04:05 the next day in Beijing
        assert beijing_time(datetime(2026, 6, 30, 16, 0)) == "2026-07-01 00:00 北京时间"  # naive = UTC (DuckDB)
        now = render(data, source="w.duckdb")[0]
        stamp = re.search(r"生成于 (\d{4}-\d\d-\d\d \d\d:\d\d) 北京时间", now)
        assert stamp is not None
        written = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M")
        beijing_now = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=8)
        assert abs((beijing_now - written).total_seconds()) < 120
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert "UTC" not in re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.DOTALL)


def test_the_charts_and_tables_carry_chinese_labels(page: str) -> None:
    for label in (
        "各报告期任务完成率",
        "各牵头科室任务完成情况",
        "牵头科室",
        "各报告期任务状态",
        "指标同比变化",
        "比率类指标：增减（百分点）",
        "序时进度",
        "中小办",
        "新建5G基站",
    ):
        assert label in page, label


def test_status_changes_over_all_periods_newest_first(data: ReportData) -> None:
    assert [(c.period.year, c.period.end_month, c.task_no) for c in data.status_changes] == [
        (2024, 9, 4),
        (2024, 6, 12),
        (2024, 6, 23),
    ]
    assert data.headline.first == "2023年三季度（合成）" and data.headline.last == "2024年三季度"


def test_the_real_report_alone_judges_cumulative_targets_against_three_quarters(tmp_path: Path) -> None:
    """The bureau's real 2024 Q3 report, nothing else: its quarter leads, 序时进度 is 75 % for cumulative targets,
    no synthetic notice, and no year-over-year without a previous year."""
    warehouse = tmp_path / "real.duckdb"
    build_warehouse(warehouse, [REAL_TEXT_DUMP])
    page = write_report(warehouse, tmp_path / "real.html").path.read_text(encoding="utf-8")
    assert "政府工作报告任务完成情况 · 2024年三季度</h1>" in page
    assert 'id="synthetic"' not in page
    assert "虚线 = 序时进度 75%（累计类目标）" in page  # the chart's axis says which line is which
    _, *rows = tables(page)["all-targets"]
    by_name = {r[1]: r for r in rows}
    assert by_name["实施重点技术改造项目"][5] == "序时进度 75%，应达 75个"
    assert by_name["行政村5G通达率"][5] == "目标值本身（比率/水平）"
    assert cards(page)["card-tasks"] == ("2024年任务", "17")
    assert "yoy-table" not in tables(page)
