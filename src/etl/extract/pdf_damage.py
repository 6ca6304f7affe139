"""Damage checks on a PDF's bytes, before any extractor reads them: a file cut short, a compressed stream that does
not inflate. PDFium repairs both silently (the pages it still finds, a substitute font), losing rows or characters
without saying so; these checks refuse the file instead, naming the page and object."""

from __future__ import annotations

import io
import re
import zlib
from typing import Any

from etl.errors import Problem, ReportError


def check_pdf_bytes(data: bytes, file_name: str) -> None:
    """Reject what is not a whole PDF before any parser sees it: empty, no %PDF- header, cut short.

    A truncated file must be rejected rather than read: pdfium repairs it and would return the pages it still
    finds, silently losing the rest of the report. Bytes after the last %%EOF are allowed when they are not PDF
    syntax (mail gateways and signing tools append some), and so are a few bytes before %PDF- (readers look for
    it in the first 1024 bytes); objects after the last %%EOF are an update cut short.
    """
    if not data.strip():
        raise ReportError.single(file_name, "the file is empty")
    if b"%PDF-" not in data[:1024]:
        raise ReportError.single(file_name, "not a PDF file (no %PDF- header)")
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise ReportError.single(file_name, "not a readable PDF: the file is cut short (no %%EOF at its end)")
    if _PDF_SYNTAX.search(data, end + 5):
        raise ReportError.single(
            file_name,
            "not a readable PDF: the file is cut short (objects after its last %%EOF: an update that did not end)",
        )


# What only a PDF body holds: after the last %%EOF it means the file goes on and was cut.
_PDF_SYNTAX = re.compile(rb"\d+\s+\d+\s+obj\b|\bendobj\b|\bstartxref\b|\bxref\b|\btrailer\b|\bstream\b")
# Stream data a check inflates at most (per stream); what is beyond is left to the extraction limits (a bomb).
STREAM_CHECK_BYTES = 64 << 20


def check_streams(data: bytes, file_name: str) -> None:
    """Every Flate-compressed stream must inflate without error; ReportError naming page and object otherwise.

    A stream with bytes overwritten (a damaged font program, a damaged page content) fails its checksum or its
    codes. PDFium does not say so: it uses what it could inflate, and a font it cannot load is replaced, so
    characters are silently lost. Only the stream data up to STREAM_CHECK_BYTES is inflated, into nothing.
    """
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFStream

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
    except ReportError:
        raise
    except Exception:  # what pdfminer cannot parse at all, the extractors report in their own words
        return
    damaged: list[tuple[int, str]] = []
    for xref in document.xrefs:
        for objid in xref.get_objids():
            try:
                obj = document.getobj(objid)
            except Exception:  # an object pdfminer cannot parse: left to the extractors
                continue
            if not isinstance(obj, PDFStream):
                continue
            error = _inflate_error(obj)
            if error is not None:
                damaged.append((objid, error))
    if damaged:
        uses = _object_uses(document, {objid for objid, _ in damaged})
        problems = []
        for objid, error in sorted(set(damaged)):
            page, what = uses.get(objid, (None, "a stream"))
            problems.append(
                Problem(
                    f"object {objid} ({what}) does not decode ({error}): the file is damaged and its text cannot "
                    "be read reliably; export or send it again",
                    page=page,
                )
            )
        raise ReportError(file_name, problems)


def _inflate_error(stream: Any) -> str | None:
    """The zlib error of a stream whose first filter is FlateDecode, None when it inflates (or is not Flate)."""
    filters = stream.get_filters()
    if not filters or getattr(filters[0][0], "name", None) not in ("FlateDecode", "Fl"):
        return None
    inflater = zlib.decompressobj()
    pending = stream.rawdata or b""
    produced = 0
    try:
        while pending and produced < STREAM_CHECK_BYTES:
            produced += len(inflater.decompress(pending, 1 << 20))
            pending = inflater.unconsumed_tail
    except zlib.error as exc:
        return str(exc)
    return None


def _object_uses(document: Any, wanted: set[int]) -> dict[int, tuple[int, str]]:
    """For the objects in ``wanted``: the first page that uses each, and as what (content, font program …)."""
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import PDFObjRef, resolve1

    uses: dict[int, tuple[int, str]] = {}

    def note(ref: Any, page: int, what: str) -> None:
        if isinstance(ref, PDFObjRef) and ref.objid in wanted and ref.objid not in uses:
            uses[ref.objid] = (page, what)

    try:
        for number, page in enumerate(PDFPage.create_pages(document), start=1):
            contents = page.attrs.get("Contents")
            for ref in contents if isinstance(contents, list) else [contents]:
                note(ref, number, "the page's content stream")
            fonts = resolve1(page.resources.get("Font")) or {}
            for font_ref in fonts.values():
                font = resolve1(font_ref) or {}
                descendants = resolve1(font.get("DescendantFonts")) or []
                for part in [font, *(resolve1(d) or {} for d in descendants)]:
                    base = getattr(resolve1(part.get("BaseFont")), "name", "?")
                    note(part.get("ToUnicode"), number, f"the Unicode map of font {base}")
                    descriptor = resolve1(part.get("FontDescriptor")) or {}
                    for key in ("FontFile", "FontFile2", "FontFile3"):
                        note(descriptor.get(key), number, f"the embedded program of font {base}")
            for ref in (resolve1(page.resources.get("XObject")) or {}).values():
                note(ref, number, "an image or form drawn on the page")
    except Exception:  # naming the page is a courtesy; the object number is named anyway
        pass
    return uses
