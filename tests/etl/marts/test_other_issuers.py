"""The marts over the real tables of other issuers (tests/fixtures/real_tables, derived from published pages): every
issuer and period is kept, one task is followed over its periods, and periods compare like with like.

The tables are loaded through the pipeline as `etl ingest` loads a folder: the documents that do not say their
issuer or period carry it in a sidecar (<file>.meta.yaml, etl.declared), written here from each fixture's
``declared``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.load.warehouse import connect
from etl.pipeline import RunOptions, discover_files, run_context, run_pipeline
from etl.settings import Settings
from tests.conftest import REAL_TEXT_DUMP, SYNTHETIC, build_warehouse, real_tables_folder


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("issuers")
    settings = Settings(warehouse=root / "w.duckdb", data_docs_dir=None)
    real_tables_folder(root / "in")
    files = discover_files([root / "in", REAL_TEXT_DUMP])
    summary = run_pipeline(files, run_context(settings, RunOptions(write_report=False)))
    assert summary.failed == [], [f.message for f in summary.failed]
    return settings.warehouse


def test_every_issuer_and_period_is_counted_apart(warehouse: Path) -> None:
    with connect(warehouse, read_only=True) as conn:
        rows = conn.execute(
            "select issuer, year, period_kind, period_end_month, period_label, tasks, tasks_without_status, "
            "tasks_on_schedule, completion_rate from mart.quarterly_completion order by issuer, year, period_end_month"
        ).fetchall()
    assert rows == [
        ("市工信局", 2024, "quarter", 9, "三季度", 17, 0, 0, 0.8824),
        ("开化县", 2023, "quarter", 3, "一季度", 2, 0, 2, 0.0),
        ("泗洲头镇", 2024, "quarter", 6, "二季度", 2, 2, 0, None),
        ("淮南市政府", 2023, "half_year", 6, "上半年", 2, 2, 0, None),
        ("绍兴市政府", 2020, "quarter", 3, "一季度", 3, 3, 0, None),
        ("绍兴市政府", 2021, "half_year", 6, "半年度", 1, 1, 0, None),
        ("绍兴市政府", 2021, "quarter", 9, None, 1, 1, 0, None),
        ("绍兴市政府", 2021, "year", 12, "完成情况表", 1, 1, 0, None),
        ("苍南县", 2022, "months", 10, "截至10月31日", 13, 13, 0, None),
    ]


def test_shaoxing_task_1_is_one_task_over_three_periods(warehouse: Path) -> None:
    """H1 (半年度), Q3 (a page saved without its title: declared 2021Q3) and the year-end 完成情况表."""
    with connect(warehouse, read_only=True) as conn:
        history = conn.execute(
            "select period_end_month, period_label, quarter, prev_period_end_month, status, responsible_units, "
            "left(progress_text, 3), is_latest_period from mart.task_history "
            "where issuer = '绍兴市政府' and year = 2021 and task_no = 1 order by period_end_month"
        ).fetchall()
        versions = conn.execute(
            "select version_no, effective_from_period_end_month, is_current from core.task_version "
            "where issuer = '绍兴市政府' and year = 2021 and task_no = 1 order by version_no"
        ).fetchall()
    assert history == [
        (6, "半年度", 2, None, None, ["市发改委"], "上半年", False),
        (9, None, 3, 6, None, ["市发改委"], "前三季", False),
        (12, "完成情况表", 4, 9, None, ["市发改委"], "前三季", True),
    ]
    # the title changed between H1 and Q3 (落地率120%以上 → 75%以上): a second version from Q3 on
    assert versions == [(1, 6, False), (2, 9, True)]


def test_status_narrative_people_and_units_reach_the_marts(warehouse: Path) -> None:
    with connect(warehouse, read_only=True) as conn:
        town = conn.execute(
            "select task_no, responsible_units, responsible_people, annual_target is not null, plan_text, status, "
            "plan_type from mart.task_progress where issuer = '泗洲头镇' order by task_no"
        ).fetchall()
        county = conn.execute(
            "select task_no, status, status_text from mart.task_progress where issuer = '开化县' order by task_no"
        ).fetchall()
        city = conn.execute(
            "select responsible_units from mart.task_progress where issuer = '淮南市政府' and task_no = 2"
        ).fetchone()
    assert town == [
        (1, ["白仙山水库工程政策处理工作领导小组"], ["欧乾震"], True, "推进坟墓迁移工作。", None, None),
        (2, ["乡村振兴办"], ["吴宇凡"], True, "按照时间节点开展项目建设。", None, None),
    ]
    assert county == [(1, "on_schedule", "达序推进"), (2, "on_schedule", "达序推进")]
    assert city == (["市政府办", "市政府督查考核办"],)


def test_versions_and_year_over_year_compare_like_periods(tmp_path: Path) -> None:
    """1-9月 and 三季度 are one period (a version of it); 上半年 is another; year over year pairs the period ending in
    the same month of the previous year only. Made from the bureau's real report and the synthetic 2023 Q3
    (bundled samples), retitled."""
    real_lines = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
    months = tmp_path / "months.txt"  # the real report, its title's period written as 1-9月: the same period
    months.write_text("\n".join([*real_lines[:2], real_lines[2].replace("三季度", "1-9月"), *real_lines[3:]]), "utf-8")
    previous_q3 = next(path for path in SYNTHETIC if path.name.startswith("2023Q3"))
    previous_h1 = tmp_path / "2023_h1.txt"  # the 2023 synthetic report retitled 上半年 with its header 1-6月
    lines = previous_q3.read_text(encoding="utf-8").split("\n")
    lines = [line.replace("\t第三季度\t", "\t1-6月\t") for line in lines]
    lines[2] = lines[2].replace("三季度", "上半年")
    previous_h1.write_text("\n".join(lines), "utf-8")
    (tmp_path / "2023_h1.txt.meta.yaml").write_text("synthetic: true\n", "utf-8")
    like, unlike = tmp_path / "like.duckdb", tmp_path / "unlike.duckdb"
    build_warehouse(like, [REAL_TEXT_DUMP, months, previous_q3])
    build_warehouse(unlike, [REAL_TEXT_DUMP, previous_h1])
    with connect(like, read_only=True) as conn:
        versions = conn.execute(
            "select source_file, is_current, period_label from mart.report_versions where year = 2024 order by all"
        ).fetchall()
        paired = conn.execute(
            "select count(*) filter (where prev_year_value is not null) from mart.indicator_yoy where year = 2024"
        ).fetchone()
    with connect(unlike, read_only=True) as conn:
        unpaired = conn.execute(
            "select count(*) filter (where prev_year_value is not null), count(*) from mart.indicator_yoy "
            "where year = 2024"
        ).fetchone()
        periods = conn.execute("select year, period_end_month from staging.current_report order by all").fetchall()
    assert versions == [(REAL_TEXT_DUMP.name, False, "三季度"), ("months.txt", True, "1-9月")]
    assert paired is not None and paired[0] > 0
    assert periods == [(2023, 6), (2024, 9)]
    assert unpaired is not None and unpaired[0] == 0 and unpaired[1] > 0  # 2023 上半年 is not 2024 三季度's year before


def test_the_html_report_is_written_over_every_issuer_and_period(warehouse: Path, tmp_path: Path) -> None:
    """The defect: with a table without status or a period ending mid-quarter, writing the report failed
    (float(None)) after the publish. The page shows every period by its words (2024年三季度, 2022年截至10月31日), a rate
    where the table has a status and 无状态栏 where it has none (issue 23)."""
    from etl.report.page import write_report

    result = write_report(warehouse, tmp_path / "report.html")
    page = result.path.read_text(encoding="utf-8")
    assert result.charts > 0 and "市工信局" in page and "2024年三季度" in page
    assert "2022年截至10月31日" in page and "无状态栏" in page
