"""Pick the extractor for a source file by its content, not its name: PDFs start with %PDF, Word and Excel files
are ZIP packages holding word/document.xml or xl/workbook.xml, legacy .doc/.xls are OLE2 compound files, images
(PNG, JPEG, TIFF) have their signature; a PDF without a text layer (a scan) and an image are read by OCR. A web
page starts with markup (its doctype, <html>, a tag), and a file named .html / .htm is read as one too."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from etl.errors import ReportError
from etl.extract.package import check_package
from etl.extract.template import TemplateSet
from etl.extract.template_file import load_templates
from etl.models import RawReport

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".pdf", ".txt", ".tsv", ".docx", ".xlsx", ".doc", ".xls", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}
    | {".html", ".htm"}
)
HTML_SUFFIXES: frozenset[str] = frozenset({".html", ".htm"})
# How a web page starts after a byte-order mark and blank space: a tag, a doctype or comment (<!), an XML
# declaration (<?). A text dump starts with its title.
_MARKUP_START = re.compile(rb"<[a-zA-Z!?]")
# The first bytes of a ZIP archive (.docx, .xlsx) and of an OLE2 compound file (.doc, .xls, .ppt).
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_SIGNATURES: tuple[bytes, ...] = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def is_report_file(path: Path) -> bool:
    """Files a folder ingest picks up: report-like suffixes, no hidden or sidecar files (nor Office lock files)."""
    name = path.name
    return (
        path.is_file()
        and path.suffix.lower() in SUPPORTED_SUFFIXES
        and not name.startswith(".")
        and not name.startswith("~$")
    )


def looks_like_pdf(head: bytes) -> bool:
    """Whether a file's first bytes (up to 1 KiB) make it a PDF for read_source: a %PDF- header within them.

    PDF readers look for the header in the first 1024 bytes, and mail gateways or signing tools sometimes put a
    few bytes before it; a text dump never contains "%PDF-" at its start.
    """
    return b"%PDF-" in head[:1024]


def looks_like_image(head: bytes) -> bool:
    """Whether a file's first bytes are a PNG, JPEG or TIFF image (a scanned page, read by OCR)."""
    return head.startswith(IMAGE_SIGNATURES)


def looks_like_html(head: bytes, suffix: str) -> bool:
    """Whether a file is a web page for read_source: named .html/.htm, or starting with markup (<!DOCTYPE html>,
    <html>, <meta …>: a page saved under another name). A text dump starts with its title, not with a tag."""
    if suffix.lower() in HTML_SUFFIXES:
        return True
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head[len(bom) :].decode(encoding, errors="ignore").encode("ascii", errors="ignore")
    return bool(_MARKUP_START.match(head.removeprefix(b"\xef\xbb\xbf").lstrip()))


def office_kind(path: Path, head: bytes) -> str | None:
    """'docx' or 'xlsx' for an Office Open XML package, 'ole2' for a legacy Office file, else None."""
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    if not head.startswith(ZIP_MAGIC):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def _legacy_message(path: Path) -> str:
    """A legacy .doc / .xls refusal that says how to convert the file."""
    suffix = path.suffix.lower()
    target = "xlsx" if suffix in (".xls", ".et") else "docx"
    kind = "Excel 97-2003 workbook (.xls)" if target == "xlsx" else "Word 97-2003 document (.doc)"
    return (
        f"a legacy {kind} (OLE2 compound file) cannot be read; save it as .{target} in Word/Excel/WPS, or convert it "
        f"with: libreoffice --headless --convert-to {target} '{path.name}'"
    )


def read_source(path: Path, templates: TemplateSet | None = None) -> RawReport:
    """Extract the report table of a text dump, PDF, Word or Excel file, web page, or a scan (OCR); ReportError for
    anything unreadable."""
    try:
        head = path.open("rb").read(1024)
    except OSError as exc:
        raise ReportError.single(path.name, f"cannot read the file: {exc.strerror or exc}") from exc
    if not head.strip():
        raise ReportError.single(path.name, "the file is empty")
    templates = templates if templates is not None else load_templates()
    if looks_like_pdf(head):
        from etl.extract.grid import ScanNeedsOcr
        from etl.extract.pdf import read_pdf  # pdfplumber is only imported when a PDF arrives

        try:
            return read_pdf(path, templates)
        except ScanNeedsOcr:
            from etl.extract.ocr import read_scan_pdf  # the OCR engine is only loaded when a scan arrives

            return read_scan_pdf(path.read_bytes(), path.name, templates)
    if looks_like_image(head):
        from etl.extract.ocr import read_scan_image

        return read_scan_image(path, templates)
    if path.suffix.lower() == ".pdf":
        raise ReportError.single(path.name, "named .pdf but is not a PDF (no %PDF header)")
    kind = office_kind(path, head)
    if kind == "docx":
        from etl.extract.docx import read_docx  # python-docx is only imported when a Word file arrives

        check_package(path, "Word document (.docx)")
        return read_docx(path, templates)
    if kind == "xlsx":
        from etl.extract.xlsx import read_xlsx  # openpyxl is only imported when an Excel file arrives

        check_package(path, "Excel workbook (.xlsx)")
        return read_xlsx(path, templates)
    if kind == "ole2":
        raise ReportError.single(path.name, _legacy_message(path))
    if kind == "zip":
        raise ReportError.single(
            path.name, "a ZIP archive that is neither a Word (.docx) nor an Excel (.xlsx) file: not a report"
        )
    if looks_like_html(head, path.suffix):
        from etl.extract.html import read_html  # lxml's HTML parser is only imported when a web page arrives

        return read_html(path, templates)
    from etl.extract.text_dump import read_text_dump

    return read_text_dump(path, templates)
