"""The fast path: a report PDF's page tables from pypdfium2's characters and the page's line paths.

pdfplumber spends most of its time in pdfminer's content-stream interpreter (about 84% of a page). PDFium parses
the page in C, and gives each character with its box and each path with its segments; from those this module
makes the same grid.Char list and grid.Ruling list the reference gets from pdfplumber, finds the cell boxes
with rulings.cells_from_rulings, and reads the table with the same grid.read_page_table. The two therefore
differ only in what they see in the PDF, and the layout tests compare them cell for cell.

What the fast path cannot read it does not guess: Form XObjects (nested content that may hold lines), or lines
that do not make a plain ruled grid are reported as ``unreadable`` pages, which pdf.parse_pdf reads with
pdfplumber instead. A page turned for display (/Rotate 90, 180, 270) is read in its own upright orientation.
An embedded font PDFium cannot load (a damaged font program) is an error: PDFium would drop its characters.
The page number printed in each footer is kept (``printed_numbers``) so that pdf.py can tell pages missing or
out of order.

Characters are read like the reference reads them: generated characters (PDFium's inferred spaces and line
breaks) are left out, only visible ones are kept (a character of a text object whose clipping path hides it
is dropped), glyphs without a Unicode mapping are flagged (FPDFText_HasUnicodeMapError), and copies drawn
twice are removed per page where found.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from etl.errors import ReportError
from etl.extract.grid import (
    RUNNING_TEXT_BAND,
    Char,
    GridUnreadable,
    PageContext,
    PageScan,
    PageTable,
    Ruling,
    drop_duplicates,
    only_running_text,
    read_page_table,
    table_bbox,
    visual_lines,
)
from etl.extract.rulings import cells_from_rulings
from etl.extract.template import TemplateSet
from etl.extract.template_file import load_templates

# Path segments shorter than this (points) are not ruling lines (pdfplumber's edge_min_length is 3).
MIN_RULING_LENGTH = 3.0
# A segment is horizontal or vertical when it deviates less than this (points) from the axis.
AXIS_TOLERANCE = 0.5
CLIP_TOLERANCE = 0.5

Rect = tuple[float, float, float, float]  # left, bottom, right, top in PDF space


@dataclass
class FastRead:
    """What the fast path read: page count, the tables of the pages it could read, the pages it could not."""

    page_count: int
    tables: list[PageTable] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The page number printed in each page's footer (第 3 页, - 3 -, 3/12 …), where one is found.
    printed_numbers: dict[int, int] = field(default_factory=dict)


def read_fast(data: bytes, file_name: str, templates: TemplateSet | None = None) -> FastRead:
    """Read every page it can; ReportError for what no extractor could read (scan, undecodable text, not ours)."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ReportError.single(file_name, _pdfium_message(exc, data)) from exc
    templates = templates if templates is not None else load_templates()
    try:
        result = FastRead(page_count=len(doc))
        scan = PageScan()
        for index in range(len(doc)):
            number = index + 1
            try:
                page = doc[index]
            except pdfium.PdfiumError as exc:  # e.g. a page tree nested too deep to load
                raise ReportError.single(file_name, _pdfium_message(exc), page=number) from exc
            try:
                _read_page(page, number, file_name, result, scan, templates)
            finally:
                page.close()
        scan.check(file_name, result.page_count)
        return result
    finally:
        doc.close()


def _pdfium_message(exc: Exception, data: bytes | None = None) -> str:
    text = str(exc)
    if "password" in text.lower():
        return "the PDF is encrypted or password-protected; export it again without a password"
    # PDFium refuses a document with an empty page tree but reports no error ("PDFium: Success"); pdfminer reads
    # the page tree as it is, so it tells a PDF without pages from one it cannot parse.
    if data is not None and "Success" in text and _has_no_pages(data):
        return "the PDF has no pages (its page tree is empty): there is no report in it"
    return f"not a readable PDF (pdfium: {text})"


def _has_no_pages(data: bytes) -> bool:
    import io

    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages) == 0
    except Exception:  # not readable by pdfminer either: the generic message stands
        return False


def _read_page(
    page: pdfium.PdfPage, number: int, file_name: str, result: FastRead, scan: PageScan, templates: TemplateSet
) -> None:
    rotation = page.get_rotation() % 360
    if rotation:
        # /Rotate only turns the page for display: its text and lines are upright in the page's own space, where
        # they are read (the document was opened from bytes, so the file is not changed).
        page.set_rotation(0)
        result.notes.append(f"page {number}: displayed rotated by {rotation}°, read in its upright orientation")
    _width, height = page.get_size()
    objects = _page_objects(page, height)
    if objects.damaged_fonts:
        raise ReportError.single(
            file_name,
            "the embedded font(s) "
            + ", ".join(objects.damaged_fonts)
            + " cannot be loaded (the PDF library had to substitute another font, and characters drawn with it "
            "would be lost): the file is damaged; export or send it again",
            page=number,
        )
    chars = _page_chars(page, height, objects.clipped)
    kept, copies = drop_duplicates(chars)
    scan.saw(number, has_text=bool(kept), has_image=objects.has_image)
    if not kept:
        return
    if copies:
        result.notes.append(
            f"page {number}: {copies} characters drawn twice (bold simulated by overprinting) read once"
        )
    if objects.has_form:
        result.unreadable.append(number)
        return
    first_table = not result.tables and not result.unreadable
    context = PageContext(file_name, number, first_table=first_table, templates=templates)
    try:
        boxes = cells_from_rulings(objects.rulings)
    except GridUnreadable:
        printed = printed_page_number(kept, height, None)
        if printed is not None:
            result.printed_numbers[number] = printed
        if objects.rulings or not only_running_text(kept, height):
            result.unreadable.append(number)  # the reference decides: a table it can read, or the error
        return
    printed = printed_page_number(kept, height, table_bbox(boxes)[3])
    if printed is not None:
        result.printed_numbers[number] = printed
    result.tables.append(read_page_table(boxes, kept, context))
    result.notes.extend(context.notes)


@dataclass
class _Objects:
    rulings: list[Ruling] = field(default_factory=list)
    # Text objects that their clipping path cuts: (object address, clip box, object bounds).
    clipped: list[tuple[int, Rect, Rect]] = field(default_factory=list)
    has_image: bool = False
    has_form: bool = False
    # Embedded (subset) fonts PDFium could not load and replaced with a substitute.
    damaged_fonts: list[str] = field(default_factory=list)


def _page_objects(page: pdfium.PdfPage, height: float) -> _Objects:
    """The page's ruling lines, the text objects a clipping path cuts, and whether it holds images or forms."""
    out = _Objects()
    raw = page.raw
    matrix = pdfium_c.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    fonts: set[int] = set()
    for k in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, k)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
            _path_rulings(obj, matrix, height, x, y, out.rulings)
        elif kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            _check_font(pdfium_c.FPDFTextObj_GetFont(obj), fonts, out.damaged_fonts)
            clip = pdfium_c.FPDFPageObj_GetClipPath(obj)
            if not clip:
                continue
            box = _clip_box(clip, x, y)
            if box is None:
                continue
            pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
            t = CLIP_TOLERANCE
            if (
                left.value < box[0] - t
                or bottom.value < box[1] - t
                or right.value > box[2] + t
                or top.value > box[3] + t
            ):
                address = ctypes.cast(obj, ctypes.c_void_p).value or 0
                out.clipped.append((address, box, (left.value, bottom.value, right.value, top.value)))
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            out.has_image = True
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            out.has_form = True
    return out


# A subset font's name starts with six capital letters and "+" (ABCDEF+NotoSerifCJK): by definition (PDF 32000,
# 9.6.4) its program is embedded in the file.
_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")


def _check_font(font: Any, seen: set[int], damaged: list[str]) -> None:
    """Note a subset font whose embedded program PDFium could not load.

    When an embedded font program is damaged (bytes overwritten, a stream that does not inflate), PDFium silently
    substitutes a font of its own and reports the font as not embedded; characters whose glyphs it then cannot
    find are left out of the page's text (招引一批 → 引一批). A subset font is embedded by definition, so "not
    embedded" is the tell.
    """
    address = ctypes.cast(font, ctypes.c_void_p).value or 0
    if not address or address in seen:
        return
    seen.add(address)
    if pdfium_c.FPDFFont_GetIsEmbedded(font):
        return
    buffer = ctypes.create_string_buffer(256)
    pdfium_c.FPDFFont_GetBaseFontName(font, buffer, len(buffer))
    name = buffer.value.decode("latin-1", errors="replace")
    if _SUBSET_TAG.match(name) and name not in damaged:
        damaged.append(name)


# A page number as footers print it: 第 3 页 (共 12 页), - 3 -, 3 / 12, Page 3, or a bare 3.
_PRINTED_NUMBER = re.compile(
    r"第\s*(\d{1,4})\s*页(?:\s*[,，]?\s*共\s*\d{1,4}\s*页)?|[-—–]?\s*(\d{1,4})\s*[-—–]?"
    r"|(\d{1,4})\s*/\s*\d{1,4}|(?:[Pp]age|PAGE)\s*(\d{1,4})(?:\s*of\s*\d{1,4})?"
)


def printed_page_number(chars: list[Char], height: float, table_bottom: float | None) -> int | None:
    """The page number printed in the footer band (below the table, in the bottom RUNNING_TEXT_BAND), if any.

    All the footer's text must be the page number, so a figure of the table never reads as one.
    """
    band = height * (1 - RUNNING_TEXT_BAND)
    footer = [ch for ch in chars if ch.top >= band and (table_bottom is None or ch.top >= table_bottom - 1)]
    if not footer:
        return None
    text = " ".join(visual_lines(footer)).strip()
    match = _PRINTED_NUMBER.fullmatch(text)
    if match is None:
        return None
    return int(next(group for group in match.groups() if group))


def _path_rulings(
    obj: object, m: pdfium_c.FS_MATRIX, height: float, x: ctypes.c_float, y: ctypes.c_float, out: list[Ruling]
) -> None:
    """Every horizontal or vertical straight segment of a path (stroked or filled, as pdfplumber's edges)."""
    count = pdfium_c.FPDFPath_CountSegments(obj)
    start: tuple[float, float] | None = None
    previous: tuple[float, float] | None = None
    for s in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, s)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = (m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = previous = point
            continue
        if kind == pdfium_c.FPDF_SEGMENT_LINETO and previous is not None:
            _add_ruling(previous, point, height, out)
        previous = point
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            _add_ruling(point, start, height, out)
            previous = start


def _add_ruling(a: tuple[float, float], b: tuple[float, float], height: float, out: list[Ruling]) -> None:
    (x0, y0), (x1, y1) = a, b
    if abs(y0 - y1) <= AXIS_TOLERANCE and abs(x1 - x0) >= MIN_RULING_LENGTH:
        out.append(Ruling(True, height - (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x0 - x1) <= AXIS_TOLERANCE and abs(y1 - y0) >= MIN_RULING_LENGTH:
        out.append(Ruling(False, (x0 + x1) / 2, height - max(y0, y1), height - min(y0, y1)))


def _clip_box(clip: object, x: ctypes.c_float, y: ctypes.c_float) -> Rect | None:
    """The bounding box of a clipping path (the intersection of its paths' boxes), in PDF space."""
    box: Rect | None = None
    for p in range(pdfium_c.FPDFClipPath_CountPaths(clip)):
        xs: list[float] = []
        ys: list[float] = []
        for s in range(pdfium_c.FPDFClipPath_CountPathSegments(clip, p)):
            segment = pdfium_c.FPDFClipPath_GetPathSegment(clip, p, s)
            pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
            xs.append(x.value)
            ys.append(y.value)
        if not xs:
            continue
        rect = (min(xs), min(ys), max(xs), max(ys))
        box = (
            rect
            if box is None
            else (max(box[0], rect[0]), max(box[1], rect[1]), min(box[2], rect[2]), min(box[3], rect[3]))
        )
    return box


def _page_chars(page: pdfium.PdfPage, height: float, clipped: list[tuple[int, Rect, Rect]]) -> list[Char]:
    """The page's characters as grid Chars: loose boxes (the font's full height, like pdfminer's), top-left origin.

    The page's text comes in one FPDFText_GetText call (one UTF-16 unit per character index; CJK text is in the
    Basic Multilingual Plane), so per character only the box, the font size and the Unicode-map check cost a
    call; whether a space is PDFium's own (generated) is asked for spaces only.
    """
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        if count <= 0:
            return []
        buffer = ctypes.create_string_buffer((count + 1) * 2)
        pdfium_c.FPDFText_GetText(raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
        text_all = buffer.raw[: count * 2].decode("utf-16-le", errors="replace")
        if len(text_all) != count:  # characters outside the BMP: ask one by one
            text_all = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i) or 0xFFFD) for i in range(count))
        get_unicode = pdfium_c.FPDFText_GetUnicode
        is_generated = pdfium_c.FPDFText_IsGenerated
        map_error = pdfium_c.FPDFText_HasUnicodeMapError
        loose_box = pdfium_c.FPDFText_GetLooseCharBox
        font_size = pdfium_c.FPDFText_GetFontSize
        rect = pdfium_c.FS_RECTF()
        chars: list[Char] = []
        for i, text in enumerate(text_all):
            unmapped = bool(map_error(raw, i))
            if unmapped:
                text = "\ufffd"
            elif text == " ":
                if is_generated(raw, i):
                    continue
            elif text == "\ufffe" and get_unicode(raw, i) == 0x02:
                text = "-"  # GetText's mark for a hyphen that ends a line (GetUnicode: 0x02): it is the drawn "-"
            elif not text.strip() or text == "\ufffe":
                continue  # line breaks PDFium inserts, and other blanks
            loose_box(raw, i, rect)
            if clipped and not _visible(raw, i, rect, clipped):
                continue
            chars.append(
                Char(text, rect.left, rect.right, height - rect.top, height - rect.bottom, font_size(raw, i), unmapped)
            )
        return chars
    finally:
        textpage.close()


def _inside(x: float, y: float, box: Rect) -> bool:
    t = CLIP_TOLERANCE
    return box[0] - t <= x <= box[2] + t and box[1] - t <= y <= box[3] + t


def _near(x: float, y: float, box: Rect, margin: float) -> bool:
    """Inside ``box`` widened by ``margin``."""
    return box[0] - margin <= x <= box[2] + margin and box[1] - margin <= y <= box[3] + margin


def _visible(raw: object, index: int, rect: pdfium_c.FS_RECTF, clipped: list[tuple[int, Rect, Rect]]) -> bool:
    """False when the character belongs to a clipped text object and its centre is outside that object's clip.

    Only a character inside a clipped object's bounds but outside its clip can be hidden; for those alone
    PDFium is asked which object the character belongs to (text of other objects may lie in the same area).
    """
    x, y = (rect.left + rect.right) / 2, (rect.bottom + rect.top) / 2
    # An object's bounds are its glyphs' tight outlines; a character's box (a space above all) may reach one
    # character size beyond them.
    margin = max(rect.right - rect.left, rect.top - rect.bottom) + 1
    suspects = [address for address, clip, bounds in clipped if _near(x, y, bounds, margin) and not _inside(x, y, clip)]
    if not suspects:
        return True
    obj = pdfium_c.FPDFText_GetTextObject(raw, index)
    return (ctypes.cast(obj, ctypes.c_void_p).value or 0) not in suspects
