"""Text lines of a scanned table page found from its grid and its ink, without the text detector.

The detector (a neural network over the whole page) took about half of a page's OCR time, and a table page does
not need it: the ruling lines already give every cell, and inside a cell the lines of text are bands of rows
with ink, separated by white rows. Each band, cut to its ink, is one crop for the recogniser. Above the table
(the title) the same is done across the page width, a band split where its ink leaves a wide gap.

Every length is relative to the page: a band is split or joined against the page's typical line height (the
median band height), and ink that runs straight for longer than any character (MIN_RULING_PT, the same bound
that finds the ruling lines) is a ruling line's remnant at a cell's edge, not text.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from etl.extract.grid import BBox, table_bbox
from etl.extract.ocr_image import MIN_RULING_PT, Mask

# A band thinner than this share of the typical line height that nearly touches another (gap below
# JOIN_GAP_SHARE) is part of the same line (the top stroke of 三 in a one-character line); a band taller than
# SPLIT_SHARE typical lines holds lines that touch, and is cut at its emptiest rows.
THIN_SHARE = 0.45
JOIN_GAP_SHARE = 0.5
SPLIT_SHARE = 1.6
# Above the table, ink separated by more than this many line heights is another piece of text.
WORD_GAP_LINES = 2.5
# A band touching a cell region's top or bottom edge no taller than this share of the line height (and at most
# 2 px) is a ruling line's edge (drop_edge_slivers): a line is 1-3 px, a text line 20-30 px at 150-200 dpi.
SLIVER_SHARE = 0.08
# Around a band's ink, the crop keeps this share of the line height: the recogniser wants a margin (with 0.2 it
# dropped a line's final 。 on four cells of four pages, with 0.5 on none).
PAD_SHARE = 0.5


@dataclass(frozen=True)
class LineCrop:
    """One text line in pixels, end exclusive: ``box`` its ink, (x0, y0, x1, y1) the crop the recogniser gets
    (the ink with a margin of PAD_SHARE line heights)."""

    x0: int
    y0: int
    x1: int
    y1: int
    box: tuple[int, int, int, int]


def erase_rulings(part: Mask, min_run: int) -> Mask:
    """The region's ink without straight runs longer than ``min_run`` pixels (remnants of ruling lines)."""
    out = part.copy()
    for axis_view in (out, out.T):
        padded = np.pad(axis_view, ((0, 0), (1, 1))).astype(np.int8)
        steps = np.diff(padded, axis=1)
        rows, starts = np.nonzero(steps == 1)
        _rows, ends = np.nonzero(steps == -1)
        long = ends - starts >= min_run
        for row, start, end in zip(rows[long], starts[long], ends[long], strict=True):
            axis_view[row, start:end] = False
    return out


def drop_edge_slivers(part: Mask, max_px: int) -> Mask:
    """The region's ink without a band of at most ``max_px`` rows that touches its top or bottom edge: the edge
    of a ruling line the cell's inset cut through (the part of the line inside the inset is erased with it, its
    broken edge is not a straight run). Read, such a sliver became ， or →， before 已完成 (issue 21's WenQuanYi
    scans: the line under 完成情况, 200 dpi colour and 300 dpi 1-bit read at 200) or 一一 in an empty status cell.
    Text keeps a margin inside its cell, and a line of text is several times taller."""
    bands = _bands(part.sum(axis=1))
    if not bands:
        return part
    out = part
    for start, end in {bands[0], bands[-1]}:
        if (start == 0 or end == part.shape[0]) and end - start <= max_px:
            out = out.copy() if out is part else out
            out[start:end] = False
    return out


def _bands(profile: np.ndarray) -> list[tuple[int, int]]:
    """Runs of rows with ink: (start, end), end exclusive."""
    rows = np.pad(profile > 0, 1).astype(np.int8)
    steps = np.diff(rows)
    return list(zip(np.flatnonzero(steps == 1).tolist(), np.flatnonzero(steps == -1).tolist(), strict=True))


def _regroup(bands: list[tuple[int, int]], profile: np.ndarray, line: float) -> list[tuple[int, int]]:
    """Thin bands joined to a near neighbour, tall ones split at their emptiest rows (see the constants)."""
    joined: list[tuple[int, int]] = []
    for start, end in bands:
        if joined:
            last_start, last_end = joined[-1]
            thin = min(end - start, last_end - last_start) < THIN_SHARE * line
            if thin and start - last_end < JOIN_GAP_SHARE * line and end - last_start <= 1.3 * line:
                joined[-1] = (last_start, end)
                continue
        joined.append((start, end))
    out: list[tuple[int, int]] = []
    for start, end in joined:
        pieces = round((end - start) / line) if end - start > SPLIT_SHARE * line else 1
        cuts = [start]
        for k in range(1, pieces):
            guess = start + round(k * (end - start) / pieces)
            window = max(1, round(0.3 * line))
            lo, hi = max(cuts[-1] + 1, guess - window), min(end - 1, guess + window)
            cuts.append(lo + int(np.argmin(profile[lo:hi])) if hi > lo else guess)
        cuts.append(end)
        out.extend((a, b) for a, b in itertools.pairwise(cuts) if b > a)
    return out


def _pieces(columns: np.ndarray, gap: float) -> list[tuple[int, int]]:
    """Runs of columns with ink, runs closer than ``gap`` joined."""
    runs = _bands(columns)
    out: list[tuple[int, int]] = []
    for start, end in runs:
        if out and start - out[-1][1] < gap:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def region_lines(
    ink: Mask, region: tuple[int, int, int, int], line: float, min_run: int, split: bool
) -> list[LineCrop]:
    """The text lines in a pixel region (x0, y0, x1, y1) of the page's ink; ``split``: a band is cut where its
    ink leaves a gap wider than WORD_GAP_LINES (above the table), else one crop per band (inside a cell)."""
    x0, y0, x1, y1 = region
    part = drop_edge_slivers(erase_rulings(ink[y0:y1, x0:x1], min_run), max(2, round(SLIVER_SHARE * line)))
    if not part.any():
        return []
    profile = part.sum(axis=1)
    crops = []
    pad = max(1, round(PAD_SHARE * line))
    for top, bottom in _regroup(_bands(profile), profile, line):
        columns = part[top:bottom].sum(axis=0)
        gap = WORD_GAP_LINES * line if split else float(part.shape[1])
        for left, right in _pieces(columns, gap):
            b = (x0 + left, y0 + top, x0 + right, y0 + bottom)
            crops.append(
                LineCrop(max(x0, b[0] - pad), max(y0, b[1] - pad), min(x1, b[2] + pad), min(y1, b[3] + pad), b)
            )
    return crops


def typical_line_height(ink: Mask, regions: Sequence[tuple[int, int, int, int]], min_run: int) -> float:
    """The median height of the ink bands in the cells (pixels): the page's line height."""
    heights: list[int] = []
    for x0, y0, x1, y1 in regions:
        part = erase_rulings(ink[y0:y1, x0:x1], min_run)
        heights.extend(end - start for start, end in _bands(part.sum(axis=1)))
    return float(np.median(heights)) if heights else 1.0


def _cell_regions(
    shape: tuple[int, ...], boxes: Sequence[BBox], px: float, inset: int
) -> list[tuple[int, int, int, int]]:
    height, width = shape[:2]
    regions = []
    for box in boxes:
        x0, y0 = int(box[0] * px) + inset, int(box[1] * px) + inset
        x1, y1 = int(box[2] * px) - inset, int(box[3] * px) - inset
        if x1 - x0 > 2 and y1 - y0 > 2:
            regions.append((max(0, x0), max(0, y0), min(width, x1), min(height, y1)))
    return regions


def page_line_height(ink: Mask, boxes: Sequence[BBox], dpi: float) -> float:
    """The page's typical text line height in pixels: the median height of the ink bands in its cells (about
    the font size: a CJK character fills its em)."""
    px = dpi / 72.0
    inset = max(2, round(1.2 * px))
    regions = _cell_regions(ink.shape, boxes, px, inset)
    return max(4.0, typical_line_height(ink, regions, max(8, round(MIN_RULING_PT * px))))


def page_lines(ink: Mask, boxes: Sequence[BBox], dpi: float, line: float) -> list[LineCrop]:
    """Every text line of a table page: inside each cell, and above the table across the page (``line``: the
    page's line height, page_line_height)."""
    px = dpi / 72.0
    width = ink.shape[1]
    inset = max(2, round(1.2 * px))  # the cell's ruling lines
    regions = _cell_regions(ink.shape, boxes, px, inset)
    min_run = max(8, round(MIN_RULING_PT * px))
    crops = []
    top = int(table_bbox(boxes)[1] * px) - inset
    if top > 2:
        crops += region_lines(ink, (0, 0, width, top), line, min_run, split=True)
    for region in regions:
        crops += region_lines(ink, region, line, min_run, split=False)
    return crops
