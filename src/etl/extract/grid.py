"""What both PDF extractors share: from a page's characters and cell boxes to the report's rows.

The two extractors (pdf.py on pdfplumber, the reference; pdf_fast.py on pypdfium2, the fast path) differ only in
how they get a page's characters and its table's cell boxes. Everything after that is here, once, so that the
two can only disagree about what the PDF contains, never about how a table is read:

- characters: copies drawn twice (fake bold) are dropped, per page and only where found; a cell's text is its
  characters as visual lines joined with "\\n" (``clean_cell`` later joins soft wraps the same way for every
  format); a glyph without a Unicode mapping is an error naming page and cell, except a lone glyph in a
  status column, which is read as a check mark because of where it stands, and reported in the notes;
- rulings: the cell boxes of a table drawn with ruling lines (``cells_from_rulings``, used by the fast path),
  and the outer borders a writer left out (``open_ends``, used by both: a row continued at the top of a page
  with no line above it must not be lost, pdfplumber #720);
- the header is found on the first page, matched against the templates (etl.extract.template: which column
  is which field, extra columns kept) and skipped wherever it is repeated; merged task cells give their text
  to the task's first row; rows and merged task cells cut by a page break are joined back (``join_pages``).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from etl.errors import ReportError
from etl.extract.formats import source_format as checked_source_format
from etl.extract.template import ColumnMap, TemplateMismatch, TemplateSet, merge_header_lines
from etl.extract.template_file import load_templates
from etl.models import COLUMN_LABELS, COLUMN_NAMES, RawReport, RawRow
from etl.vocabulary import PLAN_TYPE_BY_LABEL, TASK_FIELDS

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom: points from the page's top-left corner

# Cell edges closer than this (points) are the same grid line.
GRID_TOLERANCE = 1.5
# Ruling lines closer than this are one line (pdfplumber's snap and join tolerance: 3 pt).
SNAP_TOLERANCE = 3.0
# A drawn segment thinner than this is a ruling line; a wider filled shape is shading, not a border.
MAX_RULING_WIDTH = 2.0
# A horizontal gap between two characters wider than this fraction of the font size is a space. Spaces in
# CJK text are dropped later by clean_cell; between Latin words they matter (2. 8月份 is item 2, 2.8 is not).
# Writers leave 0.2 em between CJK and Latin text (LibreOffice's autospace) and a CJK font's space is about
# 0.22 em: a threshold at either value would make float noise decide, so it sits well below both.
SPACE_GAP = 0.15
# Two equal characters closer than this (points) are one character drawn twice.
DUPLICATE_TOLERANCE = 1.0
# Text only within this share of the page height from the top or bottom edge is a running header/footer.
RUNNING_TEXT_BAND = 0.12
# What a lone undecodable glyph in a status column is read as.
DECIDED_MARK = "✓"

# The columns of a task rather than of one of its rows (merged over a task's plan rows), by position.
TASK_COLUMNS: tuple[int, ...] = tuple(COLUMN_NAMES.index(name) for name in TASK_FIELDS)
# Fields whose cell may be a lone undecodable glyph read as a check mark.
STATUS_FIELDS: frozenset[str] = frozenset({"done", "not_done", "status"})
PLAN_KIND = COLUMN_NAMES.index("plan_kind")
TASK_NO = COLUMN_NAMES.index("task_no")


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


# --- Ruling lines -------------------------------------------------------------------------------------------


def _clusters(values: Iterable[float], tolerance: float) -> list[float]:
    """Representative values of groups of near-equal values (each within ``tolerance`` of the previous)."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(group) / len(group) for group in groups]


def _snap(value: float, anchors: list[float]) -> float:
    return min(anchors, key=lambda anchor: abs(anchor - value))


def _merged_spans(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping or nearly touching (SNAP_TOLERANCE) spans joined into one."""
    out: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + SNAP_TOLERANCE:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def open_ends(rulings: Sequence[Ruling]) -> list[float]:
    """Tops of outer borders a table lacks, wholly or in part, where its vertical lines begin or end.

    A writer that breaks a row or a merged cell across pages may leave out the line above the part on the next
    page, or below the part on the first (LibreOffice Calc draws no bottom border under a merged cell a page
    break cuts). Without it no cell encloses that text and a lines-based table finder drops it or gives it to
    the cell above (pdfplumber #720). The missing border is added across the whole table.
    """
    verticals = [r for r in rulings if not r.horizontal]
    if len(verticals) < 2:
        return []
    left, right = min(r.pos for r in verticals), max(r.pos for r in verticals)
    ends = []
    for y in (min(r.start for r in verticals), max(r.end for r in verticals)):
        spans = _merged_spans([(r.start, r.end) for r in rulings if r.horizontal and abs(r.pos - y) <= SNAP_TOLERANCE])
        if not any(start <= left + SNAP_TOLERANCE and end >= right - SNAP_TOLERANCE for start, end in spans):
            ends.append(y)
    return ends


def cells_from_rulings(rulings: Sequence[Ruling]) -> list[BBox]:
    """The cell boxes of a table drawn with ruling lines, merged cells as one box.

    The distinct x of vertical lines and y of horizontal lines make a grid of boxes; two neighbouring boxes
    are one cell when no line is drawn between them. A cell must be a rectangle closed on all sides: anything
    else means the lines are not a plain ruled table, and GridUnreadable sends the page to the reference.
    """
    extra = [Ruling(True, y, -1e9, 1e9) for y in open_ends(rulings)]
    lines = [*rulings, *extra]
    xs = _clusters((r.pos for r in lines if not r.horizontal), SNAP_TOLERANCE)
    ys = _clusters((r.pos for r in lines if r.horizontal), SNAP_TOLERANCE)
    if len(xs) < 2 or len(ys) < 2:
        raise GridUnreadable("fewer than two vertical or horizontal ruling lines")
    spans_h: dict[float, list[tuple[float, float]]] = {y: [] for y in ys}
    spans_v: dict[float, list[tuple[float, float]]] = {x: [] for x in xs}
    for r in lines:
        if r.horizontal:
            spans_h[_snap(r.pos, ys)].append((max(r.start, xs[0] - 1), min(r.end, xs[-1] + 1)))
        else:
            spans_v[_snap(r.pos, xs)].append((r.start, r.end))
    merged_h = {y: _merged_spans(s) for y, s in spans_h.items()}
    merged_v = {x: _merged_spans(s) for x, s in spans_v.items()}

    def drawn(spans: list[tuple[float, float]], a: float, b: float) -> bool:
        return any(start <= a + SNAP_TOLERANCE and end >= b - SNAP_TOLERANCE for start, end in spans)

    n_cols, n_rows = len(xs) - 1, len(ys) - 1
    # right[i][j]: a line closes box (i, j) on its right; below[i][j]: on its bottom (i = row, j = column).
    right = [[drawn(merged_v[xs[j + 1]], ys[i], ys[i + 1]) for j in range(n_cols)] for i in range(n_rows)]
    below = [[drawn(merged_h[ys[i + 1]], xs[j], xs[j + 1]) for j in range(n_cols)] for i in range(n_rows)]
    left_edge = [drawn(merged_v[xs[0]], ys[i], ys[i + 1]) for i in range(n_rows)]
    top_edge = [drawn(merged_h[ys[0]], xs[j], xs[j + 1]) for j in range(n_cols)]

    owner = list(range(n_rows * n_cols))

    def find(k: int) -> int:
        while owner[k] != k:
            owner[k] = owner[owner[k]]
            k = owner[k]
        return k

    for i in range(n_rows):
        for j in range(n_cols):
            if j + 1 < n_cols and not right[i][j]:
                owner[find(i * n_cols + j + 1)] = find(i * n_cols + j)
            if i + 1 < n_rows and not below[i][j]:
                owner[find((i + 1) * n_cols + j)] = find(i * n_cols + j)
    regions: dict[int, list[tuple[int, int]]] = {}
    for i in range(n_rows):
        for j in range(n_cols):
            regions.setdefault(find(i * n_cols + j), []).append((i, j))

    boxes: list[BBox] = []
    for members in regions.values():
        rows = [i for i, _ in members]
        cols = [j for _, j in members]
        r0, r1, c0, c1 = min(rows), max(rows), min(cols), max(cols)
        closed = (
            all(right[i][c1] for i in range(r0, r1 + 1))
            and all(below[r1][j] for j in range(c0, c1 + 1))
            and all((left_edge[i] if c0 == 0 else right[i][c0 - 1]) for i in range(r0, r1 + 1))
            and all((top_edge[j] if r0 == 0 else below[r0 - 1][j]) for j in range(c0, c1 + 1))
        )
        if not closed:
            continue  # outside the table: an open area around or between tables
        if len(members) != (r1 - r0 + 1) * (c1 - c0 + 1):
            raise GridUnreadable(f"a cell that is not a rectangle at x={xs[c0]:.1f}, y={ys[r0]:.1f}")
        boxes.append((xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
    if not boxes:
        raise GridUnreadable("no closed cell between the ruling lines")
    return boxes


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
            raise context.error(_unmapped_message(f"table row {row + 1}"), column=header[col] or f"column {col + 1}")
    top = table_bbox(boxes)[1]
    above = [ch for ch in chars if ch.bottom <= top + 1]
    if any(ch.unmapped for ch in above):
        raise context.error(_unmapped_message("the text above the table"))
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
    raise context.error(_unmapped_message(f"table row {row + 1}"), column=column)


def _unmapped_message(where: str) -> str:
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


# --- Joining the pages ------------------------------------------------------------------------------------------


@dataclass
class _RowBuilder:
    """A document row being assembled from one or more page fragments."""

    pages: list[int]
    width: int = len(COLUMN_NAMES)
    parts: list[list[str]] = field(default_factory=list)

    scores: list[list[float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.parts = self.parts or [[] for _ in range(self.width)]
        self.scores = self.scores or [[] for _ in range(self.width)]

    def add(self, column: int, text: str, confidence: float | None = None) -> None:
        if text:
            self.parts[column].append(text)
        if confidence is not None:
            self.scores[column].append(confidence)

    def confidence(self) -> tuple[float | None, ...] | None:
        """Each column's lowest OCR confidence over its fragments; None when nothing was recognised by OCR."""
        if not any(self.scores):
            return None
        return tuple(min(s) if s else None for s in self.scores)

    def add_page(self, page: int) -> None:
        if page not in self.pages:
            self.pages.append(page)

    def text(self, column: int) -> str:
        return "\n".join(self.parts[column])


def _label(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_incomplete_label(label: str) -> bool:
    """A 季度类别 cell that a page break cut: empty, or only the start of a known row kind (进度安 of 进度安排)."""
    kinds = PLAN_TYPE_BY_LABEL
    return label not in kinds and (not label or any(kind.startswith(label) for kind in kinds))


def join_pages(tables: Sequence[PageTable], *, plan_rows: bool = True) -> list[RawRow]:
    """Join the pages' body rows into document rows, rebuilding rows and task cells split by page breaks.

    The first row under a page's header continues the previous page's last row when its row kind (季度类别) is
    empty or the previous one's was cut (plan rows), or, in a table of one row per task, when its 序号 is empty.
    """
    rows: list[_RowBuilder] = []
    task_row: _RowBuilder | None = None  # the row that opened the current task
    n_extra = max((len(row.extra) for table in tables for row in table.rows), default=0)
    width = len(COLUMN_NAMES) + n_extra
    for table in tables:
        for index, page_row in enumerate(table.rows):
            page_top = index == 0 and bool(rows)
            continues_row = page_top and (
                (not _label(page_row.cells[PLAN_KIND]) or _is_incomplete_label(_label(rows[-1].text(PLAN_KIND))))
                if plan_rows
                else not _label(page_row.cells[TASK_NO])
            )
            if continues_row:
                row = rows[-1]
                row.add_page(table.page)
            else:
                row = _RowBuilder(pages=[table.page], width=width)
                rows.append(row)
            for column, text in enumerate((*page_row.cells, *page_row.extra)):
                if column not in TASK_COLUMNS:
                    row.add(column, text, _score(page_row, column))
            task_row = _place_task_cells(page_row, row, task_row, page_top, continues_row, table.page)
    return [
        RawRow(
            pages=tuple(row.pages),
            line=number,
            cells=tuple(row.text(c) for c in range(len(COLUMN_NAMES))),
            extra=tuple(row.text(c) for c in range(len(COLUMN_NAMES), width)),
            confidence=row.confidence(),
        )
        for number, row in enumerate(rows, start=1)
    ]


def _score(page_row: PageRow, column: int) -> float | None:
    return page_row.confidence[column] if column < len(page_row.confidence) else None


def _place_task_cells(
    page_row: PageRow,
    row: _RowBuilder,
    task_row: _RowBuilder | None,
    page_top: bool,
    continues_row: bool,
    page: int,
) -> _RowBuilder | None:
    """Put a grid row's task-column text where it belongs and return the row that opened the current task.

    A task cell that starts on a row opens a task (its text may come from the next page); the first row under a page's
    header, though, continues the previous page's task cell when its row continues, when its 序号 is empty,
    or when the task's first row has no 序号 yet (a vertically centred number that fell on this page).
    Continued text is appended to the task's first row, so following rows keep "" in the task columns, and
    that page is added to the first row's pages: part of its text comes from there.
    """
    texts = [page_row.cells[c] for c in TASK_COLUMNS]
    if not any(page_row.starts[c] for c in TASK_COLUMNS):
        return task_row
    if not any(texts):
        # An empty task cell at the top of a page is the unprinted rest of the previous page's; one further
        # down opens a task whose vertically centred text a page break pushed onto the next page.
        return task_row if page_top else row
    if page_top and task_row is not None:
        number_missing = not _label(page_row.cells[TASK_COLUMNS[0]]) or not _label(task_row.text(TASK_COLUMNS[0]))
        if continues_row or number_missing:
            for column in TASK_COLUMNS:
                task_row.add(column, page_row.cells[column], _score(page_row, column))
            task_row.add_page(page)
            return task_row
    for column in TASK_COLUMNS:
        row.add(column, page_row.cells[column], _score(page_row, column))
    return row


# --- The report -------------------------------------------------------------------------------------------------


def build_report(
    data: bytes,
    file_name: str,
    page_count: int,
    tables: Sequence[PageTable],
    notes: Sequence[str],
    templates: TemplateSet | None = None,
    source_format: str = "pdf",
) -> RawReport:
    """The RawReport of a document's page tables, in page order: the first page's header matched against the
    templates (a column decided by content settled on every page's rows), every page's rows mapped to the
    fields, then joined across pages.

    ReportError when no template accepts the header, a page's header or width differs from the first page's, or a
    lone undecodable glyph stands outside a status column.
    """
    if not tables:
        raise ReportError.single(file_name, "no table found: not a task-completion report", page=1)
    templates = templates if templates is not None else load_templates()
    first = tables[0]
    try:
        as_headed = templates.match(first.header_lines or [list(first.header)])
        column_map = as_headed.settled([list(row.cells) for table in tables for row in table.rows])
    except TemplateMismatch as exc:
        raise ReportError.single(file_name, str(exc), page=first.page) from exc
    all_notes = [*notes, *([column_map.decision] if column_map.decision else [])]
    mapped = [_mapped_table(table, column_map, as_headed, templates, file_name, all_notes) for table in tables]
    return RawReport(
        source_file=file_name,
        source_sha256=hashlib.sha256(data).hexdigest(),
        source_format=checked_source_format(source_format),
        byte_size=len(data),
        page_count=page_count,
        title=first.text_above,
        preamble=tuple(line for line in first.text_above.split("\n") if line.strip()),
        period_header=column_map.period_header,
        header_end_month=column_map.period.end_month if column_map.period else None,
        template=column_map.template.name,
        columns=column_map.mappings(),
        extra_headers=column_map.extra_headers,
        rows=tuple(join_pages(mapped, plan_rows=column_map.plan_rows)),
        notes=tuple(all_notes),
    )


def _mapped_table(
    table: PageTable,
    column_map: ColumnMap,
    as_headed: ColumnMap,
    templates: TemplateSet,
    file_name: str,
    notes: list[str],
) -> PageTable:
    """A page's table with its rows in field order (extra columns apart), its header checked against page 1's
    (``as_headed``: page 1's map before the columns decided by content were settled)."""
    if table.header_lines:
        try:
            page_map = templates.match(table.header_lines)
        except TemplateMismatch as exc:
            raise ReportError.single(file_name, str(exc), page=table.page) from exc
        if page_map.fields != as_headed.fields:
            raise ReportError.single(
                file_name,
                f"this page's header [{', '.join(page_map.headers)}] maps its columns differently from the first "
                f"page's [{', '.join(column_map.headers)}]",
                page=table.page,
            )
    elif table.width != column_map.width:
        found = ", ".join(cell.replace("\n", "") for cell in table.rows[0].cells) if table.rows else ""
        raise ReportError.single(
            file_name,
            f"a table page without a header has {table.width} columns ([{found}]), expected {column_map.width}",
            page=table.page,
        )
    rows = [list(row.cells) for row in table.rows]
    for grid_row, col in table.undecoded:
        name = column_map.fields[col] if col < len(column_map.fields) else None
        header = column_map.headers[col] if col < len(column_map.headers) else f"column {col + 1}"
        if name not in STATUS_FIELDS:
            raise ReportError.single(
                file_name, _unmapped_message(f"table row {grid_row + 1}"), page=table.page, column=header
            )
        notes.append(
            f"page {table.page}, table row {grid_row + 1}, column {header}: a status mark drawn with a glyph that "
            f"has no Unicode mapping was read as {DECIDED_MARK} (the cell holds that one mark and nothing else)"
        )
        rows[grid_row - table.header_rows][col] = DECIDED_MARK
    return PageTable(
        page=table.page,
        header=table.header,
        rows=tuple(
            PageRow(
                cells=column_map.canonical(cells),
                starts=column_map.canonical_flags(row.starts),
                extra=column_map.extras(cells),
                confidence=column_map.canonical_scores(row.confidence),
            )
            for cells, row in zip(rows, table.rows, strict=True)
        ),
        text_above=table.text_above,
        width=len(COLUMN_NAMES),
    )
