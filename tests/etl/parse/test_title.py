"""Report metadata from titles as issuers write them, and from declared metadata where a document is silent.

The titles are real ones (the bureau's; 绍兴 市政府, 淮南 市政府, 象山 泗洲头镇 of ../shared/reference/other_reports,
whose source pages the fixtures in tests/fixtures/real_tables name) or the bureau's with one word changed.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from etl.models import DeclaredMeta
from etl.parse.title import FUTURE_GRACE, TitleError, find_title, key_text, report_meta, visible_name
from etl.periods import declared_period

TODAY = date(2026, 12, 7)


def meta_of(title: str, header: int | None = None, declared: DeclaredMeta | None = None):  # type: ignore[no-untyped-def]
    return report_meta([title], header, declared, today=TODAY)


def test_the_real_title() -> None:
    meta = meta_of("市工信局 2024 年政府工作报告任务 三季度完成情况", header=9)
    assert (meta.issuer, meta.year, meta.quarter, meta.revision_label) == ("市工信局", 2024, 3, None)
    assert (meta.period_kind, meta.period_end_month, meta.period_label) == ("quarter", 9, "三季度")


@pytest.mark.parametrize(
    ("title", "issuer", "year", "kind", "end", "label"),
    [
        ("2021年市政府重点工作半年度进展情况表", "市政府", 2021, "half_year", 6, "半年度"),
        ("2021年市政府重点工作完成情况表", "市政府", 2021, "year", 12, "完成情况表"),
        ("泗洲头镇2024年度重点工作计划二季度执行情况", "泗洲头镇", 2024, "quarter", 6, "二季度"),
        ("开化县2023年政府工作报告重点任务1-11月进展情况", "开化县", 2023, "months", 11, "1-11月"),
        ("市机关事务管理局2022年重点工作前三季度推进情况", "市机关事务管理局", 2022, "months", 9, "前三季度"),
        ("市工信局 2024 年政府工作报告任务 1-9月份完成情况", "市工信局", 2024, "months", 9, "1-9月份"),
        ("市工信局2024年政府工作报告任务上半年完成情况", "市工信局", 2024, "half_year", 6, "上半年"),
        ("市工信局2024年政府工作报告任务全年完成情况", "市工信局", 2024, "year", 12, "全年"),
        ("市工信局2023年政府工作报告任务第一季度完成情况", "市工信局", 2023, "quarter", 3, "第一季度"),
        ("【重点工作】市工信局2023年政府工作报告任务一至五月完成情况", "市工信局", 2023, "months", 5, "一至五月"),
        ("开化县2023年度重点工作清单(一季度政府工作报告重点任务执行落实情况)", "开化县", 2023, "quarter", 3, "一季度"),
        ("市政府2020年重点工作(预下达)一季度进展情况表", "市政府", 2020, "quarter", 3, "一季度"),
    ],
)
def test_periods_and_issuers_as_titles_write_them(
    title: str, issuer: str, year: int, kind: str, end: int, label: str
) -> None:
    meta = meta_of(title)
    assert (meta.issuer, meta.year, meta.period_kind, meta.period_end_month, meta.period_label) == (
        issuer,
        year,
        kind,
        end,
        label,
    )
    assert meta.quarter == (end // 3 if end % 3 == 0 else None)


@pytest.mark.parametrize(
    ("title", "revision"),
    [
        ("市发改委 2024 年政府工作报告任务 4季度完成情况（修订）", "修订"),
        ("市工信局 2024 年政府工作报告任务 二季度完成情况(更正)", "更正"),
    ],
)
def test_revision_labels(title: str, revision: str) -> None:
    assert meta_of(title).revision_label == revision


def test_the_title_is_found_among_page_chrome_and_a_bulletin_paragraph() -> None:
    """淮南's page (derived): a category tag, the bulletin's own title, chrome, a paragraph, then the table's title."""
    lines = [
        "【政府工作报告确定的目标任务督查督办情况】关于2023年《政府工作报告》主要任务上半年完成情况的督查通报",
        "发布时间:2023-07-31 08:47信息来源:淮南市人民政府办公室文字大小:[    ] 背景色:",
        "根据市政府工作安排,市政府督查考核办公室会同市政府办公室对 2023 年《政府工作报告》确定的 262 项任务"
        "上半年完成情况进行了督查。总的来看,上半年,在市委、市政府坚强领导下,各责任单位紧盯《政府工作报告》目标任务。",
        "2023年《政府工作报告》主要任务上半年完成情况",
    ]
    assert find_title(lines) == "2023年《政府工作报告》主要任务上半年完成情况"
    with pytest.raises(TitleError, match="does not name the issuer: declare it"):
        report_meta(lines, None, today=TODAY)
    meta = report_meta(lines, None, DeclaredMeta(issuer="淮南市政府"), today=TODAY)
    assert (meta.issuer, meta.year, meta.period_kind, meta.period_end_month) == ("淮南市政府", 2023, "half_year", 6)
    assert meta.declared == ("issuer",)


def test_a_jurisdiction_word_after_the_year_is_not_an_issuer() -> None:
    """苍南县's 民生实事 list (derived: http://www.cncn.gov.cn/art/2022/12/14/art_1229664772_59047997.html): 市县 says
    whose list the projects are on; the county that publishes it is declared."""
    title = "2022年度市县民生实事未完成项目进度表(截至10月31日)"
    with pytest.raises(TitleError, match="does not name the issuer"):
        meta_of(title)
    meta = meta_of(title, declared=DeclaredMeta(issuer="苍南县"))
    assert (meta.issuer, meta.period_kind, meta.period_end_month, meta.period_label, meta.quarter) == (
        "苍南县",
        "months",
        10,
        "截至10月31日",
        None,
    )


def test_chrome_alone_is_not_a_title() -> None:
    lines = [
        "当前位置:首页",
        "索引号: 11330600002577014T/2022-227932 公开方式: 主动公开",
        "发布日期:2021-08-13 17:42 浏览次数:",
    ]
    assert find_title(lines) == ""


def test_a_document_without_title_needs_declared_issuer_and_period() -> None:
    with pytest.raises(TitleError, match="no title above the table names issuer, year and period: declare them"):
        report_meta([], None, today=TODAY)
    meta = report_meta([], None, DeclaredMeta(issuer="绍兴市政府", period="2021Q3"), today=TODAY)
    assert (meta.issuer, meta.year, meta.period_kind, meta.period_end_month, meta.period_label) == (
        "绍兴市政府",
        2021,
        "quarter",
        9,
        None,  # nothing was written: the label stays empty, the period is the declared one
    )
    assert meta.period_name == "1-9月"
    assert meta.declared == ("issuer", "period") and "declared" in meta.title


@pytest.mark.parametrize(
    ("spec", "kind", "end", "label"),
    [("2021Q3", "quarter", 9, "三季度"), ("2021H1", "half_year", 6, "上半年"), ("2021M11", "months", 11, "1-11月"),
     ("2021Y", "year", 12, "全年")],
)  # fmt: skip
def test_declared_periods(spec: str, kind: str, end: int, label: str) -> None:
    meta = report_meta([], None, DeclaredMeta(issuer="绍兴市政府", period=spec), today=TODAY)
    assert (meta.year, meta.period_kind, meta.period_end_month, meta.period_label) == (2021, kind, end, None)
    assert declared_period(spec)[1].label == label  # the word messages name it by


def test_declared_metadata_must_agree_with_the_title() -> None:
    title = ["2021年市政府重点工作半年度进展情况表"]
    agreed = report_meta(title, None, DeclaredMeta(issuer="绍兴市政府", period="2021H1"), today=TODAY)
    assert (agreed.issuer, agreed.period_label) == ("绍兴市政府", "半年度")  # the words the document wrote
    with pytest.raises(TitleError, match="declared issuer '淮南市政府' does not agree with the title's '绍兴市政府'"):
        report_meta(["绍兴市政府2021年重点工作半年度进展情况表"], None, DeclaredMeta(issuer="淮南市政府"), today=TODAY)
    with pytest.raises(TitleError, match="declared period 2021Q3 .* does not agree with the title's 半年度"):
        report_meta(title, None, DeclaredMeta(period="2021Q3"), today=TODAY)
    with pytest.raises(TitleError, match="declared period 2022H1 does not agree with the title's year 2021"):
        report_meta(title, None, DeclaredMeta(period="2022H1"), today=TODAY)
    # 前三季度 and 2021Q3 end in the same month: they agree
    three_quarters = report_meta(
        ["市政府2021年重点工作前三季度进展情况"], None, DeclaredMeta(period="2021Q3"), today=TODAY
    )
    assert three_quarters.period_label == "前三季度"


@pytest.mark.parametrize("title", ["政府工作报告任务完成情况", "市工信局 2024 年政府工作报告任务"])
def test_a_title_without_year_or_period_is_refused(title: str) -> None:
    with pytest.raises(TitleError, match="does not name the"):
        meta_of(title)


def test_a_title_naming_two_different_periods_is_refused() -> None:
    with pytest.raises(TitleError, match="more than one period"):
        meta_of("市工信局 2024 年政府工作报告任务 二季度三季度完成情况")


def test_the_period_column_header_must_agree_with_the_title() -> None:
    with pytest.raises(TitleError, match="period column header names a period ending in month 6"):
        meta_of("市工信局 2024 年政府工作报告任务 三季度完成情况", header=6)
    assert meta_of("市工信局 2024 年政府工作报告任务 1-9月完成情况", header=9).period_end_month == 9


def test_a_span_of_years_is_refused() -> None:
    with pytest.raises(TitleError, match="span of years"):
        meta_of("市工信局 2023—2024 年政府工作报告任务 三季度完成情况")


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\ufeff", "\u2060", "\u00a0", "\u3000", "\u2009"])
def test_format_and_space_characters_do_not_make_a_second_issuer(invisible: str) -> None:
    """The defect: a zero-width space after 市工信局 loaded as a new, identical-looking issuer."""
    meta = meta_of(f"市工信局{invisible} 2024 年政府工作报告任务 三季度完成情况")
    assert meta.issuer == "市工信局"
    assert meta_of(f"市工{invisible}信局 2024 年政府工作报告任务 三季度完成情况").issuer == "市工信局"


def test_no_format_or_space_character_makes_a_second_issuer_or_name() -> None:
    """Every Unicode Cf and Zs character (this Python's tables, 180 of them), inside and after the issuer; and every
    Cf inside a unit's or a person's name."""
    characters = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cf", "Zs")]
    assert len(characters) > 150
    for ch in characters:
        assert meta_of(f"市工信局{ch} 2024 年政府工作报告任务 三季度完成情况").issuer == "市工信局", f"U+{ord(ch):04X}"
        assert meta_of(f"市工{ch}信局 2024 年政府工作报告任务 三季度完成情况").issuer == "市工信局", f"U+{ord(ch):04X}"
        if unicodedata.category(ch) == "Cf":
            assert visible_name(f"{ch}中小{ch}办{ch}") == "中小办", f"U+{ord(ch):04X}"


def test_full_width_forms_fold_in_keys() -> None:
    assert key_text("ＡＢ区") == "AB区"
    assert meta_of("市工信局 ２０２４ 年政府工作报告任务 三季度完成情况").year == 2024


def test_a_period_that_has_not_ended_is_refused() -> None:
    """The defect: a report for 2027 Q4 ingested in December 2026 passed the gate and led the report."""
    with pytest.raises(TitleError, match=r"2027Q4 \(四季度\) ends on 2027-12-31.*has not ended"):
        meta_of("市工信局 2027 年政府工作报告任务 四季度完成情况")
    # the year's own last quarter may arrive a few weeks early (a year-end report drafted in December)
    assert meta_of("市工信局 2026 年政府工作报告任务 四季度完成情况").period_end_month == 12
    assert FUTURE_GRACE.days == 31
    with pytest.raises(TitleError, match="has not ended"):
        report_meta([], None, DeclaredMeta(issuer="x市政府", period="2027M1"), today=TODAY)
