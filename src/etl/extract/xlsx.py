"""Read a report's table from the Excel workbook (.xlsx) the bureau keeps, into the same RawReport as a PDF.

openpyxl gives each sheet's cell values and merged ranges; this module lays a sheet out as its printout shows
it and hands that one "page" to etl.extract.assemble.build_report, which maps the header through the templates
(etl.extract.template) and assembles the rows exactly as for a PDF:

- the sheet: the first whose table header a template accepts; the RawReport names it (``sheet``, and a note
  when the workbook has other sheets). Sheets without a header row are passed over (a cover sheet, notes);
- the header: the first row (of the first 20) made of header words, with the rows its merged cells span, and the
  print-title rows (rows repeated at the top of every printed page) when the header starts among them;
- a merged range gives its value to its top-left cell only: a task's cells merged over its two rows fill the
  task's first row, as in the text dump; a header merged across columns (完成情况) sits in its first column;
- the title: the text of the rows above the header (a title cell merged across the table);
- values: text as typed, line breaks inside a cell (Alt+Enter) kept; whole numbers without a decimal point (a
  task number or phone number typed as a number reads 5, not 5.0); formulas as their last computed value, saved in
  the file beside the formula. A formula whose value was never saved (openpyxl and scripts write such files; Excel,
  WPS and LibreOffice save it) would read as an empty cell: the workbook is refused naming each such cell.

A workbook has no pages before it is printed: every row is on page 1.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

from etl.errors import ReportError
from etl.extract.assemble import build_report
from etl.extract.grid import PageRow, PageTable
from etl.extract.template import TemplateMismatch, TemplateSet, merge_header_lines
from etl.extract.template_file import load_templates
from etl.models import RawReport

# How far down a sheet the header row may start (title and notes above it).
HEADER_SEARCH_ROWS = 20


def read_xlsx(path: Path, templates: TemplateSet | None = None) -> RawReport:
    """Read an Excel report into a RawReport; ReportError for an unreadable file or no sheet with a report table."""
    return parse_xlsx(path.read_bytes(), path.name, templates)


def parse_xlsx(data: bytes, file_name: str, templates: TemplateSet | None = None) -> RawReport:
    from openpyxl import load_workbook

    templates = templates if templates is not None else load_templates()
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReportError.single(file_name, f"not a readable Excel workbook (.xlsx): {exc}") from exc
    names = [sheet.title for sheet in workbook.worksheets]
    refusals: list[tuple[str, TemplateMismatch]] = []
    for sheet in workbook.worksheets:
        grid, starts = _sheet_grid(sheet)
        start = next(
            (i for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]) if templates.looks_like_header(row)), None
        )
        if start is None:
            continue
        end = _header_end(sheet, grid, start, templates)
        header_lines = grid[start:end]
        try:
            templates.match(header_lines)
        except TemplateMismatch as exc:
            refusals.append((sheet.title, exc))
            continue
        _refuse_formulas_without_values(data, file_name, sheet)
        return _report(data, file_name, sheet, names, grid, starts, start, end, templates)
    if refusals:
        title, refusal = refusals[0]
        raise ReportError.single(file_name, f"sheet {title!r}: {refusal}", page=1)
    raise ReportError.single(
        file_name, f"no sheet holds a report table (no header row of 序号, 目标任务 …): sheets {', '.join(names)}"
    )


def _refuse_formulas_without_values(data: bytes, file_name: str, sheet: Any) -> None:
    """ReportError naming the cells of ``sheet`` (read with values only) whose formula has no saved value."""
    from openpyxl import load_workbook

    formulas = load_workbook(io.BytesIO(data), data_only=False)[sheet.title]
    missing = [
        f"cell {cell.coordinate}: the formula {_formula(cell.value)} has no saved value"
        for row in formulas.iter_rows()
        for cell in row
        if cell.data_type == "f" and sheet[cell.coordinate].value is None
    ]
    if missing:
        shown = "; ".join(missing[:5]) + (f"; and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ReportError.single(
            file_name,
            f"sheet {sheet.title!r}, {shown}: the program that wrote the workbook did not compute its formulas, so "
            "the cell would read as empty. Open the file in Excel, WPS or LibreOffice, save it, and send it again",
            page=1,
        )


def _formula(value: Any) -> str:
    text = str(getattr(value, "text", value))  # an array formula keeps its text in .text
    return text if len(text) <= 60 else text[:59] + "…"


def _text(value: Any) -> str:
    """A cell value as the text a reader sees."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _sheet_grid(sheet: Any) -> tuple[list[list[str]], list[list[bool]]]:
    """The sheet's values as texts by row and column, merged ranges' values in their top-left cell only, and
    for each cell whether a cell starts there (False below the first row of a merged range)."""
    n_rows, n_cols = sheet.max_row, sheet.max_column
    grid = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    starts = [[True for _ in range(n_cols)] for _ in range(n_rows)]
    for r, row in enumerate(sheet.iter_rows(min_row=1, max_row=n_rows, max_col=n_cols, values_only=True)):
        for c, value in enumerate(row):
            grid[r][c] = _text(value)
    for merged in sheet.merged_cells.ranges:
        for r in range(merged.min_row + 1, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if r <= n_rows and c <= n_cols:
                    starts[r - 1][c - 1] = False
    return grid, starts


def _header_end(sheet: Any, grid: list[list[str]], start: int, templates: TemplateSet) -> int:
    """The row after the header: past the rows merged header cells span, past the print-title rows when the
    header starts among them, and past rows that continue the header's words."""
    end = start + 1
    for merged in sheet.merged_cells.ranges:
        if merged.min_row - 1 == start:
            end = max(end, merged.max_row)
    titles = sheet.print_title_rows  # e.g. '2:3' (1-based, inclusive)
    if titles:
        first, last = (int(part) for part in titles.replace("$", "").split(":"))
        if first - 1 <= start < last:
            end = max(end, last)
    # A second header line without merged cells or print titles: 已完成 / 未完成 under a 完成情况 above them.
    while end < len(grid) and end - start < 3 and templates.continues_header(grid[end - 1], grid[end]):
        end += 1
    return min(end, len(grid))


def _table_width(header_lines: list[list[str]], sheet: Any, start: int, end: int) -> int:
    """The table's columns: up to the last column with a header (or covered by a merged header cell)."""
    width = 0
    for line in header_lines:
        for c, text in enumerate(line):
            if text:
                width = max(width, c + 1)
    for merged in sheet.merged_cells.ranges:
        if start < merged.max_row and merged.min_row - 1 < end and merged.min_col <= width:
            width = max(width, merged.max_col)
    return width


def _report(
    data: bytes,
    file_name: str,
    sheet: Any,
    names: list[str],
    grid: list[list[str]],
    starts: list[list[bool]],
    start: int,
    end: int,
    templates: TemplateSet,
) -> RawReport:
    sheet_name = str(sheet.title)
    width = _table_width(grid[start:end], sheet, start, end)
    header_lines = [row[:width] for row in grid[start:end]]
    body: list[PageRow] = []
    for row, flags in zip(grid[end:], starts[end:], strict=True):
        cells = row[:width]
        if not any(cells) or cells == header_lines[0]:
            continue  # empty rows, and the header typed again further down
        body.append(PageRow(cells=tuple(cells), starts=tuple(flags[:width])))
    title = " ".join(" ".join(text for text in row if text) for row in grid[:start] if any(row))
    table = PageTable(
        page=1,
        header=tuple(merge_header_lines(header_lines)),
        rows=tuple(body),
        text_above=title.replace("\n", " "),
        header_lines=tuple(tuple(line) for line in header_lines),
        width=width,
        header_rows=end - start,
    )
    notes = [f"the table was read from sheet {sheet_name!r} (sheets: {', '.join(names)})"] if len(names) > 1 else []
    raw = build_report(data, file_name, 1, [table], notes, templates, source_format="xlsx")
    return raw.model_copy(update={"sheet": sheet_name})
