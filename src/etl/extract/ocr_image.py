"""Image helpers for OCR: a scanned page to greyscale without the seal, deskewed, and its table's ruling lines.

Pure numpy and Pillow, no OpenCV calls, so what these do is visible here:

- ``to_grey``: the red channel of a colour scan. A red seal (公章) is light in red and dark text stays dark in
  every channel, so the seal all but disappears while the text it covers stays readable;
- ``ink_mask``: dark pixels, with the threshold chosen per page by Otsu's method (scans differ in paper and toner);
- ``skew_angle`` / ``deskew``: the rotation that makes the ruling lines and text rows horizontal: the angle whose
  shear gives the sharpest row profile of the ink (the sum of squared row counts is largest when rows line up),
  searched coarse then fine; the page is then rotated back;
- ``ruling_lines``: horizontal and vertical runs of ink much longer than a character, after closing pinholes
  that noise and JPEG leave in a printed line; they become grid.Ruling segments in points, so that
  rulings.cells_from_rulings finds the cell boxes of a scan exactly as it does for a PDF's drawn lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from etl.extract.grid import BBox, Ruling

Grey = NDArray[np.uint8]
Mask = NDArray[np.bool_]


@dataclass
class ScanPage:
    """One page image, deskewed, with its ink threshold and its table's cell boxes (points, top-left origin)."""

    number: int
    grey: Grey  # deskewed, as scanned (recognition cleans a copy: clean_for_recognition)
    dpi: float
    threshold: int  # Otsu's ink threshold of the deskewed page
    boxes: list[BBox]
    skew: float
    line_px: float  # the typical text line height (etl.extract.ocr_layout.page_line_height)
    red: Mask | None = None  # red ink (a seal) of a colour scan, deskewed with the page


@dataclass
class PageImage:
    """A page as decoded: grey (see to_grey), its resolution, and where a colour scan has red ink."""

    grey: Grey
    dpi: float
    red: Mask | None = None


# Pillow modes that carry colour (or a palette): read through RGB, whose red channel drops a seal (to_grey);
# every other mode (L, 1, I;16 …) is read as grey levels.
COLOUR_MODES: tuple[str, ...] = ("RGB", "RGBA", "CMYK", "P", "YCbCr", "LA", "PA")

# Pages scanned finer than this (by more than 5 %: a fax's 204 dpi is read as it is) are reduced to it first, by
# area averaging. The recogniser reads a text line scaled to 48 px high, about 200 dpi for the report's 10.5 pt
# text: from a 300 dpi 1-bit page (Ghostscript's tiffg4, no anti-aliasing) its own scaling kept a staircase and
# cost characters (徽→微, 目→日), while averaging 3 × 3 pixels into 2 × 2 gives grey edges (gs_tiffg4_300: 213 →
# 221 of 238 text cells exact, measured twice; 18 % less CPU). Its cost, measured on wqy_gs_300_bw_skew (WenQuanYi,
# 1-bit with σ6 noise): 99.16 → 98.38 % of characters (small dots lost, 】 read as ！) in one run, refused in the
# whole matrix's (a sliver of a ruling line read as ， in page 1's header); it met neither way. The matrix's
# other 300 dpi combinations: benchmarks/results/fidelity_scans.md.
WORK_DPI = 200.0


def page_image(image: Image.Image, dpi: float) -> PageImage:
    """A decoded page image as grey and red ink (red_ink) at ``dpi``, reduced to WORK_DPI when finer."""
    if dpi > 1.05 * WORK_DPI:
        image, dpi = reduced(image, dpi), WORK_DPI
    if image.mode in COLOUR_MODES:
        rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
        return PageImage(rgb[:, :, 0].copy(), dpi, red_ink(rgb))
    return PageImage(to_grey(image), dpi)


def reduced(image: Image.Image, dpi: float) -> Image.Image:
    """The page at WORK_DPI, each new pixel the average of the pixels it covers (1-bit pages become grey)."""
    colour = image.mode in COLOUR_MODES
    source = image.convert("RGB" if colour else "L")
    size = (max(1, round(image.width * WORK_DPI / dpi)), max(1, round(image.height * WORK_DPI / dpi)))
    return source.resize(size, Image.Resampling.BOX)


def red_ink(rgb: NDArray[np.uint8]) -> Mask | None:
    """Pixels whose red exceeds their green and blue by more than the page's colour noise allows: a seal's ink.

    In the red channel (to_grey) a seal is light, but where a scanner's JPEG stores colour at half resolution
    (chroma subsampling) a seal's thin strokes come out dark in red too, and would look like black ink; their
    colour still says red. The margin is RED_NOISE_SIGMAS deviations of the page's own colour noise (most pixels
    are paper), at least RED_MIN_LEVELS. None when nothing is red.
    """
    red = rgb[:, :, 0].astype(np.int16)
    chroma = red - np.maximum(rgb[:, :, 1], rgb[:, :, 2]).astype(np.int16)
    sample = chroma[::4, ::4]
    centre = float(np.median(sample))
    spread = 1.4826 * float(np.median(np.abs(sample - centre)))
    mask = np.asarray(chroma > centre + max(RED_NOISE_SIGMAS * spread, RED_MIN_LEVELS))
    return mask if mask.any() else None


# A ruling line is an ink run at least this long (points): longer than any character's stroke (a 12 pt 一 is
# under 12 pt), shorter than the narrowest cell border (a status column is about 40 pt wide).
MIN_RULING_PT = 20.0
# Gaps in a printed line up to this long (points) are closed before runs are measured (noise, JPEG).
LINE_GAP_PT = 1.2
# A ruling line is mostly ink: at least this share of a bridged run. Bridging the gaps between the bottom
# strokes of a line of small text makes runs longer than MIN_RULING_PT too, but with much paper between the
# strokes: on the Calc layout's 9 pt narrow text at 150 dpi (calc_pdfium_150_grey_png, a 3 px bridge) such runs
# were 0.43-0.79 ink (90 % under 0.74), and chained the table's top line into the title's runs (its header lost).
# Fitted there; the ruling lines of four other combinations (pdfium 150 dpi 1-bit with σ10 noise, gs 300 dpi
# 1-bit WenQuanYi, pdftoppm 200 dpi grey serif, the Calc page itself) measured 0.94-1.00.
RULING_MIN_INK = 0.85
# The skew search: up to this many degrees either way, first in coarse steps, then fine around the best.
MAX_SKEW_DEGREES = 3.0
COARSE_STEP, FINE_STEP = 0.1, 0.01
# At most this many ink pixels take part in the skew estimate (a random sample of the page's, for speed).
SKEW_SAMPLE = 400_000
# The paper's level (flatten) is the brightest grey within this window, measured on the page scaled to PAPER_DPI:
# wider than any character's dark parts or a ruling line, narrower than the slope of uneven light.
PAPER_WINDOW_PT = 14.0
PAPER_DPI = 36.0
# Red ink (red_ink): a pixel's red above its green and blue by this many deviations of the page's colour noise,
# and by at least this many grey levels (JPEG's colour artefacts at the edges of black text).
RED_NOISE_SIGMAS = 4.0
RED_MIN_LEVELS = 20
# Red ink is a seal's, not text under it, unless it is at least this share of the way from paper to the page's ink.
RED_INK_SHARE = 0.9


def to_grey(image: Image.Image) -> Grey:
    """A page image as greyscale without its red seal: the red channel of a colour image, else its levels.

    Red ink multiplied over the page keeps the red channel nearly as it was (text under the seal stays dark,
    ruling lines under it stay whole), while the seal itself turns light. (Whitening "reddish" pixels instead
    was measured worse: thin lines and strokes under the seal are reddish too, and the grid broke.)
    """
    if image.mode in COLOUR_MODES:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)[:, :, 0].copy()
    return np.asarray(image.convert("L"), dtype=np.uint8).copy()


def flatten(grey: Grey, dpi: float) -> Grey:
    """The page with its paper made even: each pixel divided by the paper's local level (the brightest grey within
    PAPER_WINDOW_PT, taken at PAPER_DPI and smoothed), so uneven illumination, a shadow at the spine or toner-grey
    paper do not move the ink threshold (a print-and-scan page lit 30 % darker on one side lost its grid to one
    page-wide Otsu threshold). Text and ruling lines are narrower than the window, so they stay as dark as they
    were against their own paper."""
    import cv2

    scale = min(1.0, PAPER_DPI / dpi)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    size = max(3, round(PAPER_WINDOW_PT / 72 * dpi * scale) | 1)
    paper = cv2.dilate(small, np.ones((size, size), np.uint8))
    paper = cv2.GaussianBlur(paper, (size, size), 0)
    paper = cv2.resize(paper, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
    level = np.maximum(paper.astype(np.float32), 1.0)
    return np.clip(grey.astype(np.float32) * (255.0 / level), 0, 255).astype(np.uint8)


def otsu_threshold(grey: Grey) -> int:
    """The grey level that best separates ink from paper (Otsu: the largest between-class variance)."""
    histogram = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    levels = np.arange(256, dtype=np.float64)
    weight = np.cumsum(histogram)
    mean = np.cumsum(histogram * levels)
    between = (mean[-1] * weight - mean * total) ** 2 / np.maximum(weight * (total - weight), 1e-9)
    return int(np.argmax(between[:-1]))


def ink_mask(grey: Grey) -> Mask:
    return np.asarray(grey <= otsu_threshold(grey))


def skew_angle(ink: Mask, seed: int = 0) -> float:
    """The angle (degrees, counter-clockwise positive in image view) by which the page's rows are tilted."""
    ys, xs = np.nonzero(ink)
    if len(ys) < 100:
        return 0.0
    if len(ys) > SKEW_SAMPLE:
        pick = np.random.default_rng(seed).choice(len(ys), SKEW_SAMPLE, replace=False)
        ys, xs = ys[pick], xs[pick]
    y = ys.astype(np.float64)
    x = xs.astype(np.float64)

    def sharpness(angle: float) -> float:
        projected = y + x * np.tan(np.radians(angle))
        counts = np.bincount((projected - projected.min()).astype(np.int64))
        return float(np.dot(counts, counts))

    coarse = np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + COARSE_STEP / 2, COARSE_STEP)
    best = float(max(coarse, key=sharpness))
    fine = np.arange(best - COARSE_STEP, best + COARSE_STEP + FINE_STEP / 2, FINE_STEP)
    return float(max(fine, key=sharpness))


def deskew(grey: Grey, angle: float) -> Grey:
    """The page with a tilt of ``angle`` degrees (as skew_angle gives it) undone, corners filled with paper white."""
    if abs(angle) < FINE_STEP / 2:
        return grey
    rotated = Image.fromarray(grey).rotate(-angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return np.asarray(rotated, dtype=np.uint8).copy()


def deskew_mask(mask: Mask, angle: float) -> Mask:
    """A mask turned with its page (deskew)."""
    if abs(angle) < FINE_STEP / 2:
        return mask
    image = Image.fromarray(mask.astype(np.uint8) * 255).rotate(-angle, resample=Image.Resampling.NEAREST)
    return np.asarray(image, dtype=np.uint8) > 127


def _runs(mask: Mask, min_length: int, gap: int, min_ink: float = RULING_MIN_INK) -> list[tuple[int, int, int]]:
    """Runs of ink along each row, gaps of up to ``gap`` pixels bridged (noise and JPEG leave pinholes in a
    printed line), at least ``min_length`` long and at least ``min_ink`` of them ink (not a line of text whose
    strokes were bridged): (row, start, end), end exclusive."""
    padded = np.pad(mask, ((0, 0), (1, 1))).astype(np.int8)
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps == 1)
    _rows, ends = np.nonzero(steps == -1)  # row-major order: the k-th end closes the k-th start
    if len(rows) == 0:
        return []
    new = np.ones(len(rows), dtype=bool)
    new[1:] = (rows[1:] != rows[:-1]) | (starts[1:] - ends[:-1] > gap)
    first = np.flatnonzero(new)
    last = np.append(first[1:], len(rows)) - 1
    run_rows, run_starts, run_ends = rows[first], starts[first], ends[last]
    inked = np.add.reduceat(ends - starts, first)
    keep = (run_ends - run_starts >= min_length) & (inked >= min_ink * (run_ends - run_starts))
    return list(zip(run_rows[keep].tolist(), run_starts[keep].tolist(), run_ends[keep].tolist(), strict=True))


def ruling_lines(ink: Mask, dpi: float) -> list[Ruling]:
    """The page's horizontal and vertical ruling lines as grid.Ruling segments in points (top-left origin)."""
    to_pt = 72.0 / dpi
    min_length = max(8, round(MIN_RULING_PT / to_pt))
    gap = max(1, round(LINE_GAP_PT / to_pt))
    rulings: list[Ruling] = []
    for row, start, end in _runs(ink, min_length, gap):
        rulings.append(Ruling(True, (row + 0.5) * to_pt, start * to_pt, end * to_pt))
    for column, start, end in _runs(np.ascontiguousarray(ink.T), min_length, gap):
        rulings.append(Ruling(False, (column + 0.5) * to_pt, start * to_pt, end * to_pt))
    return rulings


def ink_level(grey: Grey, threshold: int) -> float:
    """The page's ink: the median grey of its pixels at or below the ink threshold."""
    values = grey[grey <= threshold]
    return float(np.median(values)) if values.size else 0.0


def stroke_width(dark: Mask, max_run: float | None = None) -> float:
    """The page's stroke width in pixels: the median length of its horizontal ink runs, every other row (strokes
    crossed; ruling lines are too few runs to move the median), runs longer than ``max_run`` left out."""
    rows = dark[::2].astype(np.int8)
    steps = np.diff(np.pad(rows, ((0, 0), (1, 1))), axis=1)
    runs = np.nonzero(steps == -1)[1] - np.nonzero(steps == 1)[1]
    if max_run is not None:
        runs = runs[runs <= max_run]
    return max(1.0, float(np.median(runs))) if runs.size else 1.0


# A speck is an ink blob no larger than a dot one stroke wide (stroke_width squared) and at most SPECK_MAX_PX:
# where strokes are 3 px (a blurred print-and-scan page at 200 dpi) a 3 x 3 blob is a printed dot (the top of ；,
# a broken stroke's piece), and erasing it was measured to cost text (gs_200_grey_print_scan and
# pdftoppm_300_colour_seal_print_scan: ；→， and 土→士, 3 cells); 4 px is what the eraser took before the rule
# was relative, at 2 px strokes the same.
SPECK_MAX_PX = 4
# A speck kept as a point (kept_points) follows a digit-like blob (at least NEIGHBOUR_STROKES stroke widths
# tall, not another speck; DIGIT_WIDTH_SHARE) at most NEIGHBOUR_GAP_SHARE of that blob's height away, and more
# ink of the same line follows as closely; it sits on the digit's baseline (its bottom within ALIGN_SHARE of the
# digit's height of the digit's: a decimal point, a list number's 2.) or, between two digits, on their middle
# (its centre so: the hyphen of 1-8月). These are proportions of the glyphs themselves, not of one scan: a
# printed point's side bearing is well under half a digit's height. The next character is not held to the
# baseline: an ideograph (2.会) reaches below a digit's. A point is a glyph of its own: no other ink above or
# below it within the line (a broken stroke's piece inside an ideograph, which 1-bit scans leave many of, is
# left to the speck rule as before), so noise beside ideographs still goes.
NEIGHBOUR_STROKES = 4.0
# A digit is a half-width glyph (advance half an em, height about 0.7 em): its ink at most this share of its
# height wide (WenQuanYi's 1, 2, 8 at 200 dpi: 0.64-0.79 with the 1-bit edge). An ideograph is about square.
DIGIT_WIDTH_SHARE = 0.85
NEIGHBOUR_GAP_SHARE = 0.5
ALIGN_SHARE = 0.2


def kept_points(
    labels: NDArray[np.integer[Any]], stats: NDArray[np.integer[Any]], specks: NDArray[np.intp], stroke: float
) -> NDArray[np.bool_]:
    """Which of the ``specks`` (labels of cv2 connected components: the ``labels`` image and its ``stats``; label
    0 the background) are points within a line of text, not noise: see NEIGHBOUR_STROKES. A point one stroke
    wide is a speck's size: 2 x 2 px at 200 dpi (a 300 dpi 1-bit scan read at 200 dpi, wqy_gs_300_bw_skew, read
    2. as 2 and 1-8 as 18)."""
    x0, y0 = stats[:, 0], stats[:, 1]
    x1, y1 = x0 + stats[:, 2], y0 + stats[:, 3]
    height = stats[:, 3].astype(np.float64)
    other = np.ones(len(stats), dtype=bool)
    other[0] = False
    other[specks] = False
    digit = other & (height >= NEIGHBOUR_STROKES * stroke) & (stats[:, 2] <= DIGIT_WIDTH_SHARE * height)
    char = np.flatnonzero(digit)
    cy0, cx1, cy1, ch = y0[char], x1[char], y1[char], height[char]
    rest = np.flatnonzero(other)
    ox0, oy0, oy1 = x0[rest], y0[rest], y1[rest]
    keep = np.zeros(len(specks), dtype=bool)
    for index, label in enumerate(specks):
        sx0, sy0, sx1, sy1 = x0[label], y0[label], x1[label], y1[label]
        before = np.flatnonzero((cx1 <= sx0) & (sx0 - cx1 <= NEIGHBOUR_GAP_SHARE * ch) & (cy0 <= sy0) & (cy1 >= sy1))
        if not len(before):
            continue
        n = before[np.argmax(cx1[before])]
        limit = ALIGN_SHARE * ch[n]
        on_baseline = abs(int(cy1[n]) - int(sy1)) <= limit
        if not on_baseline and abs(int(cy0[n] + cy1[n]) - int(sy0 + sy1)) / 2 > limit:
            continue
        column = labels[cy0[n] : cy1[n], sx0:sx1]
        if np.any((column != 0) & (column != label)):
            continue  # not a glyph of its own: a piece of a character's broken stroke, or noise inside one
        after = (ox0 >= sx1) & (ox0 - sx1 <= NEIGHBOUR_GAP_SHARE * ch[n]) & (oy0 < cy1[n]) & (oy1 > cy0[n])
        keep[index] = bool(after.any()) if on_baseline else bool((after & digit[rest]).any())
    return keep


def clean_for_recognition(grey: Grey, threshold: int, red: Mask | None = None, margin: int = 12) -> Grey:
    """The page as the line finder and recogniser get it: paper-light pixels (lighter than the ink threshold
    plus ``margin``: what is left of a red seal in the red channel, grey scanner noise) set to white, red ink
    (``red``, red_ink) lighter than RED_INK_SHARE of the way to the page's ink too (a seal's strokes that JPEG
    darkened in the red channel; black text under a seal stays), and specks erased: ink blobs no larger than a
    dot one stroke wide (SPECK_MAX_PX), which the recogniser reads as · or . beside a line, unless one
    sits between two characters on their baseline or middle (kept_points: a decimal point, 1-8's hyphen)."""
    import cv2  # OpenCV comes with rapidocr-onnxruntime; only its connected components are used here

    cleaned = np.where(grey > threshold + margin, np.uint8(255), grey).astype(np.uint8)
    if red is not None:
        paper = float(np.median(grey[::4, ::4]))
        level = ink_level(grey, threshold)
        cleaned[red & (grey > paper - RED_INK_SHARE * (paper - level))] = 255
    ink = cleaned <= threshold
    stroke = stroke_width(ink)
    _count, labels, stats, _centroids = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] <= min(SPECK_MAX_PX, round(stroke * stroke)))
    small = small[small > 0]  # label 0 is the background
    small = small[~kept_points(np.asarray(labels), np.asarray(stats), small, stroke)]
    if len(small):
        cleaned[np.isin(labels, small)] = 255
    return cleaned
