"""A page's table from its characters and cell boxes: what both PDF extractors and OCR share.

The two PDF extractors (pdf.py on pdfplumber, the reference; pdf_fast.py on pypdfium2, the fast path) and OCR
differ only in how they get a page's characters and its table's cell boxes (etl.extract.rulings for a table drawn
with lines). Everything after that is here and in etl.extract.assemble, once, so that they can only disagree about
what the page contains, never about how a table is read:

- the records a page is read into (``Char``, ``Ruling``, ``PageRow``, ``PageTable``, ``PageContext``) and the
  scan check (``PageScan``: image-only pages need OCR);
- characters: copies drawn twice (fake bold) are dropped, per page and only where found; a cell's text is its
  characters as visual lines joined with "\\n" (``clean_cell`` later joins soft wraps the same way for every
  format); a glyph without a Unicode mapping is an error naming page and cell, except a lone glyph in a
  status column, which etl.extract.assemble reads as a check mark because of where it stands (noted);
- a page's table (``read_page_table``): cell boxes placed on a row/column grid, each character in the cell holding
  its centre, the header found on the first page (matched against the templates, etl.extract.template) and
  skipped wherever it is repeated; a merged cell gives its text to its first row.

Joining the pages and mapping the columns to fields is etl.extract.assemble's (``join_pages``, ``build_report``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from etl.errors import ReportError
from etl.extract.template import TemplateMismatch, TemplateSet, merge_header_lines
from etl.extract.template_file import load_templates
from etl.models import COLUMN_LABELS, COLUMN_NAMES

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom: points from the page's top-left corner

# Cell edges closer than this (points) are the same grid line.
GRID_TOLERANCE = 1.5
# A horizontal gap between two characters wider than this fraction of the font size is a space. Spaces in
# CJK text are dropped later by clean_cell; between Latin words they matter (2. 8月份 is item 2, 2.8 is not).
# Writers leave 0.2 em between CJK and Latin text (LibreOffice's autospace) and a CJK font's space is about
# 0.22 em: a threshold at either value would make float noise decide, so it sits well below both.
SPACE_GAP = 0.15
# Two equal characters closer than this (points) are one character drawn twice.
DUPLICATE_TOLERANCE = 1.0
# Text only within this share of the page height from the top or bottom edge is a running header/footer.
RUNNING_TEXT_BAND = 0.12


@dataclass(frozen=True, slots=True)
class Char:
    """One drawn character: its text and box (top-left origin), font size, and whether it has no Unicode."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    unmapped: bool = False
    # Recognition confidence (0–1) of text read by OCR from a scan; None for text drawn in a PDF.
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Ruling:
    """A drawn straight line: horizontal at ``pos`` (a top) from ``start`` to ``end`` (x), or vertical."""

    horizontal: bool
    pos: float
    start: float
    end: float


class GridUnreadable(Exception):
    """The fast path could not make a table grid of a page's lines; the reference extractor reads that page."""


@dataclass(frozen=True)
class GridCell:
    """One drawn cell of a page's table: its text and the grid rows and columns it spans."""

    row: int
    col: int
    row_end: int
    col_end: int
    text: str
    confidence: float | None = None  # the lowest of its characters' (OCR only)


@dataclass(frozen=True)
class PageRow:
    """One body grid row of one page: each column's text, and whether a cell starts in this row.

    ``starts[c]`` is False where the column is covered by a cell merged down from an earlier row of the page.
    """

    cells: tuple[str, ...]
    starts: tuple[bool, ...]
    extra: tuple[str, ...] = ()
    confidence: tuple[float | None, ...] = ()  # per column, extra columns after the nine (OCR only)


@dataclass(frozen=True)
class PageTable:
    """A page's table after its header: the body rows, and the title text above the table.

    As read from the page, ``rows`` are in the page's column order and ``header_lines`` are the header rows'
    cell texts (empty when the page repeats no header); ``build_report`` maps them to the canonical columns.
    ``undecoded`` lists the body cells (grid row, column) that held one glyph without a Unicode mapping.
    """

    page: int
    header: tuple[str, ...]
    rows: tuple[PageRow, ...]
    text_above: str
    header_lines: tuple[tuple[str, ...], ...] = ()
    width: int = len(COLUMN_NAMES)
    undecoded: tuple[tuple[int, int], ...] = ()
    header_rows: int = 0


@dataclass
class PageContext:
    """Where a page stands in its file, for messages, and the notes that reading it adds."""

    file_name: str
    page: int
    first_table: bool
    notes: list[str] = field(default_factory=list)
    templates: TemplateSet = field(default_factory=load_templates)

    def error(self, message: str, column: str | None = None) -> ReportError:
        return ReportError.single(self.file_name, message, page=self.page, column=column)


class ScanNeedsOcr(ReportError):
    """A PDF whose pages are images without a text layer: etl.extract.source sends it to OCR instead."""


class PageScan:
    """Which pages had text and which only an image: a file with image-only pages is a scan that needs OCR."""

    def __init__(self) -> None:
        self.image_pages: list[int] = []
        self.text_pages = 0

    def saw(self, page: int, *, has_text: bool, has_image: bool) -> None:
        if has_text:
            self.text_pages += 1
        elif has_image:
            self.image_pages.append(page)

    def check(self, file_name: str, page_count: int | None) -> None:
        """Raise for a scan; ``page_count`` is None when only some pages were read (the rest had text)."""
        if self.image_pages:
            scanned = ", ".join(map(str, self.image_pages))
            raise ScanNeedsOcr.single(
                file_name,
                f"no text layer on page(s) {scanned}, only an image: a scanned PDF needs OCR first",
                page=self.image_pages[0],
            )
        if page_count is not None and self.text_pages == 0:
            raise ScanNeedsOcr.single(
                file_name, f"no text layer on any of the {page_count} page(s): the PDF needs OCR first", page=1
            )


# --- Characters -------------------------------------------------------------------------------------------


def drop_duplicates(chars: list[Char]) -> tuple[list[Char], int]:
    """The characters with copies drawn twice (fake bold) removed, and how many copies there were.

    A copy is the same character within DUPLICATE_TOLERANCE (both ways) of one kept before it. Sorting by text
    and position puts a copy right after its original, so the check is one sort and one pass, and a page without
    copies is returned as it was (nothing is rebuilt).
    """
    order = sorted(range(len(chars)), key=lambda i: (chars[i].text, chars[i].top, chars[i].x0))
    dropped: set[int] = set()
    for position, index in enumerate(order):
        ch = chars[index]
        back = position - 1
        while back >= 0:
            other = chars[order[back]]
            if other.text != ch.text or ch.top - other.top > DUPLICATE_TOLERANCE:
                break
            if order[back] not in dropped and abs(other.x0 - ch.x0) <= DUPLICATE_TOLERANCE:
                dropped.add(max(index, order[back]))  # the copy is the one drawn later
                break
            back -= 1
    if not dropped:
        return chars, 0
    return [ch for i, ch in enumerate(chars) if i not in dropped], len(dropped)


def visual_lines(chars: Iterable[Char]) -> list[str]:
    """The visual lines of some characters, top to bottom, each read left to right.

    A character joins the current line when its vertical centre lies within the line's extent, so glyphs
    from a fallback font (✓) or punctuation with other metrics stay on their line.
    """
    lines: list[list[Char]] = []
    low, high = 0.0, 0.0
    for ch in sorted(chars, key=lambda c: (c.top, c.x0)):
        middle = (ch.top + ch.bottom) / 2
        if lines and low <= middle <= high:
            lines[-1].append(ch)
            low, high = min(low, ch.top), max(high, ch.bottom)
        else:
            lines.append([ch])
            low, high = ch.top, ch.bottom
    texts = (_line_text(sorted(line, key=lambda c: c.x0)) for line in lines)
    return [text for text in texts if text]


def _line_text(chars: list[Char]) -> str:
    """One line's text; a visible gap between two characters with no space character reads as a space."""
    out: list[str] = []
    previous: Char | None = None
    for ch in chars:
        if previous is not None and " " not in (ch.text, previous.text):
            gap = ch.x0 - previous.x1
            out.extend(" " if gap > SPACE_GAP * max(ch.size, previous.size) else "")
        out.append(ch.text)
        previous = ch
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def only_running_text(chars: Sequence[Char], page_height: float) -> bool:
    """True when all text sits in the top or bottom margin band: a page number or running header only."""
    band = RUNNING_TEXT_BAND * page_height
    return all(ch.bottom <= band or ch.top >= page_height - band for ch in chars)


def table_bbox(boxes: Sequence[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


# --- A page's table -------------------------------------------------------------------------------------------


def read_page_table(boxes: Sequence[BBox], chars: Sequence[Char], context: PageContext) -> PageTable:
    """Find and skip a page table's header and return its body rows (page column order) and the text above it.

    The first page with a table must start with a header (a row of header words, etl.extract.template); later
    pages may repeat it (skipped) or go on without one (a header marked not to repeat).
    """
    undecoded: list[tuple[int, int]] = []
    cells, n_rows, n_cols = _grid_cells(boxes, chars, context, undecoded)
    header_rows = _header_row_count(cells, context.templates)
    if header_rows == 0 and context.first_table:
        found = [c.text.replace("\n", "") for c in cells if c.row == 0]
        try:
            context.templates.match([found])
        except TemplateMismatch as exc:
            raise context.error(str(exc)) from exc
        raise context.error("no table header")
    header_lines = _rows_as_lines(cells, 0, header_rows, n_cols)
    header = merge_header_lines(header_lines) if header_rows else [""] * n_cols
    for row, col in undecoded:
        if row < header_rows:
            raise context.error(unmapped_message(f"table row {row + 1}"), column=header[col] or f"column {col + 1}")
    top = table_bbox(boxes)[1]
    above = [ch for ch in chars if ch.bottom <= top + 1]
    if any(ch.unmapped for ch in above):
        raise context.error(unmapped_message("the text above the table"))
    return PageTable(
        page=context.page,
        header=tuple(header),
        rows=tuple(_body_rows(cells, header_rows, n_rows, n_cols)),
        text_above=" ".join(visual_lines(above)),
        header_lines=tuple(tuple(line) for line in header_lines),
        width=n_cols,
        undecoded=tuple(undecoded),
        header_rows=header_rows,
    )


def _grid_cells(
    boxes: Sequence[BBox], chars: Sequence[Char], context: PageContext, undecoded: list[tuple[int, int]]
) -> tuple[list[GridCell], int, int]:
    """Place cell boxes on a row/column grid, so merged cells know which rows they span, and read their text.

    Each character goes to the cell containing its centre (glyph boxes may overhang the ruling lines); the
    characters are bucketed by cell in one pass over the page.
    """
    box_list = list(boxes)
    xs = _grid_lines([b[0] for b in box_list] + [b[2] for b in box_list])
    ys = _grid_lines([b[1] for b in box_list] + [b[3] for b in box_list])
    placed = [(_index(ys, b[1]), _index(xs, b[0]), _index(ys, b[3]), _index(xs, b[2])) for b in box_list]
    # Which cell covers each grid box, to find a character's cell by two bisections.
    owner: dict[tuple[int, int], int] = {}
    for number, (r0, c0, r1, c1) in enumerate(placed):
        for i in range(r0, r1):
            for j in range(c0, c1):
                owner[(i, j)] = number
    inside: list[list[Char]] = [[] for _ in box_list]
    for ch in chars:
        x, y = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        i, j = _slot(ys, y), _slot(xs, x)
        number = owner.get((i, j), -1) if i >= 0 and j >= 0 else -1
        if number >= 0:
            inside[number].append(ch)
    cells = []
    for number, (r0, c0, r1, c1) in enumerate(placed):
        text = _cell_text(inside[number], r0, c0, context, undecoded)
        scores = [ch.confidence for ch in inside[number] if ch.confidence is not None]
        confidence = min(scores) if scores else None
        cells.append(GridCell(row=r0, col=c0, row_end=r1, col_end=c1, text=text, confidence=confidence))
    cells.sort(key=lambda c: (c.row, c.col))
    return cells, len(ys) - 1, len(xs) - 1


def _cell_text(chars: list[Char], row: int, col: int, context: PageContext, undecoded: list[tuple[int, int]]) -> str:
    """A cell's text; undecodable glyphs are an error, except a lone one, which ``build_report`` decides by the
    column it stands in (see module doc): its place is recorded in ``undecoded``."""
    unmapped = [ch for ch in chars if ch.unmapped]
    if not unmapped:
        return "\n".join(visual_lines(chars))
    if len(chars) == 1:
        undecoded.append((row, col))
        return "\ufffd"
    # The header is not read yet: the column is named as the 2024 template orders it.
    column = COLUMN_LABELS[COLUMN_NAMES[col]] if col < len(COLUMN_NAMES) else f"column {col + 1}"
    raise context.error(unmapped_message(f"table row {row + 1}"), column=column)


def unmapped_message(where: str) -> str:
    return (
        f"{where}: characters whose font has no Unicode mapping (read as (cid:N)); the text cannot be "
        "decoded, the PDF needs OCR"
    )


def _grid_lines(values: list[float]) -> list[float]:
    """Distinct coordinates of cell edges, with near-equal ones (within GRID_TOLERANCE) taken as one."""
    lines: list[float] = []
    for value in sorted(values):
        if not lines or value - lines[-1] > GRID_TOLERANCE:
            lines.append(value)
    return lines


def _index(lines: list[float], value: float) -> int:
    return min(range(len(lines)), key=lambda i: abs(lines[i] - value))


def _slot(lines: list[float], value: float) -> int:
    """The grid interval holding ``value`` (lines[k] <= value < lines[k + 1]), or -1 outside the grid."""
    if value < lines[0] or value >= lines[-1]:
        return -1
    return bisect.bisect_right(lines, value) - 1


def _header_row_count(cells: list[GridCell], templates: TemplateSet) -> int:
    """How many grid rows the header takes: the rows its tallest first-row cell spans; 0 when the first row is
    not a header (a page that continues the table without repeating it)."""
    first_row = sorted((c for c in cells if c.row == 0), key=lambda c: c.col)
    if not first_row or not templates.looks_like_header([c.text for c in first_row]):
        return 0
    return max(c.row_end for c in first_row)


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
    by_row: dict[int, list[GridCell]] = {}
    for cell in cells:
        by_row.setdefault(cell.row, []).append(cell)
    rows = []
    for row in range(first, n_rows):
        texts = [""] * n_cols
        starts = [False] * n_cols
        confidence: list[float | None] = [None] * n_cols
        for cell in by_row.get(row, []):
            texts[cell.col] = cell.text
            confidence[cell.col] = cell.confidence
            for col in range(cell.col, cell.col_end):
                starts[col] = True
        rows.append(PageRow(cells=tuple(texts), starts=tuple(starts), confidence=tuple(confidence)))
    return rows
