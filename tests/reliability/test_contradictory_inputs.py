"""Contradictory input is refused with the reason; real-world variants of the report load (issue 16, 8 and 10).

Each input is the real report's text dump with one change, or the sample PDF with one change (those of the PDF
are in tests/reliability/test_damaged_pdfs.py). The variants that must load give the real report's records
exactly; tests/reliability/test_damaged_pdfs.py::test_no_case_changes_a_loaded_warehouse sends them all through
`etl ingest` onto a warehouse that holds the real report.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from etl.errors import ReportError
from etl.extract.source import read_source
from etl.extract.text_dump import parse_text_dump
from etl.models import Report
from etl.parse.report import parse_report
from tests.conftest import REAL_TEXT_DUMP
from tests.fidelity import record_differences

LINES = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
PAGE_2_HEADER = LINES[13:15]  # lines 14-15: page 2's header, 季度类别 on its first line
NAME = "variant.txt"


def with_cell(lines: list[str], line_no: int, column: int, value: str) -> list[str]:
    cells = lines[line_no - 1].split("\t")
    cells[column] = value
    return [*lines[: line_no - 1], "\t".join(cells), *lines[line_no:]]


def task_split_over_pages(title: str) -> list[str]:
    """Task 6's roadmap row (line 17) moved to a page of its own, its task columns filled with ``title``."""
    task_row = LINES[15].split("\t")
    roadmap = LINES[16].split("\t")
    roadmap[:4] = [task_row[0], title, *task_row[2:4]]
    return [*LINES[:16], "", *PAGE_2_HEADER, "\t".join(roadmap), *LINES[17:]]


def parsed(lines: list[str] | bytes) -> Report:
    data = lines if isinstance(lines, bytes) else "\n".join(lines).encode("utf-8")
    return parse_report(parse_text_dump(data, NAME))


def refusal(lines: list[str] | bytes) -> str:
    with pytest.raises(ReportError) as caught:
        parsed(lines)
    assert caught.value.file_name == NAME
    return str(caught.value)


@pytest.fixture(scope="module")
def real() -> Report:
    return parse_report(read_source(REAL_TEXT_DUMP))


# --- refused, with the reason ---------------------------------------------------------------------------------


def test_one_task_number_with_two_titles_on_two_pages_is_refused() -> None:
    message = refusal(task_split_over_pages("另一项任务的标题"))
    assert (
        f"{NAME}: page 3, line 20, column 目标任务: task 6 appears twice with different 目标任务: "
        "'支持曙光" in message
    )
    assert "(page 2, line 16) and '另一项任务的标题'" in message


def test_one_task_repeated_with_the_same_columns_on_the_next_page_loads(real: Report) -> None:
    title = LINES[15].split("\t")[1]
    report = parsed(task_split_over_pages(title))
    assert not record_differences(real, report)


def test_a_page_header_of_another_quarter_is_refused() -> None:
    lines = list(LINES)
    lines[13] = lines[13].replace("第三季度", "第二季度")
    message = refusal(lines)
    assert (
        f"{NAME}: page 2, line 14, column 第N季度: the period column header '第二季度' differs from '第三季度' "
        "on page 1" in message
    )


def test_a_title_with_a_span_of_years_is_refused_not_read_as_an_issuer() -> None:
    lines = list(LINES)
    lines[2] = "市工信局 2023—2024 年政府工作报告任务 三季度完成情况"
    message = refusal(lines)
    assert "names a span of years" in message and "'市工信局 2023—'" in message


# --- real-world variants that load ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title_lines",
    [
        ["附件1", "市工信局 2024 年政府工作报告任务 三季度完成情况"],
        ["附件 2：", "市工信局 2024 年政府工作报告任务 三季度完成情况"],
        ["市工信局 2024 年政府工作报告任务", "三季度完成情况"],
        ["市工信局 ２０２４ 年政府工作报告任务 三季度完成情况"],
        ["附件1：市工信局 ２０２４ 年政府工作报告任务", "三季度完成情况"],
    ],
    ids=["attachment-label", "attachment-label-colon", "wrapped", "full-width-digits", "all-three"],
)
def test_title_variants_load_as_the_real_report(real: Report, title_lines: list[str]) -> None:
    report = parsed([*LINES[:2], *title_lines, *LINES[3:]])
    assert (report.meta.issuer, report.meta.year, report.meta.quarter) == ("市工信局", 2024, 3)
    assert report.meta == real.meta
    assert not record_differences(real, report)


def test_full_width_task_numbers_load(real: Report) -> None:
    report = parsed(with_cell(LINES, 25, 0, "１０"))
    assert not record_differences(real, report)


# --- clear messages (issue 16, 10) ------------------------------------------------------------------------------


def test_a_line_separator_inside_a_cell_keeps_line_numbers_as_editors_show_them(real: Report) -> None:
    """U+2028 made str.splitlines() cut its row: a later error named a line one below the one an editor shows."""
    progress = LINES[16].split("\t")[8]
    lines = with_cell(LINES, 17, 8, progress.replace("，", "，\u2028", 1))
    assert not record_differences(real, parsed(lines))
    message = refusal(with_cell(lines, 30, 6, "待定"))
    assert f"{NAME}: page 4, line 30, column 已完成: unrecognised status '待定'" in message


@pytest.mark.parametrize("separator", ["\u2029", "\x0b", "\x0c", "\x1c", "\x85"])
def test_other_line_separators_inside_a_cell_do_not_cut_the_row(separator: str) -> None:
    lines = with_cell(LINES, 17, 8, "一段" + separator + "文字")
    report = parsed(lines)
    assert len(report.rows) == 34


def test_a_stray_byte_is_named_by_line_and_byte_offset() -> None:
    data = "\n".join(LINES).encode("utf-8")
    line_start = data.index("\n".join(LINES[17:]).encode("utf-8"))  # the first byte of line 18
    broken = data[: line_start + 2] + b"\xff" + data[line_start + 2 :]
    message = refusal(broken)
    assert (
        f"{NAME}: line 18: text is neither UTF-8 nor GB18030/GBK: byte 0xFF at byte offset {line_start + 2} "
        "(byte 3 of the line) is not valid UTF-8 there" in message
    )


def test_a_pdf_without_pages_says_so(tmp_path: Path) -> None:
    path = tmp_path / "no_pages.pdf"
    pikepdf.new().save(path)
    with pytest.raises(ReportError, match=r"no_pages.pdf: the PDF has no pages \(its page tree is empty\)"):
        read_source(path)
