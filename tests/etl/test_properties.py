"""Property-based tests: the text parsers never crash on arbitrary Unicode and keep their invariants."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.metrics.grammar import extract_metrics, figures
from etl.normalize.status import StatusError, status_of
from etl.normalize.text import clean_cell
from etl.normalize.units import UnitsError, split_names, split_responsible
from etl.parse.title import TitleError, report_meta
from tests.fidelity import comparable

# Text shaped like the reports': CJK, digits, units, punctuation, markup, whitespace — plus anything at all.
REPORT_ALPHABET = st.sampled_from(
    list("新增规上工业企业家户个起亿元万吨年月日季度以上以下约增长下降第一二三四五十百千两")
    + list("0123456789.%-/，。；、（）()“”《》【】 \n\t")
    + ["<p>", "</p>", "&nbsp;", "✓", "√", "G", "m"]
)
report_text = st.one_of(st.text(), st.lists(REPORT_ALPHABET, max_size=60).map("".join))


@given(report_text)
def test_clean_cell_loses_and_duplicates_nothing_but_whitespace(text: str) -> None:
    cleaned = clean_cell(text)
    assert "<p>" not in cleaned
    if "<" not in text and "&" not in text:
        assert comparable(cleaned) == comparable(text)


@given(report_text)
def test_clean_cell_is_idempotent(text: str) -> None:
    once = clean_cell(text)
    assert clean_cell(once) == once


@given(report_text, report_text)
def test_status_is_one_of_three_or_a_clear_error(done: str, not_done: str) -> None:
    try:
        status, _ = status_of(done, not_done)
    except StatusError as exc:
        assert str(exc)
    else:
        assert status in {"completed", "not_completed", "in_progress"}


@given(
    st.one_of(
        st.text(),
        st.lists(
            st.sampled_from(
                [
                    "市",
                    "经济和信息化局",
                    "招商中心",
                    "安庆石化",
                    "管委会",
                    "(市国资委)",
                    "【中小办】",
                    " ",
                    "委",
                    "局",
                    "政府",
                ]
            ),
            max_size=8,
        ).map("".join),
    )
)
def test_unit_splitting_keeps_every_character(cell: str) -> None:
    try:
        units, office = split_responsible(cell)
    except UnitsError:
        return
    # every character but spaces, the office in 【】 and the separators between names (、 , ; / outside brackets)
    # (a space inside brackets stays as written, \r included: compared without white space)
    kept = "".join(split_names(re.sub(r"\s|【[^】]*】", " ", cell)))
    assert re.sub(r"\s", "", "".join(units)) == re.sub(r"\s", "", kept)
    assert all(ch in cell for ch in "".join(units))
    assert all(unit for unit in units)
    if office is not None:
        assert f"【{office}" in cell.replace(" ", "") or office in cell


@settings(max_examples=300)
@given(report_text)
def test_every_extracted_figure_appears_in_the_source_text(text: str) -> None:
    for metric in extract_metrics(text):
        assert metric.source_text in text
        assert metric.value >= 0
        number = re.match(r"\d+(?:\.\d+)?", metric.source_text)
        if number:
            assert float(number.group()) == metric.value
    for figure in figures(text):
        assert (figure.metric is None) != (figure.reason is None)


@given(report_text)
def test_titles_give_metadata_or_a_clear_error(title: str) -> None:
    try:
        meta = report_meta([title], None, today=date(2099, 12, 31))
    except TitleError as exc:
        assert "title" in str(exc) or "period" in str(exc)
    else:
        assert 1 <= meta.period_end_month <= 12
        assert meta.quarter is None or 1 <= meta.quarter <= 4
        assert 1900 <= meta.year <= 2099
        assert meta.issuer and meta.issuer == meta.issuer.strip()
