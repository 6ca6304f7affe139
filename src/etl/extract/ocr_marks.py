"""Status marks (√ ✓ ✔) of a scan, decided by the ink in their cells measured against the page itself.

The recogniser misreads a lone mark (V, J, /, or nothing), so a status cell without words is decided by its ink.
Issue 21: a fixed ink area fitted on one generator's scans refused real ones (a thin anti-aliased serif √ at 150
dpi grey, a 1-bit 300 dpi scan). Every quantity here is relative to the scan it is measured on:

- *contrast*: a pixel's darkness between the cell's own paper (the median of its interior: grey paper, uneven
  illumination and a faded seal move it) and the page's ink (the median of the page's dark pixels), 0 to 1. An
  anti-aliased stroke's grey pixels add up to its ink area; a 1-bit scan has contrasts 0 and 1 only;
- *noise floor*: contrasts below half the way to ink, or below three of the cell's own noise deviations, are
  paper (sensor noise, JPEG ringing, what the red channel leaves of a seal); in a colour scan, red ink (a seal,
  ocr_image.red_ink) counts only where it is nearly as dark as the page's ink (a black mark under the seal);
- *stroke length*: the ink of the densest character-sized square of the cell divided by the page's stroke width
  (the median run of ink across a stroke), in units of the page's text height. A √ written at the text's size
  is a stroke of about one text height or more, whatever the resolution, the font weight or the scanner mode;
  a speck or the end of a ruling line is a small fraction of one.

A cell is then judged against the marks of its own column (all pages; both status columns together when a
column has fewer than MIN_COLUMN_MARKS): a mark when its stroke length is at least MARK_SHARE of the column's
typical mark, empty below EMPTY_SHARE of it, and *undecided* between: the file is refused naming the cell, never
guessed. A column whose ink never reaches MIN_MARK_TEXT_HEIGHTS holds no mark at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from etl.extract.grid import BBox, Char
from etl.extract.ocr_engine import OcrLine
from etl.extract.ocr_image import MIN_RULING_PT, RED_INK_SHARE, Grey, Mask, ScanPage, ink_level, stroke_width
from etl.extract.ocr_layout import erase_rulings
from etl.extract.template import TemplateSet, drop_stray_marks

# Shares of the way from paper to ink: below NOISE_CONTRAST a pixel is paper whatever the cell's noise.
NOISE_CONTRAST = 0.5
NOISE_SIGMAS = 3.0
# A mark's stroke, in text heights (the median height of the page's text lines): a √ at the text's size measured
# 0.78-1.33 and empty cells 0.00 on the seen share of the scan matrix (the real report rendered by pdftoppm,
# pdfium and Ghostscript at 150-300 dpi, grey, colour and 1-bit: the "status cells measured" column of
# benchmarks/results/fidelity_scans.md); 0.5 sits between, and the column's own marks set the finer bounds.
MIN_MARK_TEXT_HEIGHTS = 0.5
# Against the column's typical mark (the median of its cells that reach MIN_MARK_TEXT_HEIGHTS).
MARK_SHARE = 0.55
EMPTY_SHARE = 0.3
MIN_COLUMN_MARKS = 3
# The window a mark is looked for in, in text heights (a mark is about one character).
WINDOW_TEXT_HEIGHTS = 1.4


@dataclass(frozen=True)
class PageInk:
    """What ink looks like on one page: its grey level, its stroke width and the text height, in pixels."""

    ink_level: float
    stroke_px: float
    text_px: float
    ruling_px: int = 1_000_000  # ink running straight this long is a ruling line, not a mark (MIN_RULING_PT)


@dataclass
class MarkCell:
    """One status cell without words: where it is and what its ink measured."""

    page: int
    column: int  # the grid column's index among the page's column edges
    box: BBox  # points
    length: float  # stroke length of its densest ink, in text heights
    centre: tuple[float, float] | None  # points
    read_as_mark: bool  # the recogniser read a mark glyph in it
    decision: str = ""  # mark | empty | undecided


def page_ink(grey: Grey, threshold: int, text_px: float, dpi: float = 0.0) -> PageInk:
    """The page's ink level (median grey of pixels at or below the Otsu threshold) and stroke width (median
    length of the horizontal ink runs, every other row: strokes crossed, ruling lines too few to matter)."""
    stroke = stroke_width(grey <= threshold, max_run=max(2.0, text_px / 2))
    ruling = max(8, round(MIN_RULING_PT * dpi / 72)) if dpi else 1_000_000
    return PageInk(
        ruling_px=ruling, ink_level=ink_level(grey, threshold), stroke_px=max(1.0, stroke), text_px=max(4.0, text_px)
    )


def contrast(region: Grey, ink: PageInk, red: Mask | None = None) -> NDArray[np.float32]:
    """Each pixel's share of the way from the region's own paper to the page's ink, 0 below the noise floor
    (below ocr_image.RED_INK_SHARE where the pixel is red ink: a seal, see ocr_image.red_ink)."""
    values = region.astype(np.float32)
    paper = float(np.median(values))
    span = max(paper - ink.ink_level, 1.0)
    deviation = 1.4826 * float(np.median(np.abs(values - paper)))
    floor = max(NOISE_CONTRAST, NOISE_SIGMAS * deviation / span)
    share: NDArray[np.float32] = np.clip((paper - values) / span, 0.0, 1.0).astype(np.float32)
    share[share < floor] = 0.0
    if red is not None:
        share[red & (share < RED_INK_SHARE)] = 0.0
    return share


def stroke_length(
    grey: Grey, box: tuple[int, int, int, int], ink: PageInk, red: Mask | None = None
) -> tuple[float, tuple[float, float] | None]:
    """The stroke length (text heights) of the densest ink in a pixel box (x0, y0, x1, y1) and where it is."""
    x0, y0, x1, y1 = (max(0, v) for v in box)
    region = grey[y0:y1, x0:x1]
    if region.size == 0:
        return 0.0, None
    share = contrast(region, ink, None if red is None else red[y0:y1, x0:x1])
    inked = share > 0
    share[inked & ~erase_rulings(inked, ink.ruling_px)] = 0.0  # a ruling line's edge left inside the inset
    window = max(1, min(round(WINDOW_TEXT_HEIGHTS * ink.text_px), share.shape[0], share.shape[1]))
    table = np.pad(np.cumsum(np.cumsum(share, axis=0, dtype=np.float64), axis=1), ((1, 0), (1, 0)))
    sums = table[window:, window:] - table[:-window, window:] - table[window:, :-window] + table[:-window, :-window]
    best = float(sums.max())
    if best <= 0:
        return 0.0, None
    row, column = np.unravel_index(int(np.argmax(sums)), sums.shape)
    length = best / ink.stroke_px / ink.text_px
    return length, (x0 + float(column) + window / 2, y0 + float(row) + window / 2)


def decide(cells: list[MarkCell]) -> None:
    """Set each cell's decision against the typical mark of its column (see the module docstring)."""
    by_column: dict[int, list[MarkCell]] = {}
    for cell in cells:
        by_column.setdefault(cell.column, []).append(cell)
    everywhere = [c.length for c in cells if c.length >= MIN_MARK_TEXT_HEIGHTS]
    for column_cells in by_column.values():
        marks = [c.length for c in column_cells if c.length >= MIN_MARK_TEXT_HEIGHTS]
        typical_from = marks if len(marks) >= MIN_COLUMN_MARKS else everywhere
        typical = float(np.median(typical_from)) if typical_from else 0.0
        for cell in column_cells:
            cell.decision = _decision(cell, typical)


def _decision(cell: MarkCell, typical: float) -> str:
    if typical <= 0:
        return "mark" if cell.read_as_mark else "empty"
    if cell.length >= max(MIN_MARK_TEXT_HEIGHTS, MARK_SHARE * typical):
        return "mark"
    if cell.length < EMPTY_SHARE * typical and cell.length < MIN_MARK_TEXT_HEIGHTS:
        return "empty"
    return "mark" if cell.read_as_mark else "undecided"


# --- The status cells of a page -------------------------------------------------------------------------------

STATUS_HEADERS = ("已完成", "未完成")
DECIDED_MARK = "✓"
# Put in an undecided cell so that the table reading says which row it is in; never reaches a report.
UNDECIDED = "\ue000"
MARK_GLYPHS = frozenset({"√", "✓", "✔", "☑"})
# A cell's text with at least two CJK characters is words (正在推进), not a misread mark.
_WORDS = re.compile(r"[\u4e00-\u9fff]{2,}")


@dataclass
class StatusColumns:
    """Which grid columns (by index among the page's column edges) hold the status marks, from the header; kept
    from page to page (a header printed on page 1 only)."""

    headers: frozenset[str] = frozenset(STATUS_HEADERS)
    indexes: tuple[int, ...] = ()


def status_headers(templates: TemplateSet) -> frozenset[str]:
    """The header words of the two mark columns (已完成 / 未完成 and their variants in the template file)."""
    words = set(STATUS_HEADERS)
    for name in ("done", "not_done"):
        spec = templates.fields.get(name)
        if spec is not None:
            words.update(re.sub(r"\s+", "", header) for header in spec.headers)
    return frozenset(words)


def column_edges(boxes: Sequence[BBox], tolerance: float = 3.0) -> list[float]:
    edges: list[float] = []
    for value in sorted({b[0] for b in boxes} | {b[2] for b in boxes}):
        if not edges or value - edges[-1] > tolerance:
            edges.append(value)
    return edges


def column_of(edges: list[float], x: float) -> int:
    for index in range(len(edges) - 1):
        if edges[index] <= x < edges[index + 1]:
            return index
    return -1


def _centre_in(box: BBox, cell: BBox) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return cell[0] <= x < cell[2] and cell[1] <= y < cell[3]


def mark_cells(page: ScanPage, lines: list[OcrLine], status: StatusColumns) -> tuple[list[MarkCell], set[int]]:
    """The page's status cells without words, each measured (not yet decided), and the indexes of the lines
    inside them (what the recogniser made of a mark: not text)."""
    edges = column_edges(page.boxes)
    header_bottom = 0.0
    found: list[int] = []
    for line in lines:
        # a speck read beside the header word (，已完成) does not hide the column (template.drop_stray_marks)
        if drop_stray_marks(re.sub(r"\s+", "", line.text), status.headers) in status.headers:
            column = column_of(edges, (line.box[0] + line.box[2]) / 2)
            if column >= 0:
                found.append(column)
                header_bottom = max(header_bottom, line.box[3])
    if found:
        status.indexes = tuple(sorted(set(found)))
    ink = page_ink(page.grey, page.threshold, page.line_px, page.dpi)
    px = page.dpi / 72.0
    inset = max(2.0 * px, 2.0 * ink.stroke_px)  # keeps the cell's own ruling lines out
    cells: list[MarkCell] = []
    taken: set[int] = set()
    for box in page.boxes:
        column = column_of(edges, (box[0] + box[2]) / 2)
        if (
            box[1] < header_bottom - 1
            or column not in status.indexes
            or box[2] - box[0] > 0.25 * (edges[-1] - edges[0])
        ):
            continue
        inside = [i for i, line in enumerate(lines) if _centre_in(line.box, box)]
        if _WORDS.search("".join(lines[i].text for i in inside)):
            continue  # words such as 正在推进: read as text
        taken.update(inside)
        pixels = (
            int(box[0] * px + inset),
            int(box[1] * px + inset),
            int(box[2] * px - inset),
            int(box[3] * px - inset),
        )
        length, centre = stroke_length(page.grey, pixels, ink, page.red)
        read = any(lines[i].text.strip() in MARK_GLYPHS for i in inside)
        where = (centre[0] / px, centre[1] / px) if centre is not None else None
        cells.append(MarkCell(page.number, column, box, length, where, read))
    return cells, taken


def mark_chars(cells: Sequence[MarkCell]) -> list[Char]:
    """Decided marks as a ✓ character where their ink is; an undecided cell as the UNDECIDED placeholder."""
    chars = []
    for cell in cells:
        if cell.decision == "empty":
            continue
        text = DECIDED_MARK if cell.decision == "mark" else UNDECIDED
        x, y = cell.centre or ((cell.box[0] + cell.box[2]) / 2, (cell.box[1] + cell.box[3]) / 2)
        chars.append(Char(text, x - 4, x + 4, y - 5, y + 5, 10.0, confidence=1.0))
    return chars


def summary(cells: Sequence[MarkCell]) -> str:
    """What the marks measured, for the report's notes: the range of the marks and the largest empty cell."""
    marks = [c.length for c in cells if c.decision == "mark"]
    empty = [c.length for c in cells if c.decision == "empty"]
    parts = [f"{len(marks)} mark(s)"]
    if marks:
        parts[0] += f" ({min(marks):.2f}-{max(marks):.2f} text heights of stroke)"
    parts.append(f"{len(empty)} empty" + (f" (at most {max(empty):.2f})" if empty else ""))
    return ", ".join(parts)
