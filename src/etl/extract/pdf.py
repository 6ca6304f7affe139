"""Read a report's table from its PDF into the same RawReport the text dump gives.

Two extractors read the PDF; both hand each page's characters and cell boxes to etl.extract.grid, which reads
the table, skips repeated headers, rebuilds merged cells and joins rows split across pages (see there):

- the fast path (pdf_fast.py, on pypdfium2's characters and line paths) reads every page it can;
- the reference (this module, on pdfplumber: cells from its "lines" table finder) reads the pages whose lines
  the fast path cannot make a grid of, and is what the fast path is tested against, cell for cell.

``read_pdf`` / ``parse_pdf`` use the fast path with page-by-page fallback to ``reference_tables``; the tests'
reference reader (tests/fidelity.py) reads every page with it. Before either, the bytes are checked for damage
(pdf_damage.py); after, the pages' order (page_order.py). What the reference adds over plain pdfplumber:

- only visible text: pdfminer draws text that a clipping path hides (a spreadsheet prints a merged cell that a
  page break cuts on both pages, each time clipped to that page's part), so the page layout is built by an
  interpreter that tracks rectangular clipping paths and drops characters outside them;
- outer borders a writer left out are added as explicit lines (rulings.open_ends), so the part of a row continued
  at the top of a page without a line above it is not lost;
- characters drawn twice (fake bold) are dropped per page, only where found (grid.drop_duplicates), instead of
  pdfplumber's dedupe_chars on every page.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.psexceptions import PSException
from pdfminer.utils import apply_matrix_pt
from pdfplumber.page import PDFPageAggregatorWithMarkedContent
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from etl.errors import ReportError
from etl.extract.assemble import build_report
from etl.extract.grid import (
    Char,
    PageContext,
    PageScan,
    PageTable,
    Ruling,
    drop_duplicates,
    only_running_text,
    read_page_table,
)
from etl.extract.page_order import check_page_sequence
from etl.extract.pdf_damage import check_pdf_bytes, check_streams
from etl.extract.rulings import open_ends
from etl.extract.template import TemplateSet
from etl.extract.template_file import load_templates
from etl.models import RawReport

log = logging.getLogger(__name__)

# Table finding from ruling lines only: a Word table is fully bordered, and text-based guessing would split
# multi-line cells.
TABLE_SETTINGS: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
# A character is visible when its centre is inside the clipping rectangle, give or take this much (points).
CLIP_TOLERANCE = 0.5

_UNMAPPED = re.compile(r"^\(cid:\d+\)$")
_PDF_ERRORS = (PdfminerException, MalformedPDFException, PSException)

Rect = tuple[float, float, float, float]


def read_pdf(path: Path, templates: TemplateSet | None = None) -> RawReport:
    """Read a report PDF into a RawReport (fast path, reference where needed); ReportError for anything wrong."""
    return parse_pdf(path.read_bytes(), path.name, templates)


def parse_pdf(data: bytes, file_name: str, templates: TemplateSet | None = None) -> RawReport:
    """Read a report PDF given as bytes (e.g. an upload); ``file_name`` is used in errors and lineage."""
    from etl.extract.pdf_fast import read_fast  # pypdfium2 is loaded only when a PDF arrives

    templates = templates if templates is not None else load_templates()
    check_pdf_bytes(data, file_name)
    check_streams(data, file_name)
    fast = read_fast(data, file_name, templates)
    if fast.unreadable:
        log.info(
            "%s: the fast path could not read page(s) %s; reading them with pdfplumber", file_name, fast.unreadable
        )
        by_page = {table.page: table for table in fast.tables}
        first = min([table.page for table in fast.tables] + fast.unreadable)
        for table in reference_tables(data, file_name, set(fast.unreadable), fast.notes, templates, first):
            by_page[table.page] = table
        tables = [by_page[page] for page in sorted(by_page)]
    else:
        tables = fast.tables
    tables = check_page_sequence(file_name, tables, fast.printed_numbers, templates, fast.notes)
    return _report(data, file_name, fast.page_count, tables, fast.notes, templates)


def _report(
    data: bytes,
    file_name: str,
    page_count: int,
    tables: Sequence[PageTable],
    notes: Sequence[str],
    templates: TemplateSet,
) -> RawReport:
    report = build_report(data, file_name, page_count, tables, notes, templates)
    for note in report.notes:
        log.warning("%s: %s", file_name, note)
    return report


def pdf_error_message(exc: Exception) -> str:
    """A reader-facing message for pdfminer's errors, which are wrapped (PdfminerException) or raw."""
    cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(cause, PDFEncryptionError):
        return ENCRYPTED_MESSAGE
    return f"not a readable PDF ({type(cause).__name__}: {cause})"


ENCRYPTED_MESSAGE = "the PDF is encrypted or password-protected; export it again without a password"


def reference_tables(
    data: bytes,
    file_name: str,
    pages: set[int] | None,
    notes: list[str],
    templates: TemplateSet,
    first_table: int | None = None,
) -> list[PageTable]:
    """The page tables pdfplumber reads (of ``pages`` only, when given), in page order.

    ``first_table`` is the page of the document's first table when the fast path already found it: that page
    alone must start with the report's header.
    """
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return _read_pages(pdf.pages, file_name, pages, notes, templates, first_table)
    except ReportError:
        raise
    except _PDF_ERRORS as exc:
        raise ReportError.single(file_name, pdf_error_message(exc)) from exc


def _read_pages(
    pages: Sequence[Any],
    file_name: str,
    wanted: set[int] | None,
    notes: list[str],
    templates: TemplateSet,
    first_table: int | None,
) -> list[PageTable]:
    """Each page's table; a pdfminer error is reported with the page it happened on.

    Blank pages, and pages with nothing but a running header or footer (Word's paragraph after a table can
    spill onto a page of its own), are skipped. A page whose only content is an image is a scan: without a
    text layer it cannot be read, so the file is rejected rather than rows silently lost.
    """
    tables: list[PageTable] = []
    scan = PageScan()
    for number, page in enumerate(pages, start=1):
        if wanted is not None and number not in wanted:
            continue
        try:
            _load_visible_layout(page)
            chars = _page_chars(page, number, notes)
            scan.saw(number, has_text=bool(chars), has_image=bool(page.images))
            if not chars:
                continue
            is_first = number == first_table if first_table is not None else not tables
            context = PageContext(file_name, number, first_table=is_first, templates=templates)
            table = _read_page(page, chars, context)
            notes.extend(context.notes)
        except _PDF_ERRORS as exc:
            raise ReportError.single(file_name, pdf_error_message(exc), page=number) from exc
        if table is not None:
            tables.append(table)
    scan.check(file_name, len(pages) if wanted is None else None)
    return tables


def _read_page(page: Any, chars: list[Char], context: PageContext) -> PageTable | None:
    """A page's table, or None for a page with only a running header or footer; ReportError otherwise."""
    rulings = [
        Ruling(
            edge["orientation"] == "h",
            *(
                (edge["top"], edge["x0"], edge["x1"])
                if edge["orientation"] == "h"
                else (edge["x0"], edge["top"], edge["bottom"])
            ),
        )
        for edge in page.edges
    ]
    settings = dict(TABLE_SETTINGS)
    extra = open_ends(rulings)
    if extra:
        settings["explicit_horizontal_lines"] = extra
    table = page.find_table(settings)
    if table is None:
        if only_running_text(chars, page.height):
            return None
        raise context.error("no table with ruling lines found (expected the 序号 … 落实情况 report table)")
    return read_page_table(table.cells, chars, context)


def _page_chars(page: Any, number: int, notes: list[str]) -> list[Char]:
    """The page's visible characters as grid Chars, blanks other than spaces dropped, copies drawn twice removed."""
    chars = []
    for ch in page.chars:
        text = ch["text"]
        unmapped = bool(_UNMAPPED.match(text))
        if not (unmapped or text.strip() or text == " "):
            continue
        chars.append(
            Char(
                text="\ufffd" if unmapped else text,
                x0=ch["x0"],
                x1=ch["x1"],
                top=ch["top"],
                bottom=ch["bottom"],
                size=ch["size"],
                unmapped=unmapped,
            )
        )
    kept, copies = drop_duplicates(chars)
    if copies:
        notes.append(f"page {number}: {copies} characters drawn twice (bold simulated by overprinting) read once")
    return kept


# --- Visible text only: a pdfminer interpreter that follows rectangular clipping paths ----------------------------


class _ClipAggregator(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's layout device, dropping each character whose centre lies outside the current clip."""

    clip: Rect | None = None

    def render_char(self, *args: Any, **kwargs: Any) -> float:
        adv: float = super().render_char(*args, **kwargs)
        if self.clip is not None and self.cur_item._objs:
            item = self.cur_item._objs[-1]
            x, y = (item.x0 + item.x1) / 2, (item.y0 + item.y1) / 2
            x0, y0, x1, y1 = self.clip
            t = CLIP_TOLERANCE
            if not (x0 - t <= x <= x1 + t and y0 - t <= y <= y1 + t):
                self.cur_item._objs.pop()
        return adv


class _ClipInterpreter(PDFPageInterpreter):
    """Tracks the clipping path as a rectangle (its bounding box, in device space) through q/Q, W/W*."""

    device: _ClipAggregator

    def init_state(self, ctm: Any) -> None:
        super().init_state(ctm)
        # The device's clip is left as it is: a Form XObject's sub-interpreter starts inside the caller's clip.
        self.clip_stack: list[Rect | None] = []

    def do_q(self) -> None:
        super().do_q()
        self.clip_stack.append(self.device.clip)

    def do_Q(self) -> None:
        super().do_Q()
        if self.clip_stack:
            self.device.clip = self.clip_stack.pop()

    def do_W(self) -> None:
        self._clip_to_path()

    def do_W_a(self) -> None:
        self._clip_to_path()

    def _clip_to_path(self) -> None:
        points = [apply_matrix_pt(self.ctm, (seg[-2], seg[-1])) for seg in self.curpath if len(seg) >= 3]
        if not points:
            return
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        rect = (min(xs), min(ys), max(xs), max(ys))
        current = self.device.clip
        if current is not None:
            rect = (
                max(rect[0], current[0]),
                max(rect[1], current[1]),
                min(rect[2], current[2]),
                min(rect[3], current[3]),
            )
        self.device.clip = rect


def _load_visible_layout(page: Any) -> None:
    """Build the page's layout with the clip-following interpreter; pdfplumber then reads chars and lines from it.

    pdfplumber caches the layout in ``page._layout`` and builds it on first use; setting it first is its own
    extension point (Page.layout checks for it), so chars, edges and find_table all see visible text only.
    """
    if hasattr(page, "_layout"):
        return
    device = _ClipAggregator(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    interpreter = _ClipInterpreter(page.pdf.rsrcmgr, device)
    try:
        interpreter.process_page(page.page_obj)
    except Exception as exc:  # pdfplumber wraps every pdfminer failure the same way
        raise PdfminerException(exc) from exc
    page._layout = device.get_result()
