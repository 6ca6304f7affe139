"""Excel (.xlsx) reports read directly, into the same RawReport and records as the text dump and the PDFs.

Fixtures: tests/fixtures/formats/ (scripts/make_format_fixtures.py): the source workbook of every Calc layout of
tests/fixtures/pdf_layouts (print-title rows, merged task cells, line breaks inside cells), the same with a cover
sheet in front, and a legacy .xls saved by LibreOffice. Small workbooks for single features are built here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from etl.errors import ReportError
from etl.extract.source import read_source
from etl.extract.text_dump import read_text_dump
from etl.extract.xlsx import read_xlsx
from etl.parse.report import parse_report
from tests.conftest import REAL_TEXT_DUMP
from tests.fidelity import apply_mark_set, record_differences, score_cells

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "formats"
MANIFEST: dict[str, Any] = json.loads((FORMATS / "manifest.json").read_text(encoding="utf-8"))
EXCEL = [entry for entry in MANIFEST["layouts"] if entry["file"].endswith(".xlsx")]
DUMP = read_text_dump(REAL_TEXT_DUMP)
HEADER = ["序号", "目标任务", "责任分工", "监督方式", "季度类别", "第三季度", "已完成", "未完成", "落实情况"]


@pytest.mark.parametrize("entry", EXCEL, ids=[entry["name"] for entry in EXCEL])
def test_every_calc_layout_source_gives_the_text_dump_records_cell_for_cell(entry: dict[str, Any]) -> None:
    path = FORMATS / entry["file"]
    raw = read_source(path)
    assert raw.source_format == "xlsx" and raw.sheet == "完成情况" and raw.notes == ()
    assert load_workbook(path)["完成情况"].print_title_rows == "$2:$3"  # the header is the print-title rows
    expected = apply_mark_set(DUMP, entry["marks"])
    score = score_cells(expected.rows, raw.rows)
    assert score.exact == score.cells, score.differences
    assert record_differences(parse_report(expected), parse_report(raw)) == []


def test_the_sheet_holding_the_table_is_taken_and_named() -> None:
    path = FORMATS / "workbook_with_cover_sheet.xlsx"
    assert load_workbook(path).sheetnames == ["说明", "完成情况"]
    raw = read_xlsx(path)
    assert raw.sheet == "完成情况"
    assert raw.notes == ("the table was read from sheet '完成情况' (sheets: 说明, 完成情况)",)
    assert record_differences(parse_report(DUMP), parse_report(raw)) == []


def _small_workbook(path: Path, header: list[str] | None = None, numbers: bool = True) -> Path:
    """Tasks 1 and 4 of the real report on one sheet: a title row, a one-row header, task cells merged over the
    task's two rows, task numbers and phone numbers typed as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.cell(1, 1, DUMP.title)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=9)
    for column, label in enumerate(header or HEADER, start=1):
        sheet.cell(2, column, label)
    for offset, row in enumerate(DUMP.rows[:4]):
        for column, text in enumerate(row.cells, start=1):
            value: object = text.replace("<p>", "").replace("</p>", "\n").strip() or None
            if numbers and column in (1, 4) and text.strip().isdigit():
                value = int(text)
            if value is not None:
                sheet.cell(3 + offset, column, value)
    for first in (3, 5):
        for column in range(1, 5):
            sheet.merge_cells(start_row=first, start_column=column, end_row=first + 1, end_column=column)
    sheet.cell(20, 15, "stray note far right of the table")  # not part of the table: its column is dropped
    workbook.save(str(path))
    return path


def test_a_small_workbook_reads_like_the_dump(tmp_path: Path) -> None:
    raw = read_xlsx(_small_workbook(tmp_path / "small.xlsx"))
    assert raw.title == DUMP.title and raw.sheet == "Sheet1" and len(raw.columns) == 9
    assert raw.rows[0].cell("task_no") == "1" and raw.rows[0].cell("supervision") == "5515812"  # not 5515812.0
    assert record_differences(parse_report(DUMP.model_copy(update={"rows": DUMP.rows[:4]})), parse_report(raw)) == []


def test_unknown_headers_name_the_sheet(tmp_path: Path) -> None:
    header = [*HEADER[:2], "经办方", *HEADER[3:]]
    path = _small_workbook(tmp_path / "small.xlsx", header=[*HEADER[:2], "经办方", *HEADER[3:]])
    assert header[2] == "经办方"
    with pytest.raises(ReportError) as caught:
        read_source(path)
    message = str(caught.value)
    assert message.startswith("small.xlsx: page 1: sheet 'Sheet1': the table is not a task-completion report table")
    assert "missing fields: responsible (责任分工)" in message and 'add the line "- 经办方"' in message


def test_a_workbook_without_a_report_sheet_lists_its_sheets(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "预算"
    sheet.append(["科目", "金额"])
    workbook.create_sheet("附表")
    workbook.save(str(tmp_path / "budget.xlsx"))
    with pytest.raises(ReportError, match=r"budget\.xlsx: no sheet holds a report table .*sheets 预算, 附表"):
        read_source(tmp_path / "budget.xlsx")


def test_a_legacy_xls_is_refused_with_how_to_convert_it() -> None:
    with pytest.raises(ReportError, match=r"legacy\.xls: a legacy Excel 97-2003 workbook .*--convert-to xlsx"):
        read_source(FORMATS / "legacy.xls")


@pytest.mark.parametrize("print_titles", [True, False])
def test_a_two_row_header_without_vertical_merges(tmp_path: Path, print_titles: bool) -> None:
    """完成情况 merged over 已完成 / 未完成 on the second header row, no cell merged downwards: the print-title rows
    say the header is two rows, and without them the second row's header words do."""
    path = _small_workbook(tmp_path / "small.xlsx", header=[*HEADER[:6], "完成情况", "", "落实情况"])
    workbook = load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    sheet.insert_rows(3)
    sheet.cell(3, 7, "已完成")
    sheet.cell(3, 8, "未完成")
    sheet.merge_cells("G2:H2")
    for first in (4, 6):  # insert_rows does not move merged ranges: merge the task cells again
        for column in range(1, 5):
            sheet.merge_cells(start_row=first, start_column=column, end_row=first + 1, end_column=column)
    for merged in [m for m in sheet.merged_cells.ranges if m.min_row in (3, 5) and m.max_col <= 4]:
        sheet.merged_cells.remove(merged)
    if print_titles:
        sheet.print_title_rows = "2:3"
    workbook.save(str(path))
    raw = read_xlsx(path)
    assert [c.header for c in raw.columns][6:8] == ["完成情况已完成", "未完成"]
    assert record_differences(parse_report(DUMP.model_copy(update={"rows": DUMP.rows[:4]})), parse_report(raw)) == []
