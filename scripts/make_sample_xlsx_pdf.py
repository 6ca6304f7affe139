"""Make a sample PDF of a task-completion report as a spreadsheet printout (an .xlsx printed by LibreOffice Calc).

Some bureaus keep the report in Excel or WPS Spreadsheets and print it to PDF. That layout differs from the Word
one (scripts/make_sample_pdfs.py) in ways the extractor must handle:

- the title is a merged cell over all columns, the two header rows are print-title rows repeated on every page;
- the task columns are cells merged over the task's two rows and centred vertically, so a merged cell that a
  page break cuts has its text positioned (and clipped) relative to the whole merged cell;
- a spreadsheet row never breaks across pages: the page break falls between a task's two rows instead;
- column proportions are whatever the author dragged them to (``--columns``);
- numbered items are line breaks inside one cell (Alt+Enter), not paragraphs.

Row heights are set from an estimate of each row's wrapped lines, because Calc does not grow a row for the text
of a merged cell: without it a long 目标任务 would be clipped and lost from the page.

Usage (needs LibreOffice's ``soffice`` on PATH)::

    PYTHONPATH=src:. .venv/bin/python scripts/make_sample_xlsx_pdf.py DUMP OUT.pdf [--orientation portrait] \\
        [--font "Noto Sans CJK SC"] [--font-size 10] [--columns narrow-plan] [--keep-xlsx]
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scripts.make_sample_pdfs import DEFAULT_FONT, HEADER_TOP, Task, convert_to_pdf, load_tasks
from tests.fidelity import MARK_SETS

# Column widths in Excel character units, by name: the proportions differ from the Word layout's.
COLUMN_SETS: dict[str, tuple[float, ...]] = {
    "even": (6, 22, 20, 11, 9, 34, 9, 9, 40),
    "narrow-plan": (5, 26, 16, 10, 8, 26, 8, 8, 52),
}
# Points per Excel character unit for a CJK character at 10 pt: CJK glyphs are about two units wide.
POINTS_PER_UNIT = 5.6
LINE_HEIGHT = 1.35


def _display_width(text: str) -> float:
    """Width of a text in Latin-character units: East Asian wide characters count double."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def _lines_needed(text: str, width_units: float, font_size: float) -> int:
    """How many lines a wrapped cell text takes in a column of ``width_units``, with some slack."""
    usable = max(width_units * 10 / font_size - 1.5, 2.0)
    return sum(max(1, math.ceil(_display_width(line) / usable)) for line in text.split("\n"))


def _border() -> Border:
    thin = Side(style="thin", color="000000")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


def build_xlsx(
    dump: Path, path: Path, *, orientation: str, font: str, font_size: float, columns: str, marks: str
) -> None:
    """Write the report as one sheet: title, two print-title header rows, two rows per task."""
    title, quarter_header, tasks = load_tasks(dump, marks)
    widths = COLUMN_SETS[columns]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "完成情况"
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    body_font, bold_font = Font(name=font, size=font_size), Font(name=font, size=font_size, bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(widths))
    ws.cell(1, 1, title).font = Font(name=font, size=font_size + 5, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = (font_size + 5) * 2

    _write_header(ws, quarter_header, bold_font, centred)
    row = 4
    for task in tasks:
        row = _write_task(ws, row, task, widths, font_size, body_font, left, centred)
    for line in ws.iter_rows(min_row=2, max_row=row - 1, max_col=len(widths)):
        for cell in line:
            cell.border = _border()

    ws.print_title_rows = "2:3"
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页"
    wb.properties.title = title
    wb.properties.creator = "gov-report-etl scripts/make_sample_xlsx_pdf.py"
    wb.properties.description = "Generated from the real text dump (re-typeset; not the bureau's original file)"
    wb.save(str(path))


def _write_header(ws: Worksheet, quarter_header: str, font: Font, alignment: Alignment) -> None:
    """Rows 2-3: 季度类别 split over two lines in one merged cell, 完成情况 over 已完成/未完成."""
    labels = list(HEADER_TOP)
    labels[4] = "季度\n类别"
    labels[5] = quarter_header
    for column, label in enumerate(labels, start=1):
        if label:
            ws.cell(2, column, label)
    ws.cell(3, 7, "已完成")
    ws.cell(3, 8, "未完成")
    ws.merge_cells(start_row=2, start_column=7, end_row=2, end_column=8)
    for column in (1, 2, 3, 4, 5, 6, 9):
        ws.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    for row in (2, 3):
        ws.row_dimensions[row].height = 20
        for column in range(1, 10):
            ws.cell(row, column).font = font
            ws.cell(row, column).alignment = alignment


def _write_task(
    ws: Worksheet,
    first: int,
    task: Task,
    widths: tuple[float, ...],
    font_size: float,
    font: Font,
    left: Alignment,
    centred: Alignment,
) -> int:
    """A task's rows with its task cells merged over them; returns the next free row."""
    heights = []
    for offset, body in enumerate(task.rows):
        row = first + offset
        values = (body.plan_kind, "\n".join(body.plan_lines), body.done, body.not_done, "\n".join(body.progress_lines))
        for column, value in zip(range(5, 10), values, strict=True):
            cell = ws.cell(row, column, value or None)
            cell.font = font
            cell.alignment = left if column in (6, 9) else centred
        lines = max(_lines_needed(v, widths[c - 1], font_size) for c, v in zip(range(5, 10), values, strict=True))
        heights.append(lines)
    # The merged task cells need their lines over the task's rows together; the last row takes what is missing.
    task_lines = max(
        _lines_needed(text, widths[column], font_size)
        for column, text in enumerate((task.number, task.title, task.responsible, task.supervision))
    )
    if task_lines > sum(heights):
        heights[-1] += task_lines - sum(heights)
    for offset, lines in enumerate(heights):
        ws.row_dimensions[first + offset].height = round(lines * font_size * LINE_HEIGHT + 6, 1)
    for column, text in enumerate((task.number, task.title, task.responsible, task.supervision), start=1):
        cell = ws.cell(first, column, int(text) if column == 1 else text)
        cell.font = font
        cell.alignment = centred if column in (1, 4) else left
        ws.merge_cells(start_row=first, start_column=column, end_row=first + len(task.rows) - 1, end_column=column)
    return first + len(task.rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dump", type=Path, help="the report's tab-separated text dump")
    parser.add_argument("output", type=Path, help="the PDF to write")
    parser.add_argument("--orientation", choices=("landscape", "portrait"), default="landscape")
    parser.add_argument("--font", default=DEFAULT_FONT, help="a CJK font with a Unicode map (Noto CJK)")
    parser.add_argument("--font-size", type=float, default=10.0, help="body size in points")
    parser.add_argument("--columns", choices=sorted(COLUMN_SETS), default="even", help="column proportions")
    parser.add_argument("--marks", choices=sorted(MARK_SETS), default="source", help="how status marks are drawn")
    parser.add_argument("--keep-xlsx", action="store_true", help="also write the .xlsx next to the PDF")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="make_sample_xlsx_pdf_") as tmp:
        work = Path(tmp)
        xlsx = work / f"{args.output.stem}.xlsx"
        build_xlsx(
            args.dump,
            xlsx,
            orientation=args.orientation,
            font=args.font,
            font_size=args.font_size,
            columns=args.columns,
            marks=args.marks,
        )
        pdf = convert_to_pdf(xlsx, work)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, args.output)
        if args.keep_xlsx:
            shutil.copyfile(xlsx, args.output.with_suffix(".xlsx"))
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
