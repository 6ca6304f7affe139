"""Read a scanned report — an image-only PDF, or PNG / JPEG / TIFF page images — by OCR into a RawReport.

Engine: RapidOCR on ONNX Runtime (``rapidocr-onnxruntime`` 1.4.4, Apache-2.0), whose wheel ships PaddleOCR's
PP-OCRv4 Chinese detection and recognition models (about 15 MB): nothing is downloaded at run time. Chosen by
measurement against Tesseract 5 with Debian's chi_sim (benchmarks/ocr.py, benchmarks/results/ocr.md).

Each page (etl.extract.ocr_image for the image steps):

1. is rendered (a PDF page, at RENDER_DPI) or decoded (an image file), made grey from its red channel (a red seal
   fades out, the text under it stays), deskewed;
2. has its table grid found from the ruling lines in the image: the line segments go to grid.cells_from_rulings,
   the same code that makes cell boxes of a PDF's drawn lines. A page without a grid is an error naming the page;
   every page's grid is found before any OCR runs, so that such a file fails in a second, not after minutes;
3. is recognised: text lines are detected on the whole page and each line read by the recogniser; each line
   becomes grid.Char characters spread over its box, with the line's confidence, so that
   grid.read_page_table assigns text to cells, checks the header and reads the body exactly as for a PDF, and
   grid.join_pages joins rows split across pages — no second copy of that logic;
4. status marks (√ ✓) are small and the recogniser misreads them (V, J, /, or nothing): in the 已完成 / 未完成
   columns a cell whose text is not words is decided by the ink inside it — ink is a mark (read as ✓, noted in
   RawReport.notes), no ink is empty. Words there (正在推进 …) are read as text.

Pages are recognised in parallel threads (OCR_THREADS, one ONNX Runtime session set per thread, one intra-op
thread each: ONNX Runtime releases the GIL, so two threads use both cores), within the guarded child process
that bounds memory and time for every PDF (etl.extract.guarded).

Each cell keeps its lowest line confidence (RawRow.confidence → raw.extracted_cell); the quality gate warns about
cells below the threshold.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from etl.errors import Problem, ReportError
from etl.extract.grid import (
    BBox,
    Char,
    GridUnreadable,
    PageContext,
    PageTable,
    build_report,
    cells_from_rulings,
    read_page_table,
    table_bbox,
)
from etl.extract.ocr_image import (
    Grey,
    Mask,
    clean_for_recognition,
    densest_ink,
    deskew,
    ink_mask,
    otsu_threshold,
    ruling_lines,
    skew_angle,
    to_grey,
)
from etl.extract.template import TemplateSet, load_templates
from etl.models import RawReport

# A scanned PDF page is rendered at the resolution of its image, within this range (a finer scan is not read
# better, only slower); RENDER_DPI when the image cannot be measured. Below MIN_SCAN_DPI a page is refused: at
# 60 dpi a 10.5 pt character is 9 pixels high and the recogniser reads the header wrong.
RENDER_DPI = 150.0
RENDER_DPI_RANGE = (100.0, 300.0)
MIN_SCAN_DPI = 100.0
# Text lines are detected on the page scaled down to at most this resolution (recognised at full resolution):
# detection's memory and time grow with the pixels, but at 100 dpi it lost lone task numbers (4, 5) and marks,
# and accuracy fell from 99.7 % to 95 % of characters (benchmarks/results/ocr.md).
DETECT_DPI = float(os.environ.get("ETL_OCR_DETECT_DPI", "150"))
# Pages recognised at the same time.
OCR_THREADS = max(1, min(2, os.cpu_count() or 1))
# A table must have at least this many cells and span this share of the page width to be the report's grid.
MIN_TABLE_CELLS = 9
MIN_TABLE_WIDTH_SHARE = 0.4
# Lines the recogniser is less sure of than this are still kept (the quality gate warns about low cells); only
# detections below DROP_SCORE, which are noise in practice, are dropped.
DROP_SCORE = 0.3
# Status columns: these header words name them. A mark is at least MARK_MIN_PT2 square points of ink within one
# MARK_WINDOW_PT square (a 10.5 pt √ has about 15; scanner specks in such a square rarely reach 2).
STATUS_HEADERS = ("已完成", "未完成")
MARK_MIN_PT2 = 5.0
MARK_WINDOW_PT = 14.0
# Printed marks are dark; what is left of a seal, and noise, are greys near the ink threshold.
DARK_SHARE = 0.86
DECIDED_MARK = "✓"
MARK_GLYPHS = frozenset({"√", "✓", "✔", "☑"})
# A cell's text with at least two CJK characters is words, not a misread mark.
_WORDS = re.compile(r"[\u4e00-\u9fff]{2,}")
# Punctuation that has a full- and a half-width form; see _punctuation_width.
FULL_TO_HALF = {"，": ",", "（": "(", "）": ")", "；": ";", "：": ":"}
HALF_TO_FULL = {half: full for full, half in FULL_TO_HALF.items()}
HALF_WIDTH_SPAN = 1.7
@dataclass
class ScanPage:
    """One page image, deskewed, with its ink mask and cell boxes (points, top-left origin)."""

    number: int
    grey: Grey
    dpi: float
    ink: Mask  # dark ink only (DARK_SHARE of the threshold): what marks are decided by
    boxes: list[BBox]
    skew: float


@dataclass
class OcrLine:
    text: str
    box: BBox  # points
    score: float  # the recogniser's confidence for the line (mean over its characters)
    centres: list[float] | None = None  # each character's x centre (points), when the recogniser gave it


@dataclass
class _StatusColumns:
    """Which grid columns (by index among the page's column edges) hold the status marks, from the header."""

    headers: frozenset[str] = frozenset(("已完成", "未完成"))
    indexes: tuple[int, ...] = ()


@dataclass
class OcrStats:
    """How the OCR went, for the notes and the benchmark."""

    pages: int = 0
    lines: int = 0
    marks_by_ink: int = 0
    skews: list[float] = field(default_factory=list)


# --- Engine ---------------------------------------------------------------------------------------------------

_engine_lock = threading.Lock()
_engine_instance: Any = None
# Detection runs one page at a time: its activations at page resolution are the largest allocation (about
# 0.4 GB for an A4 page at 150 dpi), and the guarded child's address space is bounded; recognition, the larger
# share of the time, runs for two pages at once.
_detect_lock = threading.Lock()


def _engine() -> Any:
    """The process's RapidOCR (the wheel's models, loaded once; ONNX Runtime sessions are safe to run from
    several threads), one intra-op thread per run: the parallelism is by page."""
    global _engine_instance
    with _engine_lock:
        if _engine_instance is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine_instance = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, rec_batch_num=12)
        return _engine_instance


# --- Pages ----------------------------------------------------------------------------------------------------


def read_scan_pdf(data: bytes, file_name: str, templates: TemplateSet | None = None) -> RawReport:
    """An image-only PDF by OCR: each page rendered at its scan's own resolution (within RENDER_DPI_RANGE);
    a page scanned below MIN_SCAN_DPI is an error naming the page and its resolution."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    doc = pdfium.PdfDocument(data)
    greys: list[tuple[Grey, float]] = []
    problems: list[Problem] = []
    try:
        for index in range(len(doc)):
            page = doc[index]
            try:
                images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
                native = max((_image_object_dpi(image) for image in images), default=RENDER_DPI)
                if native < MIN_SCAN_DPI:
                    problems.append(_low_resolution(native, index + 1))
                    continue
                dpi = min(max(native, RENDER_DPI_RANGE[0]), RENDER_DPI_RANGE[1])
                picture = page.render(scale=dpi / 72).to_pil()
            finally:
                page.close()
            greys.append((to_grey(picture), dpi))
    finally:
        doc.close()
    if problems:
        raise ReportError(file_name, problems)
    return read_page_images(data, file_name, greys, templates)


def _image_object_dpi(image: Any) -> float:
    """The resolution an image is drawn at on its page: its pixel width over its width in inches."""
    try:
        width_px, _height_px = image.get_px_size()
        left, _bottom, right, _top = image.get_bounds()
    except Exception:  # an image PDFium cannot measure: take the default rendering
        return RENDER_DPI
    inches = (right - left) / 72.0
    return width_px / inches if inches > 0.5 else RENDER_DPI


def _low_resolution(dpi: float, page: int) -> Problem:
    return Problem(
        f"the scanned page image is only {dpi:.0f} dpi, too coarse to read by OCR (at least {MIN_SCAN_DPI:g} dpi "
        "is needed; scan at 150-300 dpi)",
        page=page,
    )


def read_scan_image(path: Path, templates: TemplateSet | None = None) -> RawReport:
    """A PNG, JPEG or TIFF (every frame of a multi-page TIFF is a page) by OCR."""
    data = path.read_bytes()
    return parse_scan_image(data, path.name, templates)


def parse_scan_image(data: bytes, file_name: str, templates: TemplateSet | None = None) -> RawReport:
    try:
        image = Image.open(io.BytesIO(data))
        greys = []
        for frame in range(getattr(image, "n_frames", 1)):
            image.seek(frame)
            image.load()
            dpi = _image_dpi(image)
            if dpi < MIN_SCAN_DPI:
                raise ReportError(file_name, [_low_resolution(dpi, frame + 1)])
            greys.append((to_grey(image), dpi))
    except Image.DecompressionBombError as exc:
        raise ReportError.single(file_name, f"the image is too large to read safely ({exc})") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ReportError.single(file_name, f"not a readable image ({exc})") from exc
    return read_page_images(data, file_name, greys, templates)


def _image_dpi(image: Image.Image) -> float:
    """The image's resolution from its metadata, else what an A4 page of its size would have."""
    info = image.info.get("dpi")
    if info and float(info[0]) >= 50:
        return float(info[0])
    return max(image.size) / 11.69


def prepare_page(number: int, grey: Grey, dpi: float) -> ScanPage | Problem:
    """Deskew the page and find its table grid; a Problem naming the page when there is none."""
    skew = skew_angle(ink_mask(grey))
    straight = deskew(grey, skew)
    threshold = otsu_threshold(straight)
    ink = np.asarray(straight <= threshold)
    width_pt = straight.shape[1] * 72 / dpi
    try:
        boxes = cells_from_rulings(ruling_lines(ink, dpi))
    except GridUnreadable as exc:
        return Problem(f"no table grid found in the scanned page image ({exc})", page=number)
    left, _top, right, _bottom = table_bbox(boxes)
    if len(boxes) < MIN_TABLE_CELLS or right - left < MIN_TABLE_WIDTH_SHARE * width_pt:
        return Problem(
            f"no table grid found in the scanned page image: the ruling lines make {len(boxes)} cell(s) over "
            f"{(right - left) / width_pt:.0%} of the page width, not a report table",
            page=number,
        )
    cleaned = clean_for_recognition(straight, threshold)
    dark = np.asarray(straight <= int(threshold * DARK_SHARE))
    return ScanPage(number=number, grey=cleaned, dpi=dpi, ink=dark, boxes=boxes, skew=skew)


def recognise(page: ScanPage) -> list[OcrLine]:
    """Detect the page's text lines and read each; boxes and character positions in points.

    The engine's steps are called one by one (rapidocr-onnxruntime 1.4.4: text_det, sorted_boxes,
    get_crop_img_list, text_rec) rather than through its __call__, which would shrink a page wider than 2000 px
    before detecting, and so that the recogniser's per-character positions (its CTC columns) come back too.
    """
    engine = _engine()
    to_pt = 72.0 / page.dpi
    rgb = np.ascontiguousarray(np.repeat(page.grey[:, :, None], 3, axis=2))
    scale = min(1.0, DETECT_DPI / page.dpi)
    with _detect_lock:
        if scale < 1.0:
            import cv2

            small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            boxes, _elapsed = engine.text_det(small)
            if boxes is not None and len(boxes):
                boxes = [np.asarray(box, dtype=np.float32) / scale for box in boxes]
        else:
            boxes, _elapsed = engine.text_det(rgb)
    if boxes is None or len(boxes) == 0:
        return []
    boxes = engine.sorted_boxes(np.asarray(boxes, dtype=np.float32))
    crops = engine.get_crop_img_list(rgb, boxes)
    results, _elapsed = engine.text_rec(crops, True)
    lines = []
    for points, crop, (text, score, info) in zip(boxes, crops, results, strict=True):
        if float(score) < DROP_SCORE or not str(text).strip():
            continue
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        box = (min(xs) * to_pt, min(ys) * to_pt, max(xs) * to_pt, max(ys) * to_pt)
        centres = _char_centres(str(text), info, crop.shape[1], min(xs), to_pt)
        lines.append(OcrLine(_punctuation_width(str(text), centres), box, float(score), centres))
    return lines


def _char_centres(text: str, info: Any, crop_width: int, left: float, to_pt: float) -> list[float] | None:
    """Each character's x centre on the page (points) from the recogniser's CTC columns, or None."""
    try:
        columns = [c for word in info[2] for c in word]
        chars = "".join(ch for word in info[1] for ch in word)
        unit = crop_width / float(info[0])
    except (IndexError, TypeError, ZeroDivisionError):
        return None
    if chars != text or len(columns) != len(text):
        return None
    return [(left + (column + 0.5) * unit) * to_pt for column in columns]


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _punctuation_width(text: str, centres: list[float] | None) -> str:
    """Full- or half-width punctuation decided by the space it takes, not by the recogniser's habit.

    The recogniser writes ，（）；： after Chinese text whatever was printed, but a report may use , ( ) ; :
    (the real one does on one page). A full-width mark takes a whole em: the characters either side of it are
    about two CJK advances apart; a half-width one about 1.2–1.4 (measured on the scans: 1.17–1.6 against
    1.83–2.2). Marks at a line's end, where that cannot be measured, follow the line's other marks if any.
    """
    if centres is None or len(text) < 3:
        return text
    advances = [
        centres[i + 1] - centres[i] for i in range(len(text) - 1) if _is_cjk(text[i]) and _is_cjk(text[i + 1])
    ]
    if len(advances) < 2:
        return text
    advance = float(np.median(advances))
    out = list(text)
    decided: list[bool] = []  # True: half width
    undecided: list[int] = []
    for k, ch in enumerate(text):
        if ch not in FULL_TO_HALF and ch not in HALF_TO_FULL:
            continue
        if 0 < k < len(text) - 1:
            half = (centres[k + 1] - centres[k - 1]) < HALF_WIDTH_SPAN * advance
            out[k] = _width_form(ch, half)
            decided.append(half)
        else:
            undecided.append(k)
    if decided and undecided:
        half = sum(decided) * 2 > len(decided)
        for k in undecided:
            out[k] = _width_form(text[k], half)
    return "".join(out)


def _width_form(ch: str, half: bool) -> str:
    if half:
        return FULL_TO_HALF.get(ch, ch)
    return HALF_TO_FULL.get(ch, ch)


def _line_chars(line: OcrLine) -> list[Char]:
    """A recognised line as characters: placed at the recogniser's positions when known, else spread evenly
    over the line's box; each reaches half-way to its neighbours, so no gap inside a line reads as a space."""
    x0, top, x1, bottom = line.box
    text = line.text
    size = (bottom - top) * 0.8
    n = len(text)
    if line.centres is not None and len(line.centres) == n and n > 1:
        c = line.centres
        edges = [x0, *[(c[i] + c[i + 1]) / 2 for i in range(n - 1)], x1]
    else:
        width = (x1 - x0) / max(1, n)
        edges = [x0 + i * width for i in range(n + 1)]
    return [
        Char(ch, edges[i], max(edges[i + 1], edges[i] + 0.01), top, bottom, size, confidence=line.score)
        for i, ch in enumerate(text)
    ]


def _column_edges(boxes: Sequence[BBox], tolerance: float = 3.0) -> list[float]:
    edges: list[float] = []
    for value in sorted({b[0] for b in boxes} | {b[2] for b in boxes}):
        if not edges or value - edges[-1] > tolerance:
            edges.append(value)
    return edges


def _column_of(edges: list[float], x: float) -> int:
    for index in range(len(edges) - 1):
        if edges[index] <= x < edges[index + 1]:
            return index
    return -1


def _centre_in(box: BBox, cell: BBox) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return cell[0] <= x < cell[2] and cell[1] <= y < cell[3]


def page_chars(page: ScanPage, lines: list[OcrLine], status: _StatusColumns, stats: OcrStats) -> list[Char]:
    """The page's characters for grid.read_page_table, status cells decided by their ink (see module doc)."""
    edges = _column_edges(page.boxes)
    header_bottom = 0.0
    found: list[int] = []
    for line in lines:
        if re.sub(r"\s+", "", line.text) in status.headers:
            column = _column_of(edges, (line.box[0] + line.box[2]) / 2)
            if column >= 0:
                found.append(column)
                header_bottom = max(header_bottom, line.box[3])
    if found:
        status.indexes = tuple(sorted(set(found)))
    chars: list[Char] = []
    status_cells = [
        box
        for box in page.boxes
        if box[1] >= header_bottom - 1
        and _column_of(edges, (box[0] + box[2]) / 2) in status.indexes
        and box[2] - box[0] < 0.25 * (edges[-1] - edges[0])
    ]
    taken: set[int] = set()
    px = page.dpi / 72.0
    min_ink = MARK_MIN_PT2 * px * px
    for cell in status_cells:
        inside = [i for i, line in enumerate(lines) if _centre_in(line.box, cell)]
        text = "".join(lines[i].text for i in inside)
        if _WORDS.search(text):
            continue  # words such as 正在推进: read as text
        taken.update(inside)
        inset = 2 * px  # keep the cell's own ruling lines out
        pixel_box = (
            int((cell[0] + inset) * px),
            int((cell[1] + inset) * px),
            int((cell[2] - inset) * px),
            int((cell[3] - inset) * px),
        )
        count, centre = densest_ink(page.ink, pixel_box, round(MARK_WINDOW_PT * px))
        read_mark = [lines[i] for i in inside if lines[i].text.strip() in MARK_GLYPHS]
        if read_mark and (centre is None or count < min_ink):
            # The recogniser saw a mark the ink test missed (a short row's mark touching the inset).
            box = read_mark[0].box
            centre = ((box[0] + box[2]) / 2 * px, (box[1] + box[3]) / 2 * px)
            count = int(min_ink)
        if count >= min_ink and centre is not None:
            x, y = centre[0] / px, centre[1] / px
            chars.append(Char(DECIDED_MARK, x - 4, x + 4, y - 5, y + 5, 10.0, confidence=1.0))
            stats.marks_by_ink += 1
    for index, line in enumerate(lines):
        if index not in taken:
            chars.extend(_line_chars(line))
    return chars


def read_page_images(
    data: bytes,
    file_name: str,
    greys: list[tuple[Grey, float]],
    templates: TemplateSet | None,
    recognise_page: Callable[[ScanPage], list[OcrLine]] | None = None,
) -> RawReport:
    """The RawReport of page images (grey, dpi): grids first (an error naming every page without one), then
    OCR in parallel, then the shared table reading. ``recognise_page`` replaces the engine (benchmarks/ocr.py
    compares engines on the same grids)."""
    recognise_page = recognise_page or recognise
    templates = templates if templates is not None else load_templates()
    if not greys:
        raise ReportError.single(file_name, "no page in the file")
    prepared = [prepare_page(number, grey, dpi) for number, (grey, dpi) in enumerate(greys, start=1)]
    problems = [p for p in prepared if isinstance(p, Problem)]
    if problems:
        raise ReportError(file_name, problems)
    pages = [p for p in prepared if isinstance(p, ScanPage)]
    with ThreadPoolExecutor(max_workers=min(OCR_THREADS, len(pages)), thread_name_prefix="ocr") as pool:
        recognised = list(pool.map(recognise_page, pages))
    stats = OcrStats(pages=len(pages), skews=[p.skew for p in pages])
    status = _StatusColumns(headers=_status_headers(templates))
    tables: list[PageTable] = []
    notes: list[str] = []
    for page, lines in zip(pages, recognised, strict=True):
        stats.lines += len(lines)
        chars = page_chars(page, lines, status, stats)
        context = PageContext(file_name, page.number, first_table=not tables, templates=templates)
        tables.append(read_page_table(page.boxes, chars, context))
        notes.extend(context.notes)
    notes.append(
        f"read by OCR (RapidOCR PP-OCRv4): {stats.pages} page(s), {stats.lines} text lines; pages deskewed by "
        + ", ".join(f"{s:+.2f}°" for s in stats.skews)
    )
    if stats.marks_by_ink:
        notes.append(
            f"{stats.marks_by_ink} status cell(s) without words read by the ink inside them: ink is a mark, "
            f"read as {DECIDED_MARK} (√ and ✓ are not told apart), no ink is empty"
        )
    return build_report(data, file_name, len(pages), tables, notes, templates, source_format="scan")


def _status_headers(templates: TemplateSet) -> frozenset[str]:
    """The header words of the two mark columns (已完成 / 未完成 and their variants in the template file)."""
    words = set(STATUS_HEADERS)
    for name in ("done", "not_done"):
        spec = templates.fields.get(name)
        if spec is not None:
            words.update(re.sub(r"\s+", "", header) for header in spec.headers)
    return frozenset(words)
