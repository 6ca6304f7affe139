"""Read a scanned report — an image-only PDF, or PNG / JPEG / TIFF page images — by OCR into a RawReport.

Each page:

1. is rendered (a PDF page, at its scan's own resolution within RENDER_DPI_RANGE) or decoded (an image file,
   every frame of a TIFF; pixels made square when the file's two resolutions differ, as a fax's 204 × 196 dpi),
   made grey from its red channel (a red seal fades out, the text under it stays), deskewed
   (etl.extract.ocr_image);
2. has its table grid found from the ruling lines in the image: the line segments go to rulings.cells_from_rulings,
   the same code that makes cell boxes of a PDF's drawn lines. A page without a grid is an error naming the page;
   every page's grid is found before any OCR runs, so that such a file fails in a second, not after minutes;
3. is recognised (etl.extract.ocr_engine): each text line becomes grid.Char characters spread over its box, with
   the line's confidence, so that grid.read_page_table assigns text to cells, checks the header and reads the
   body exactly as for a PDF, and assemble.join_pages joins rows split across pages — no second copy of that logic.
   A later page's repeated header that the recogniser misread by a character is taken as the first page's
   (repeated_headers: one character per cell at most, a note names the page); punctuation and symbols that no
   header word holds are dropped from header cells first (header_marks_dropped: a ruling line's sliver read as
   ，), and a 。 wrapped alone onto a cell's last line and read as 0 is restored (full_stops_read_as_zero).
   A page the recogniser cannot read with confidence (heavy blur, too coarse a scan) is an error naming it;
4. status marks (√ ✓) are decided by the ink in their cells measured against the page and the column's other
   marks (etl.extract.ocr_marks); a cell that cannot be decided is an error naming page, row and column.

Pages are recognised in parallel threads (OCR_THREADS, one intra-op thread each: ONNX Runtime releases the GIL, so
two threads use both cores), within the guarded child process that bounds memory and time for every PDF
(etl.extract.guarded). Each cell keeps its lowest line confidence (RawRow.confidence → raw.extracted_cell); the
quality gate warns about cells below the threshold.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from etl.errors import Problem, ReportError
from etl.extract.assemble import build_report
from etl.extract.grid import (
    BBox,
    GridUnreadable,
    PageContext,
    PageTable,
    read_page_table,
    table_bbox,
)
from etl.extract.ocr_engine import (
    OcrLine,
    close_misread_brackets,
    is_unified_ideograph,
    line_chars,
    pair_brackets,
    pair_quotes,
    recognise_crops,
)
from etl.extract.ocr_image import (
    PageImage,
    ScanPage,
    clean_for_recognition,
    deskew,
    deskew_mask,
    flatten,
    ink_mask,
    otsu_threshold,
    page_image,
    ruling_lines,
    skew_angle,
)
from etl.extract.ocr_layout import page_line_height, page_lines
from etl.extract.ocr_marks import (
    DECIDED_MARK,
    UNDECIDED,
    MarkCell,
    StatusColumns,
    decide,
    mark_cells,
    mark_chars,
    status_headers,
    summary,
)
from etl.extract.rulings import cells_from_rulings
from etl.extract.template import TemplateSet, merge_header_lines
from etl.extract.template_file import load_templates
from etl.models import RawReport

# A scanned PDF page is rendered at the resolution of its image, within this range; RENDER_DPI when the image
# cannot be measured. Below MIN_SCAN_DPI a page is refused: at 60 dpi a 10.5 pt character is 9 pixels high and
# the recogniser reads the header wrong.
RENDER_DPI = 150.0
RENDER_DPI_RANGE = (100.0, 300.0)
MIN_SCAN_DPI = 100.0
# Pages recognised at the same time.
OCR_THREADS = max(1, min(2, os.cpu_count() or 1))
# A table must have at least this many cells and span this share of the page width to be the report's grid.
MIN_TABLE_CELLS = 9
MIN_TABLE_WIDTH_SHARE = 0.4
# A page is legible when the recogniser's median line confidence reaches this: legible scans of the real report
# give 0.95-0.99; blurred past reading (a 2 pt blur at 150 dpi) 0.7 and below.
LEGIBLE_MEDIAN_SCORE = 0.85


def read_scan_pdf(data: bytes, file_name: str, templates: TemplateSet | None = None) -> RawReport:
    """An image-only PDF by OCR: each page rendered at its scan's own resolution (within RENDER_DPI_RANGE);
    a page scanned below MIN_SCAN_DPI is an error naming the page and its resolution."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    doc = pdfium.PdfDocument(data)
    images: list[PageImage] = []
    problems: list[Problem] = []
    try:
        for index in range(len(doc)):
            page = doc[index]
            try:
                objects = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
                native = max((_image_object_dpi(image) for image in objects), default=RENDER_DPI)
                if native < MIN_SCAN_DPI:
                    problems.append(_low_resolution(native, index + 1))
                    continue
                dpi = min(max(native, RENDER_DPI_RANGE[0]), RENDER_DPI_RANGE[1])
                picture = page.render(scale=dpi / 72).to_pil()
            finally:
                page.close()
            images.append(page_image(picture, dpi))
    finally:
        doc.close()
    if problems:
        raise ReportError(file_name, problems)
    return read_page_images(data, file_name, images, templates)


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
        images = []
        for frame in range(getattr(image, "n_frames", 1)):
            image.seek(frame)
            image.load()
            picture, dpi = square_pixels(image)
            if dpi < MIN_SCAN_DPI:
                raise ReportError(file_name, [_low_resolution(dpi, frame + 1)])
            images.append(page_image(picture, dpi))
    except Image.DecompressionBombError as exc:
        raise ReportError.single(file_name, f"the image is too large to read safely ({exc})") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ReportError.single(file_name, f"not a readable image ({exc})") from exc
    return read_page_images(data, file_name, images, templates)


def square_pixels(image: Image.Image) -> tuple[Image.Image, float]:
    """The image with square pixels and its resolution: from its metadata (a fax's 204 × 196 dpi is stretched to
    204 × 204), else what an A4 page of its size would have."""
    info = image.info.get("dpi")
    if not info or float(info[0]) < 50 or float(info[1]) < 50:
        return image, max(image.size) / 11.69
    x_dpi, y_dpi = float(info[0]), float(info[1])
    if abs(x_dpi - y_dpi) / x_dpi > 0.01:
        height = round(image.height * x_dpi / y_dpi)
        return image.convert("L").resize((image.width, height), Image.Resampling.BILINEAR), x_dpi
    return image, x_dpi


def prepare_page(number: int, image: PageImage) -> ScanPage | Problem:
    """Deskew the page and find its table grid; a Problem naming the page when there is none."""
    dpi = image.dpi
    even = flatten(image.grey, dpi)
    skew = skew_angle(ink_mask(even))
    straight = deskew(even, skew)
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
    red = deskew_mask(image.red, skew) if image.red is not None else None
    line_px = page_line_height(clean_for_recognition(straight, threshold, red) <= threshold, boxes, dpi)
    return ScanPage(number, straight, dpi, threshold, boxes, skew, line_px, red)


def recognise(page: ScanPage) -> list[OcrLine]:
    """The page's text lines, recognised on a cleaned copy (etl.extract.ocr_image.clean_for_recognition)."""
    cleaned = clean_for_recognition(page.grey, page.threshold, page.red)
    return recognise_crops(cleaned, page_lines(cleaned <= page.threshold, page.boxes, page.dpi, page.line_px), page.dpi)


def illegible(page: ScanPage, lines: Sequence[OcrLine]) -> Problem | None:
    """A Problem naming the page when the recogniser could not read it with confidence (see LEGIBLE_MEDIAN_SCORE)."""
    scores = [line.score for line in lines]
    median = float(np.median(scores)) if scores else 0.0
    if len(scores) >= 3 and median >= LEGIBLE_MEDIAN_SCORE:
        return None
    return Problem(
        f"the scanned page is not legible: {len(scores)} text line(s) recognised with a median confidence of "
        f"{median:.2f} (a legible scan gives {LEGIBLE_MEDIAN_SCORE:g} or more); rescan it sharper, at 150-300 dpi",
        page=page.number,
    )


def read_page_images(
    data: bytes,
    file_name: str,
    images: list[PageImage],
    templates: TemplateSet | None,
    recognise_page: Callable[[ScanPage], list[OcrLine]] | None = None,
) -> RawReport:
    """The RawReport of page images: grids first (an error naming every page without one), then
    OCR in parallel, then the marks and the shared table reading. ``recognise_page`` replaces the engine
    (benchmarks/ocr.py compares engines on the same grids)."""
    recognise_page = recognise_page or recognise
    templates = templates if templates is not None else load_templates()
    if not images:
        raise ReportError.single(file_name, "no page in the file")
    prepared = [prepare_page(number, image) for number, image in enumerate(images, start=1)]
    problems = [p for p in prepared if isinstance(p, Problem)]
    if problems:
        raise ReportError(file_name, problems)
    pages = [p for p in prepared if isinstance(p, ScanPage)]
    with ThreadPoolExecutor(max_workers=min(OCR_THREADS, len(pages)), thread_name_prefix="ocr") as pool:
        recognised = list(pool.map(recognise_page, pages))
    problems = [p for p in map(illegible, pages, recognised) if p is not None]
    if problems:
        raise ReportError(file_name, problems)
    tables, notes = _tables(file_name, pages, recognised, templates)
    return build_report(data, file_name, len(pages), tables, notes, templates, source_format="scan")


def _tables(
    file_name: str, pages: list[ScanPage], recognised: list[list[OcrLine]], templates: TemplateSet
) -> tuple[list[PageTable], list[str]]:
    """Each page's table read from its characters, the status cells decided over the whole document first."""
    status = StatusColumns(headers=status_headers(templates))
    measured: list[tuple[list[MarkCell], set[int]]] = [
        mark_cells(p, lines, status) for p, lines in zip(pages, recognised, strict=True)
    ]
    cells = [cell for page_cells, _taken in measured for cell in page_cells]
    decide(cells)
    tables: list[PageTable] = []
    notes: list[str] = []
    problems: list[Problem] = []
    for page, lines, (page_cells, taken) in zip(pages, recognised, measured, strict=True):
        chars = mark_chars(page_cells)
        read = full_stops_read_as_zero(lines, page.boxes)
        chars += [ch for index, line in enumerate(read) if index not in taken for ch in line_chars(line)]
        context = PageContext(file_name, page.number, first_table=not tables, templates=templates)
        table = header_marks_dropped(_paired(read_page_table(page.boxes, chars, context)), templates, notes)
        problems += _undecided(table, [c for c in page_cells if c.decision == "undecided"])
        tables.append(table)
        notes.extend(context.notes)
    if problems:
        raise ReportError(file_name, problems)
    tables = repeated_headers(tables, notes)
    notes.append(
        f"read by OCR (RapidOCR PP-OCRv4): {len(pages)} page(s), {sum(map(len, recognised))} text lines; pages "
        "deskewed by " + ", ".join(f"{p.skew:+.2f}°" for p in pages)
    )
    if cells:
        notes.append(
            f"{len(cells)} status cell(s) without words decided by their ink against the page and the column's "
            f"other marks: {summary(cells)}; marks read as {DECIDED_MARK} (√ and ✓ are not told apart)"
        )
    return tables, notes


def full_stops_read_as_zero(lines: list[OcrLine], boxes: Sequence[BBox]) -> list[OcrLine]:
    """A full stop that wrapped alone onto a cell's last line, read by the recogniser as 0, restored as 。.

    A sentence's 。 wraps alone when the line above is full; alone, the recogniser reads its ring as 0, unsure of
    it (serif_pdftoppm_200_grey_skew: three times, confidence 0.47-0.77). Taken for 。 only where nothing else
    can be meant: the line is that one 0, read with less confidence than a legible page's median line
    (LEGIBLE_MEDIAN_SCORE), it is its cell's last line, and the line above it in the cell ends with a Chinese
    character (a figure's 0 would follow a digit, or come with its unit). Anything else is left as read."""
    cells = [_cell_index(line.box, boxes) for line in lines]
    out = list(lines)
    for i, line in enumerate(lines):
        if line.text.strip() != "0" or line.score >= LEGIBLE_MEDIAN_SCORE or cells[i] is None:
            continue
        mates = [other for j, other in enumerate(lines) if j != i and cells[j] == cells[i]]
        middle = (line.box[1] + line.box[3]) / 2
        above = [m for m in mates if (m.box[1] + m.box[3]) / 2 < middle]
        if len(above) < len(mates) or not above:  # not the cell's last line, or its only one
            continue
        last = max(above, key=lambda m: m.box[3]).text.rstrip()
        if last and is_unified_ideograph(last[-1]):
            out[i] = replace(line, text="。", centres=None)
    return out


def _cell_index(box: BBox, boxes: Sequence[BBox]) -> int | None:
    """The grid cell holding a line's centre, if any."""
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return next((k for k, (x0, top, x1, bottom) in enumerate(boxes) if x0 <= x <= x1 and top <= y <= bottom), None)


def header_marks_dropped(table: PageTable, templates: TemplateSet, notes: list[str]) -> PageTable:
    """A page's header cells without the punctuation and symbols that no header word holds (a note names them).

    A ruling line's sliver or a speck inside a header cell is read as ，, →, + (wqy_gs_300_bw_skew: 完成情况，已完成):
    no header word holds such a mark (TemplateSet.without_stray_marks), so it is noise, not a reworded header.
    Only marks are dropped: a header read with a wrong word still refuses the file as build_report checks it."""
    if not table.header_lines:
        return table
    lines = tuple(tuple(templates.without_stray_marks(cell) for cell in line) for line in table.header_lines)
    if lines == table.header_lines:
        return table
    read = [cell for line in table.header_lines for cell in line if templates.without_stray_marks(cell) != cell]
    notes.append(
        f"page {table.page}: header cell(s) read by OCR as [{', '.join(c.replace(chr(10), '') for c in read)}]: "
        "punctuation and symbols that no header word holds dropped"
    )
    return replace(table, header_lines=lines, header=tuple(merge_header_lines(lines)))


def repeated_headers(tables: list[PageTable], notes: list[str]) -> list[PageTable]:
    """Each later page's repeated header that OCR misread taken as the first page's (a note names the page).

    A scan's pages repeat the header of the first; the recogniser reads a header cell now and then with one
    character wrong (日标任务 for 目标任务, a speck before 未完成 read as ，), and a header that is not the first
    page's refuses the file. A later header is the first page's misread when it has the same lines and columns,
    each differing cell is at most one character replaced, added or dropped away from the first page's, and fewer
    than half of the filled cells differ; anything else is left for build_report to check as it is."""
    if not tables or not tables[0].header_lines:
        return tables
    first = tables[0]
    out = [first]
    for table in tables[1:]:
        if table.header_lines and table.header_lines != first.header_lines and misread_header(first, table):
            read = " / ".join(", ".join(cell.replace("\n", "") for cell in line) for line in table.header_lines)
            notes.append(
                f"page {table.page}: its repeated header, read by OCR as [{read}], differs from page "
                f"{first.page}'s by one character in a cell at most: read as page {first.page}'s header"
            )
            table = replace(table, header_lines=first.header_lines, header=first.header)
        out.append(table)
    return out


def misread_header(first: PageTable, table: PageTable) -> bool:
    """Whether ``table``'s header is ``first``'s with single characters misread (see repeated_headers)."""
    if table.width != first.width or len(table.header_lines) != len(first.header_lines):
        return False
    pairs = [
        ("".join(a.split()), "".join(b.split()))
        for line_a, line_b in zip(first.header_lines, table.header_lines, strict=True)
        for a, b in zip(line_a, line_b, strict=False)
    ]
    if any(len(line) != len(other) for line, other in zip(first.header_lines, table.header_lines, strict=True)):
        return False
    filled = sum(1 for a, _b in pairs if a)
    differing = [(a, b) for a, b in pairs if a != b]
    return 2 * len(differing) < filled and all(one_edit_apart(a, b) for a, b in differing)


def one_edit_apart(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one character replaced, added or dropped (or not at all)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _paired(table: PageTable) -> PageTable:
    """Bracket pairs of mixed kinds made lenticular over each whole cell (ocr_engine.pair_brackets): the
    recogniser reads a line at a time, and 【局招商组】 wraps as 【局招 / 商组] (seen at 200 dpi); a closing
    bracket misread as 1 is restored over the whole cell too (ocr_engine.close_misread_brackets: 【重点 / 办1), and
    double quotes made “…” pairs (ocr_engine.pair_quotes: a quotation wraps over lines as well)."""
    rows = tuple(
        replace(row, cells=tuple(pair_quotes(pair_brackets(close_misread_brackets(cell))) for cell in row.cells))
        for row in table.rows
    )
    return replace(table, rows=rows)


def _undecided(table: PageTable, cells: Sequence[MarkCell]) -> list[Problem]:
    """A Problem for each undecided status cell, named by the page, the table row it is in (and its task) and
    its column. Table order (rows down, columns across) is the cells' order by top, then left."""
    ordered = sorted(cells, key=lambda c: (round(c.box[1]), c.box[0]))
    number_column = next((i for i, h in enumerate(table.header) if "序号" in "".join(h.split())), 0)
    problems = []
    task = ""
    for index, row in enumerate(table.rows, start=1):
        task = (
            row.cells[number_column].strip()
            if number_column < len(row.cells) and row.cells[number_column].strip()
            else task
        )
        for column, text in enumerate(row.cells):
            if UNDECIDED not in text:
                continue
            cell = ordered.pop(0) if ordered else None
            measured = f" ({cell.length:.2f} text heights of stroke)" if cell is not None else ""
            problems.append(
                Problem(
                    f"table row {index} of the page (task {task or '?'}): the status mark cannot be decided: the "
                    f"cell's ink{measured} is neither clearly a mark nor clearly empty against the column's other "
                    "marks; check the scan and rescan the page",
                    page=table.page,
                    column=table.header[column] if column < len(table.header) else f"column {column + 1}",
                )
            )
    return problems
