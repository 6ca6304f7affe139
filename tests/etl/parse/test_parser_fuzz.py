"""Fuzzing the text-dump reader and the parser over every cell of the real report (issue 16, defect 1).

Any Unicode in any cell (the title line, the header lines and every body cell, one or several at a time) gives a
Report or a ReportError that names the file: never another exception. A 序号 of ④ or 4² passed str.isdigit() and
crashed int(), which aborted a whole batch.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.errors import ReportError
from etl.extract.text_dump import parse_text_dump
from etl.parse.report import parse_report
from tests.conftest import REAL_TEXT_DUMP

NAME = "fuzzed 报告.txt"
LINES = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
# Every (line, cell) of the real dump that has text or sits in a table line: title, headers, body cells.
CELLS = [(i, j) for i, line in enumerate(LINES) if line.strip() for j in range(len(line.split("\t")))]
# Picked column first, then line, so that each of the nine columns is fuzzed as often (the title line has one cell).
COLUMNS = sorted({j for _, j in CELLS})
cell_place = st.sampled_from(COLUMNS).flatmap(lambda j: st.sampled_from([c for c in CELLS if c[1] == j]))

# Arbitrary Unicode, and text shaped like what such cells hold (digits of every kind, marks, units, markup).
ODD = st.sampled_from(
    ["④", "4²", "١٢", "４", "0", "-1", "9" * 30, "Ⅳ", "✓", "√", "正在推进", "<p>", "&#x2028;", "【", "】", "\u2028"]
)
cell_text = st.one_of(st.text(max_size=40), st.lists(st.one_of(ODD, st.text(max_size=3)), max_size=6).map("".join))
edits = st.lists(st.tuples(st.one_of(cell_place, st.sampled_from(CELLS)), cell_text), min_size=1, max_size=4)


def edited(changes: list[tuple[tuple[int, int], str]]) -> bytes:
    lines = list(LINES)
    for (i, j), value in changes:
        cells = lines[i].split("\t")
        cells[j] = value
        lines[i] = "\t".join(cells)
    return "\n".join(lines).encode("utf-8")


def outcome(data: bytes) -> str:
    """'ok', or 'error' after checking the ReportError names the file; anything else propagates."""
    try:
        parse_report(parse_text_dump(data, NAME))
    except ReportError as exc:
        assert exc.file_name == NAME
        assert str(exc).startswith(f"{NAME}: ")
        assert exc.problems and all(p.message for p in exc.problems)
        return "error"
    return "ok"


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
def test_any_unicode_in_any_cell_gives_a_report_or_a_report_error_naming_the_file(
    changes: list[tuple[tuple[int, int], str]],
) -> None:
    outcome(edited(changes))


@pytest.mark.parametrize("number", ["④", "4²", "¹", "١", "Ⅳ", "9" * 30])
def test_odd_task_numbers_are_refused_naming_file_page_line_and_column(number: str) -> None:
    """Digits str.isdigit() accepts but int() refuses, other scripts' digits, a number too large to be a task."""
    with pytest.raises(ReportError) as caught:
        parse_report(parse_text_dump(edited([((6, 0), number)]), NAME))
    assert f"{NAME}: page 1, line 7, column 序号: task number {number!r} is not a positive whole number" in str(
        caught.value
    )


def test_full_width_task_numbers_are_read_as_digits() -> None:
    report = parse_report(parse_text_dump(edited([((6, 0), "１")]), NAME))
    assert report.rows[0].task_no == 1
