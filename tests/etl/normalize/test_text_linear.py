"""Cell cleaning is linear in the cell's length and gives the text the old (quadratic) cleaning gave (issue 16, 7).

Speed itself is measured in benchmarks/text_cleaning.py, not here: these tests count the work instead. The item
marker pattern is replaced by a counting wrapper, so a test can see how many characters the item scan looked at:
the old cleaning re-scanned all the text so far for every line (≈ n²/2 characters for n lines), the new one
looks at each character a bounded number of times.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks._legacy_text import legacy_clean_cell
from etl.normalize import text as text_module
from etl.normalize.text import clean_cell
from tests.conftest import REAL_TEXT_DUMP


class _CountingPattern:
    """Wraps a compiled pattern; adds up the length of the text from where each match or scan starts."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.scanned = 0

    def match(self, string: str, pos: int = 0) -> re.Match[str] | None:
        self.scanned += min(len(string) - pos, 4)  # a match at the start looks at most 4 characters
        return self.pattern.match(string, pos)

    def finditer(self, string: str, pos: int = 0) -> Any:
        self.scanned += len(string) - pos
        return self.pattern.finditer(string, pos)


def scanned_characters(clean: Any, cell: str, monkeypatch: pytest.MonkeyPatch) -> int:
    counting = _CountingPattern(text_module._ITEM)
    with monkeypatch.context() as patch:
        patch.setattr(text_module, "_ITEM", counting)
        import benchmarks._legacy_text as legacy

        patch.setattr(legacy, "_ITEM", counting)
        clean(cell)
    return counting.scanned


@pytest.mark.parametrize("unit", ["1.推进<br>", "ab\n", "1.推进项目。\n2.加快建设。\n", "2.5\n"])
def test_the_item_scan_looks_at_each_character_a_bounded_number_of_times(
    unit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cell = unit * 2000
    assert scanned_characters(clean_cell, cell, monkeypatch) <= 4 * len(cell)


def test_the_old_cleaning_was_quadratic_by_the_same_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """The count above is what separates the two: the old cleaning scans the issue's cell hundreds of times over."""
    cell = "1.推进<br>" * 2000
    assert scanned_characters(legacy_clean_cell, cell, monkeypatch) > 100 * len(cell)


def test_a_one_megabyte_cell_is_cleaned_whole() -> None:
    cell = "1.推进<br>" * 90_000
    cleaned = clean_cell(cell)
    assert cleaned.startswith("1.推进1.推进") and len(cleaned) == 90_000 * len("1.推进")


def test_every_cell_of_the_real_report_is_cleaned_as_before() -> None:
    cells = [c for line in REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n") for c in line.split("\t")]
    assert [clean_cell(c) for c in cells] == [legacy_clean_cell(c) for c in cells]


# Text shaped to exercise item numbering and wraps: markers in and out of sequence, decimals, punctuation, breaks.
_PIECES = st.sampled_from(
    [
        *["1.", "2.", "3.", "4.", "10.", "11.", "1．", "2．", "5.2", "推进", "家", "%", "ab", "7", " ", "\n", "\t"],
        *["。", "；", "!", "?", "<br>", "<p>", "</p>", "\r", "\u3000", "\u00a0", "&nbsp;", "12.", "．", "."],
    ]
)
_LINE_BREAKS = "\u2028\u2029\x0b\x85"
shaped = st.lists(_PIECES, max_size=40).map("".join)
anything = st.text(alphabet=st.characters(blacklist_characters=_LINE_BREAKS), max_size=80)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(shaped, anything))
def test_the_linear_cleaning_gives_the_old_cleanings_text(cell: str) -> None:
    assert clean_cell(cell) == legacy_clean_cell(cell)


@pytest.mark.parametrize("separator", list(_LINE_BREAKS))
def test_line_separators_inside_a_cell_are_line_breaks(separator: str) -> None:
    """Word's manual line break (\\v) and U+2028/U+2029/U+0085 break a cell's line as "\\n" does."""
    assert clean_cell(f"正在推{separator}进") == "正在推进"
    assert clean_cell(f"1.加强对接{separator}2.组织申报") == "1.加强对接\n2.组织申报"
