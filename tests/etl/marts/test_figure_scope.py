"""One test per figure-scope rule (sql/views/staging_figure_scope.sql), each on sentences of the real 2024 Q3 report.

A figure can be a target's actual only when it measures the target's quantity over the same span; these rules say
which span a figure of 落实情况 measures. The 2024 Q3 rows of the sample warehouse are the real report's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.load.warehouse import connect

REAL_FILE = "2024Q3_市工信局_政府工作报告任务完成情况.txt"


def scope(warehouse: Path, task_no: int, figure_text: str, year: int = 2024, quarter: int = 3) -> set[tuple[str, str]]:
    with connect(warehouse, read_only=True) as conn:
        rows = conn.execute(
            "select figure_scope, scope_reason, source_file from mart.metric_observation "
            "where year = ? and quarter = ? and task_no = ? and figure_text = ? and kind = 'actual'",
            [year, quarter, task_no, figure_text],
        ).fetchall()
    assert rows, (task_no, figure_text)
    if (year, quarter) == (2024, 3):
        assert {file for _, _, file in rows} == {REAL_FILE}
    return {(s, r) for s, r, _ in rows}


def test_the_2024_q3_figures_are_the_real_reports(sample_warehouse: Path) -> None:
    assert scope(sample_warehouse, 25, "1152个")  # the real figure, not a synthetic re-issue's


@pytest.mark.parametrize(
    ("task_no", "figure", "sentence"),
    [
        (29, "7家", "遴选顺彤包装等7家企业申报国家级绿色工厂"),
        (29, "4家", "帝伯格茨活塞环等4家企业申报绿色供应链管理示范企业"),
    ],
)
def test_rule_1_applications_are_not_results(sample_warehouse: Path, task_no: int, figure: str, sentence: str) -> None:
    assert scope(sample_warehouse, task_no, figure) == {("applications", "申报: counts applications, not results")}


def test_rule_2_diagnoses(sample_warehouse: Path) -> None:
    # 开展500家企业数字化诊断工作; 邀请第三方对金亿新材料等12家企业开展公益节能诊断
    assert {s for s, _ in scope(sample_warehouse, 9, "500家")} == {"diagnoses"}
    assert {s for s, _ in scope(sample_warehouse, 31, "12家")} == {"diagnoses"}


def test_rule_3_assessments(sample_warehouse: Path) -> None:
    # 三季度，企业开展数字化转型测评达2003家: assessed, not transformed (and one quarter's, but assessed comes first)
    assert {s for s, _ in scope(sample_warehouse, 9, "2003家")} == {"assessments"}


def test_rule_4_inspections(sample_warehouse: Path) -> None:
    # 对中石化、曙光化工等11家企业开展化肥、纺织、光伏等行业能效专项监察
    assert {s for s, _ in scope(sample_warehouse, 31, "11家")} == {"inspections"}


def test_rule_5_one_quarters_figure_is_not_the_year_to_date(sample_warehouse: Path) -> None:
    # 三季度，月度项目入规企业20户 (task 23's target is 260 firms for the year)
    assert scope(sample_warehouse, 23, "20户") == {
        ("one_quarter", "三季度: one quarter's figure, not the year to date")
    }
    assert {s for s, _ in scope(sample_warehouse, 25, "39个")} == {"one_quarter"}  # 三季度共有39个5G疑难站址上报


def test_rule_5_the_first_quarter_is_the_year_to_date_in_q1(sample_warehouse: Path) -> None:
    # The synthetic Q1 says 一季度，月度项目入规企业20户: in Q1 the quarter is the year so far.
    assert scope(sample_warehouse, 23, "20户", quarter=1) == {("year_to_date", "一季度: this year's quantity to date")}


def test_rule_6_stocks_to_date(sample_warehouse: Path) -> None:
    # 全市累计建成…等4个省级中小企业特色产业集群; 全市已培育省级智能工厂20家
    assert scope(sample_warehouse, 12, "4个") == {
        ("stock_to_date", "累计: a stock to date, not this year's new quantity")
    }
    assert scope(sample_warehouse, 11, "20家") == {
        ("stock_to_date", "已培育: a stock to date, not this year's new quantity")
    }


def test_rule_7_a_percentage_without_growth_is_a_level(sample_warehouse: Path) -> None:
    assert {s for s, _ in scope(sample_warehouse, 25, "98%")} == {"level"}  # 行政村5G通达率已达98%
    assert {s for s, _ in scope(sample_warehouse, 8, "99%")} == {"level"}  # 开工率达到99%


@pytest.mark.parametrize(
    ("task_no", "figure", "word"),
    [
        (25, "1152个", {"新建"}),  # 2024年已新建5G基站1152个
        (8, "99个", {"前三季度"}),  # 前三季度推动实施重点技术改造项目99个
        (8, "31.3%", {"1-8月份"}),  # 1-8月份全市技术改造投资同比增长31.3%
        (1, "6户", {"新增", "今年"}),  # 全市新增“小巨人”企业6户; 今年全市新增“小巨人”企业6户
        (12, "2个", {"入选"}),  # 桐城市绿色包装、望江县童装等2个产业集群入选省级中小企业特色产业集群
        (22, "9起", {"今年以来"}),  # 今年以来共收省转办投诉件9起
    ],
)
def test_rule_8_year_to_date(sample_warehouse: Path, task_no: int, figure: str, word: set[str]) -> None:
    assert scope(sample_warehouse, task_no, figure) == {
        ("year_to_date", f"{w}: this year's quantity to date") for w in word
    }


def test_rule_9_a_figure_whose_span_nothing_states_is_not_used(sample_warehouse: Path) -> None:
    # 巡视整改以来，已清偿企业账款1.23亿元: since the rectification began, not this year
    assert {s for s, _ in scope(sample_warehouse, 22, "1.23亿元")} == {"unqualified"}


def test_targets_and_plans_have_no_scope(sample_warehouse: Path) -> None:
    with connect(sample_warehouse, read_only=True) as conn:
        rows = conn.execute(
            "select kind, count(*) filter (where figure_scope is not null), "
            "count(*) filter (where figure_scope is null) "
            "from mart.metric_observation group by kind order by kind"
        ).fetchall()
    assert [(kind, scoped) for kind, scoped, _ in rows] == [("actual", rows[0][1]), ("plan", 0), ("target", 0)]
    assert rows[0][2] == 0  # every actual has a scope
