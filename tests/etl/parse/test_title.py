import pytest

from etl.parse.title import TitleError, parse_title, quarter_from_header, report_meta


def test_the_real_title() -> None:
    meta = parse_title("市工信局 2024 年政府工作报告任务 三季度完成情况")
    assert (meta.issuer, meta.year, meta.quarter, meta.revision_label) == ("市工信局", 2024, 3, None)


@pytest.mark.parametrize(
    ("title", "quarter", "revision"),
    [
        ("市工信局2023年政府工作报告任务第一季度完成情况", 1, None),
        ("市发改委 2024 年政府工作报告任务 4季度完成情况（修订）", 4, "修订"),
        ("市工信局 2024 年政府工作报告任务 二季度完成情况(更正)", 2, "更正"),
    ],
)
def test_title_variants(title: str, quarter: int, revision: str | None) -> None:
    meta = parse_title(title)
    assert (meta.quarter, meta.revision_label) == (quarter, revision)


@pytest.mark.parametrize(
    "title",
    [
        "政府工作报告任务完成情况",
        "市工信局 政府工作报告任务 三季度完成情况",
        "市工信局 2024 年政府工作报告任务",
    ],
)
def test_a_title_without_issuer_year_or_quarter_is_rejected(title: str) -> None:
    with pytest.raises(TitleError, match="does not name issuer, year and quarter"):
        parse_title(title)


def test_quarter_header_must_agree_with_the_title() -> None:
    assert quarter_from_header("第三季度") == 3
    with pytest.raises(TitleError, match="title says quarter 3 but the quarter column header '第二季度'"):
        report_meta("市工信局 2024 年政府工作报告任务 三季度完成情况", "第二季度")
    with pytest.raises(TitleError, match="does not name a quarter"):
        quarter_from_header("本季度")
