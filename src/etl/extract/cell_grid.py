"""A table whose cells are given (Word, HTML), laid on its grid, turned into the one page table build_report reads.

A Word table (w:gridSpan, w:vMerge) and an HTML table (colspan, rowspan) both say which cells span which grid
positions; their readers (etl.extract.docx, etl.extract.html) lay them out as rows of ``Slot``s, one per grid
column, the way a printout shows them:

- a cell spanning several columns gives its text to its first grid column, the others stay empty;
- a cell spanning several rows gives its text to its first row only (``starts`` False below it), so the task
  columns are filled on a task's first row, as in the text dump.

From there the header is found and the body rows collected here, the same way for both formats:

- the header is the first row made of header words (rows above it may hold a title), with the rows its merged
  cells span and the rows marked to repeat on every page (Word's w:tblHeader, HTML's <thead>); a second header
  line without merges (已完成 / 未完成 under 完成情况) is taken when the templates say it continues the first;
- a header row typed again further down is skipped, and so are empty rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from etl.extract.grid import PageRow, PageTable
from etl.extract.template import TemplateSet, merge_header_lines

# How far down a table its header may start (rows above it hold a title typed into the table).
HEADER_SEARCH_ROWS = 5
# How many grid rows a header may take without merged cells or repeat marks saying so.
MAX_UNMARKED_HEADER_ROWS = 3


@dataclass(frozen=True)
class Slot:
    """One grid position of a row: the cell's text if the cell starts here, whether a cell starts in this row."""

    text: str
    first_column: bool  # the cell's first grid column (a cell spanning columns gives its text to it)
    starts: bool  # False where a cell spanning rows continues from the row above
    repeats: bool  # the row is marked to repeat on every page (w:tblHeader, <thead>)


def texts(row: Sequence[Slot]) -> list[str]:
    return [slot.text for slot in row]


def header_start(grid: Sequence[Sequence[Slot]], templates: TemplateSet) -> int | None:
    """The first row made of header words (rows above it may hold a title), or None."""
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if templates.looks_like_header(texts(row)):
            return index
    return None


def header_end(grid: Sequence[Sequence[Slot]], start: int, templates: TemplateSet) -> int:
    """The row after the header: past the rows its merged cells span, and past the rows marked to repeat on every
    page that follow a repeating first header row."""
    end = start + 1
    for column in range(len(grid[start])):
        row = start + 1
        while row < len(grid) and not grid[row][column].starts:
            row += 1
        end = max(end, row)
    while end < len(grid) and grid[start][0].repeats and grid[end][0].repeats:
        end += 1
    # A second header line without merged cells or repeat marks: 已完成 / 未完成 under a 完成情况 above them.
    while (
        end < len(grid)
        and end - start < MAX_UNMARKED_HEADER_ROWS
        and templates.continues_header(texts(grid[end - 1]), texts(grid[end]))
    ):
        end += 1
    return end


def header_lines(grid: Sequence[Sequence[Slot]], start: int, end: int) -> list[list[str]]:
    return [texts(row) for row in grid[start:end]]


def title_rows(grid: Sequence[Sequence[Slot]], start: int) -> list[str]:
    """The text of the rows above the header: a title typed into the table's first row(s)."""
    return [" ".join(text for text in texts(row) if text) for row in grid[:start]]


def page_table(grid: Sequence[Sequence[Slot]], start: int, end: int, title: str) -> PageTable:
    """The one page of a table whose header takes rows start..end-1: the body rows without empty rows and
    without the header typed again, and the title given."""
    lines = header_lines(grid, start, end)
    body: list[PageRow] = []
    for row in grid[end:]:
        cells = texts(row)
        if not any(text.strip() for text in cells):
            continue  # an empty row (trailing rows of a table typed into a template)
        if cells == lines[0]:
            continue  # the header typed again further down (a table pasted together from pages)
        body.append(PageRow(cells=tuple(cells), starts=tuple(slot.starts for slot in row)))
    return PageTable(
        page=1,
        header=tuple(merge_header_lines(lines)),
        rows=tuple(body),
        text_above=title,
        header_lines=tuple(tuple(line) for line in lines),
        width=len(grid[start]),
        header_rows=end - start,
    )
