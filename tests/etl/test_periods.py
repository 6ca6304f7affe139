"""Period words (data/periods.yaml) and declared periods: every word of the file, and what is refused."""

from __future__ import annotations

import pytest
import yaml

from etl.periods import PeriodError, declared_period, load_periods, parse_periods, period_spec
from etl.resources import bundled_path

WORDS = yaml.safe_load(bundled_path("data", "periods.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("word", "kind", "end"),
    [(word, entry["kind"], entry["end_month"]) for entry in WORDS["words"] for word in entry["words"]],
)
def test_every_period_word_names_its_period(word: str, kind: str, end: int) -> None:
    found = load_periods().in_title(f"市政府2024年重点工作{word}进展情况")
    assert found is not None and (found.kind, found.end_month, found.label) == (kind, end, word)


@pytest.mark.parametrize(
    ("text", "end"),
    [("1-11月", 11), ("1—5月份", 5), ("1至9月", 9), ("１－９月", 9), ("一至十一月", 11), ("截至10月31日", 10),
     ("截止11月底", 11)],
)  # fmt: skip
def test_month_ranges(text: str, end: int) -> None:
    found = load_periods().of_header(text)
    assert found is not None and (found.kind, found.end_month) == ("months", end)


def test_the_most_specific_word_wins() -> None:
    periods = load_periods()
    assert periods.in_title("泗洲头镇2024年度重点工作计划二季度执行情况").end_month == 6  # type: ignore[union-attr]
    assert periods.in_title("2024年度重点工作1-8月份进展").kind == "months"  # type: ignore[union-attr]
    assert periods.in_title("2024年重点工作完成情况") is None  # no period word, not a year-end table


def test_a_header_names_a_period_only_when_it_is_one() -> None:
    periods = load_periods()
    assert periods.of_header("第三季度").end_month == 9  # type: ignore[union-attr]
    assert periods.of_header("进度安排") is None
    assert periods.of_header("三季度计划") is None


@pytest.mark.parametrize("spec", ["2021", "2021Q5", "2021H2", "2021M13", "21Q3", "2021 Q3 x", "Q3 2021"])
def test_malformed_declared_periods_are_refused(spec: str) -> None:
    with pytest.raises(PeriodError, match="not of the form"):
        declared_period(spec)


@pytest.mark.parametrize("spec", ["2021Q1", "2021Q4", "2021H1", "2021M1", "2021M11", "2021Y"])
def test_declared_periods_round_trip(spec: str) -> None:
    year, period = declared_period(spec)
    assert period_spec(year, period) == spec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("words: [{kind: decade, end_month: 3, words: [x]}]", "kind must be one of"),
        ("words: [{kind: quarter, end_month: 13, words: [x]}]", "end_month 1-12"),
        (
            "words: [{kind: quarter, end_month: 3, words: [x]}, {kind: quarter, end_month: 6, words: [x]}]",
            "two periods",
        ),
        ("words: []\nmonth_ranges: ['1-(\\d+)月']", "no group 'end'"),
        ("[]", "expected a mapping"),
    ],
)
def test_a_malformed_periods_file_is_refused(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        parse_periods(text, "periods.yaml")


def test_a_new_word_is_one_entry() -> None:
    text = "words:\n  - {kind: quarter, end_month: 9, words: [秋季]}\n"
    found = parse_periods(text, "mine.yaml").in_title("市工信局2024年任务秋季完成情况")
    assert found is not None and found.end_month == 9
