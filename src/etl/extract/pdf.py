"""Read a report's table from its PDF (as printed from Word) into the same RawReport the text dump gives.

The PDF table is drawn with ruling lines, so each page's table and cells are found from those lines
(pdfplumber's "lines" strategy). What the PDF layout adds over the text dump, and how it is undone:

- the two header rows are repeated on every page: each page's header is checked and skipped;
- the task columns (序号, 目标任务, 责任分工, 监督方式) are cells merged vertically over a task's rows: their text
  goes to the task's first row and the following rows get "" there, exactly as in the text dump;
- a row may break across pages: the part under the next page's header is joined back to its row, cell by
  cell, and a merged task cell that continues on the next page is joined back to its task's first row;
  RawRow.pages lists every page a row's text came from;
- cell text is read per cell from the characters inside it, as visual lines joined with "\\n", so lines of
  adjacent cells never mix; ``clean_cell`` later joins soft wraps the same way for every format.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from etl.errors import ReportError
from etl.extract.header import header_mismatch, merge_header_lines
from etl.models import COLUMN_NAMES, RawReport, RawRow
from etl.parse.report import PLAN_TYPES

Char = dict[str, Any]
BBox = tuple[float, float, float, float]

# Table finding from ruling lines only: a Word table is fully bordered, and text-based guessing would split
# multi-line cells.
TABLE_SETTINGS: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
# Cell edges closer than this (points) are the same grid line; pdfplumber already snaps edges within 3 pt.
GRID_TOLERANCE = 1.5
# A horizontal gap between two characters wider than this fraction of the font size is a space. Spaces in
# CJK text are dropped later by clean_cell; between Latin words they matter (2. 8月份 is item 2, 2.8 is not).
SPACE_GAP = 0.2
# Two equal characters closer than this (points) are one character drawn twice.
DUPLICATE_TOLERANCE = 1.0
# Text only within this share of the page height from the top or bottom edge is a running header/footer.
RUNNING_TEXT_BAND = 0.12
# Share of characters without a Unicode mapping ("(cid:123)") above which the text layer is unusable.
MAX_UNMAPPED_SHARE = 0.2

TASK_COLUMNS: tuple[int, ...] = tuple(
    COLUMN_NAMES.index(name) for name in ("task_no", "task_title", "responsible", "supervision")
)
PLAN_KIND = COLUMN_NAMES.index("plan_kind")
QUARTER_COLUMN = COLUMN_NAMES.index("quarter_plan")
_UNMAPPED = re.compile(r"^\(cid:\d+\)$")
_PDF_ERRORS = (PdfminerException, MalformedPDFException, PSException)


@dataclass(frozen=True)
class GridCell:
    """One drawn cell of a page's table: its text and the grid rows and columns it spans."""

    row: int
    col: int
    row_end: int
    col_end: int
    text: str


@dataclass(frozen=True)
class PageRow:
    """One body grid row of one page: each column's text, and whether a cell starts in this row.

    ``starts[c]`` is False where the column is covered by a cell merged down from an earlier row of the page.
    """

    cells: tuple[str, ...]
    starts: tuple[bool, ...]


@dataclass(frozen=True)
class PageTable:
    """A page's table after its header: the body rows, and the title text above the table."""

    page: int
    header: tuple[str, ...]
    rows: tuple[PageRow, ...]
    text_above: str


@dataclass
class _RowBuilder:
    """A document row being assembled from one or more page fragments."""

    pages: list[int]
    parts: list[list[str]] = field(default_factory=lambda: [[] for _ in COLUMN_NAMES])

    def add(self, column: int, text: str) -> None:
        if text:
            self.parts[column].append(text)

    def add_page(self, page: int) -> None:
        if page not in self.pages:
            self.pages.append(page)

    def text(self, column: int) -> str:
        return "\n".join(self.parts[column])


def read_pdf(path: Path) -> RawReport:
    """Read a report PDF into a RawReport; raise ReportError naming the page of anything wrong."""
    return parse_pdf(path.read_bytes(), path.name)


def parse_pdf(data: bytes, file_name: str) -> RawReport:
    """Read a report PDF given as bytes (e.g. an upload); ``file_name`` is used in errors and lineage."""
    if not data.strip():
        raise ReportError.single(file_name, "the file is empty")
    if b"%PDF-" not in data[:1024]:
        raise ReportError.single(file_name, "not a PDF file (no %PDF- header)")
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            page_count = len(pdf.pages)
            tables = _read_pages(pdf.pages, file_name)
    except ReportError:
        raise
    except _PDF_ERRORS as exc:
        raise ReportError.single(file_name, _pdf_error_message(exc)) from exc

    title = tables[0].text_above
    if not title:
        raise ReportError.single(file_name, "no title above the table", page=tables[0].page)
    return RawReport(
        source_file=file_name,
        source_sha256=hashlib.sha256(data).hexdigest(),
        source_format="pdf",
        byte_size=len(data),
        page_count=page_count,
        title=title,
        quarter_header=tables[0].header[QUARTER_COLUMN],
        rows=tuple(_join_pages(tables)),
    )


def _pdf_error_message(exc: Exception) -> str:
    """A reader-facing message for pdfminer's errors, which are wrapped (PdfminerException) or raw."""
    cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(cause, PDFEncryptionError):
        return "the PDF is encrypted or password-protected; export it again without a password"
    return f"not a readable PDF ({type(cause).__name__}: {cause})"


def _read_pages(pages: Sequence[Any], file_name: str) -> list[PageTable]:
    """Each page's table, in page order; a pdfminer error is reported with the page it happened on.

    Blank pages, and pages with nothing but a running header or footer (Word's paragraph after a table can
    spill onto a page of its own), are skipped. A page whose only content is an image is a scan: without a
    text layer it cannot be read, so the file is rejected rather than rows silently lost.
    """
    tables: list[PageTable] = []
    image_pages: list[int] = []
    text_pages = 0
    for number, page in enumerate(pages, start=1):
        try:
            chars = _page_chars(page)
            if not chars:
                if page.images:
                    image_pages.append(number)
                continue
            text_pages += 1
            table = _read_page(page, number, chars, file_name)
        except _PDF_ERRORS as exc:
            raise ReportError.single(file_name, _pdf_error_message(exc), page=number) from exc
        if table is not None:
            tables.append(table)
    if image_pages:
        scanned = ", ".join(map(str, image_pages))
        raise ReportError.single(
            file_name,
            f"no text layer on page(s) {scanned}, only an image: a scanned PDF needs OCR first",
            page=image_pages[0],
        )
    if text_pages == 0:
        raise ReportError.single(
            file_name, f"no text layer on any of the {len(pages)} page(s): the PDF needs OCR first", page=1
        )
    if not tables:
        raise ReportError.single(file_name, "no table found: not a task-completion report", page=1)
    return tables


def _read_page(page: Any, number: int, chars: list[Char], file_name: str) -> PageTable | None:
    """A page's table, or None for a page with only a running header or footer; ReportError otherwise."""
    _check_unicode(chars, number, file_name)
    table = page.find_table(TABLE_SETTINGS)
    if table is None:
        if _only_running_text(chars, page.height):
            return None
        raise ReportError.single(
            file_name,
            "no table with ruling lines found (expected the 序号 … 落实情况 report table)",
            page=number,
        )
    return _read_table(table, number, chars, file_name)


def _page_chars(page: Any) -> list[Char]:
    """The page's characters, blanks other than spaces dropped and duplicates removed.

    Some writers draw bold text twice with a small offset ("fake bold"); reading both copies would double
    every character. A copy is the same character within DUPLICATE_TOLERANCE of one already kept. (This is
    what pdfplumber's dedupe_chars does, in linear time: that one costs about a third of the reading time.)
    """
    kept: list[Char] = []
    seen: set[tuple[str, int, int]] = set()
    for ch in page.chars:
        text = ch["text"]
        if not (text.strip() or text == " "):
            continue
        x, y = round(ch["x0"] / DUPLICATE_TOLERANCE), round(ch["top"] / DUPLICATE_TOLERANCE)
        if any((text, x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            continue
        seen.add((text, x, y))
        kept.append(ch)
    return kept


def _check_unicode(chars: list[Char], page: int, file_name: str) -> None:
    """Reject a text layer whose fonts have no Unicode map: pdfminer reads it as (cid:N), not as text."""
    unmapped = sum(1 for ch in chars if _UNMAPPED.match(ch["text"]))
    if unmapped > MAX_UNMAPPED_SHARE * len(chars):
        raise ReportError.single(
            file_name,
            "the text layer has no Unicode mapping (characters read as (cid:N)); the PDF needs OCR",
            page=page,
        )


def _only_running_text(chars: list[Char], page_height: float) -> bool:
    """True when all text sits in the top or bottom margin band: a page number or running header only."""
    band = RUNNING_TEXT_BAND * page_height
    return all(ch["bottom"] <= band or ch["top"] >= page_height - band for ch in chars)


def _read_table(table: Any, number: int, chars: list[Char], file_name: str) -> PageTable:
    """Check and skip a page table's header and return its body rows and the text above it."""
    cells, n_rows, n_cols = _grid_cells(table.cells, chars)
    header_rows = _header_row_count(cells)
    header = merge_header_lines(_rows_as_lines(cells, 0, header_rows, n_cols))
    mismatch = header_mismatch(header)
    if mismatch:
        raise ReportError.single(file_name, mismatch, page=number)
    top = table.bbox[1]
    text_above = " ".join(_lines([ch for ch in chars if ch["bottom"] <= top + 1]))
    return PageTable(
        page=number,
        header=tuple(header),
        rows=tuple(_body_rows(cells, header_rows, n_rows, n_cols)),
        text_above=text_above,
    )


def _grid_cells(boxes: Iterable[BBox], chars: list[Char]) -> tuple[list[GridCell], int, int]:
    """Place pdfplumber's cell boxes on a row/column grid, so merged cells know which rows they span."""
    box_list = list(boxes)
    xs = _grid_lines([b[0] for b in box_list] + [b[2] for b in box_list])
    ys = _grid_lines([b[1] for b in box_list] + [b[3] for b in box_list])
    cells = []
    for x0, top, x1, bottom in box_list:
        inside = [ch for ch in chars if _centre_in(ch, (x0, top, x1, bottom))]
        cells.append(
            GridCell(
                row=_index(ys, top),
                col=_index(xs, x0),
                row_end=_index(ys, bottom),
                col_end=_index(xs, x1),
                text="\n".join(_lines(inside)),
            )
        )
    cells.sort(key=lambda c: (c.row, c.col))
    return cells, len(ys) - 1, len(xs) - 1


def _grid_lines(values: list[float]) -> list[float]:
    """Distinct coordinates of cell edges, with near-equal ones (within GRID_TOLERANCE) taken as one."""
    lines: list[float] = []
    for value in sorted(values):
        if not lines or value - lines[-1] > GRID_TOLERANCE:
            lines.append(value)
    return lines


def _index(lines: list[float], value: float) -> int:
    return min(range(len(lines)), key=lambda i: abs(lines[i] - value))


def _centre_in(ch: Char, box: BBox) -> bool:
    """A character belongs to the cell containing its centre: glyph boxes may overhang the ruling lines."""
    x: float = (ch["x0"] + ch["x1"]) / 2
    y: float = (ch["top"] + ch["bottom"]) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def _lines(chars: list[Char]) -> list[str]:
    """The visual lines of some characters, top to bottom, each read left to right.

    A character joins the current line when its vertical centre lies within the line's extent, so glyphs
    from a fallback font (✓) or punctuation with other metrics stay on their line.
    """
    lines: list[list[Char]] = []
    extent = (0.0, 0.0)
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        middle = (ch["top"] + ch["bottom"]) / 2
        if lines and extent[0] <= middle <= extent[1]:
            lines[-1].append(ch)
            extent = (min(extent[0], ch["top"]), max(extent[1], ch["bottom"]))
        else:
            lines.append([ch])
            extent = (ch["top"], ch["bottom"])
    texts = (_line_text(sorted(line, key=lambda c: c["x0"])) for line in lines)
    return [text for text in texts if text]


def _line_text(chars: list[Char]) -> str:
    """One line's text; a visible gap between two characters with no space character reads as a space."""
    out: list[str] = []
    previous: Char | None = None
    for ch in chars:
        if previous is not None and ch["text"] != " " and previous["text"] != " ":
            gap = ch["x0"] - previous["x1"]
            if gap > SPACE_GAP * max(ch["size"], previous["size"]):
                out.append(" ")
        out.append(ch["text"])
        previous = ch
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def _header_row_count(cells: list[GridCell]) -> int:
    """How many grid rows the header takes: the rows its first cell (序号, merged downwards) spans."""
    first = next((c for c in cells if c.row == 0 and c.col == 0), None)
    return first.row_end if first is not None else 1


def _rows_as_lines(cells: list[GridCell], start: int, end: int, n_cols: int) -> list[list[str]]:
    """The header rows as lines of cell texts by column, a merged cell's text in its first column."""
    lines = []
    for row in range(start, end):
        line = [""] * n_cols
        for cell in cells:
            if cell.row == row:
                line[cell.col] = cell.text
        lines.append(line)
    return lines


def _body_rows(cells: list[GridCell], first: int, n_rows: int, n_cols: int) -> list[PageRow]:
    """The body grid rows; a cell merged over several rows gives its text to its first row only."""
    rows = []
    for row in range(first, n_rows):
        texts = [""] * n_cols
        starts = [False] * n_cols
        for cell in cells:
            if cell.row == row:
                texts[cell.col] = cell.text
                for col in range(cell.col, cell.col_end):
                    starts[col] = True
        rows.append(PageRow(cells=tuple(texts), starts=tuple(starts)))
    return rows


def _label(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_incomplete_label(label: str) -> bool:
    """A 季度类别 cell that a page break cut: empty, or only the start of a known row kind (进度安 of 进度安排)."""
    return label not in PLAN_TYPES and (not label or any(kind.startswith(label) for kind in PLAN_TYPES))


def _join_pages(tables: list[PageTable]) -> list[RawRow]:
    """Join the pages' body rows into document rows, rebuilding rows and task cells split by page breaks."""
    rows: list[_RowBuilder] = []
    task_row: _RowBuilder | None = None  # the row that opened the current task
    for table in tables:
        for index, page_row in enumerate(table.rows):
            page_top = index == 0 and bool(rows)
            continues_row = page_top and (
                not _label(page_row.cells[PLAN_KIND]) or _is_incomplete_label(_label(rows[-1].text(PLAN_KIND)))
            )
            if continues_row:
                row = rows[-1]
                row.add_page(table.page)
            else:
                row = _RowBuilder(pages=[table.page])
                rows.append(row)
            for column, text in enumerate(page_row.cells):
                if column not in TASK_COLUMNS:
                    row.add(column, text)
            task_row = _place_task_cells(page_row, row, task_row, page_top, continues_row, table.page)
    return [
        RawRow(pages=tuple(row.pages), line=number, cells=tuple(row.text(c) for c in range(len(COLUMN_NAMES))))
        for number, row in enumerate(rows, start=1)
    ]


def _place_task_cells(
    page_row: PageRow,
    row: _RowBuilder,
    task_row: _RowBuilder | None,
    page_top: bool,
    continues_row: bool,
    page: int,
) -> _RowBuilder | None:
    """Put a grid row's task-column text where it belongs and return the row that opened the current task.

    A task cell that starts on a row opens a task if it holds any text; the first row under a page's
    header, though, continues the previous page's task cell when its row continues, when its 序号 is empty,
    or when the task's first row has no 序号 yet (a vertically centred number that fell on this page).
    Continued text is appended to the task's first row, so following rows keep "" in the task columns, and
    that page is added to the first row's pages: part of its text comes from there.
    """
    texts = [page_row.cells[c] for c in TASK_COLUMNS]
    if not any(page_row.starts[c] for c in TASK_COLUMNS) or not any(texts):
        return task_row
    if page_top and task_row is not None:
        number_missing = not _label(page_row.cells[TASK_COLUMNS[0]]) or not _label(task_row.text(TASK_COLUMNS[0]))
        if continues_row or number_missing:
            for column in TASK_COLUMNS:
                task_row.add(column, page_row.cells[column])
            task_row.add_page(page)
            return task_row
    for column in TASK_COLUMNS:
        row.add(column, page_row.cells[column])
    return row
