"""The input formats, in one list: each says its name, its suffixes, how its content is recognised and which reader
reads it. Everything that depends on the set of formats is derived from ``FORMATS``: the suffixes a folder search
takes (etl.extract.source.is_report_file), the dispatch (etl.extract.source.read_source), the ``source_format``
values a RawReport may carry (``SOURCE_FORMATS``), what the guarded child imports when it starts
(``preload_modules``) and the README's table of formats (tests/etl/extract/test_formats.py holds it to this list).

A file's format is decided by its content, not its name: the formats are tried in order and the first whose test
accepts the file's first bytes reads it. PDFs start with %PDF; Word and Excel files are ZIP packages holding
word/document.xml or xl/workbook.xml; images (PNG, JPEG, TIFF) have their signature; a web page starts with markup;
a text dump is what is left. Some entries only refuse, with a message that says what to do (a legacy .doc/.xls, a
ZIP that is no Office file, a file named .pdf that is not one).

To add a format: write its reader (a module of etl.extract whose function takes the path and the templates and
returns a RawReport), add one ``Format`` below, a test, and its line in README's table.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from etl.errors import ReportError
from etl.extract.package import check_package
from etl.extract.template import TemplateSet
from etl.models import RawReport

Reader = Callable[[Path, TemplateSet], RawReport]

# How a web page starts after a byte-order mark and blank space: a tag, a doctype or comment (<!), an XML
# declaration (<?). A text dump starts with its title.
_MARKUP_START = re.compile(rb"<[a-zA-Z!?]")
# The first bytes of a ZIP archive (.docx, .xlsx) and of an OLE2 compound file (.doc, .xls, .ppt).
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_SIGNATURES: tuple[bytes, ...] = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
# How much of a file its content test sees.
HEAD_BYTES = 1024


@dataclass(frozen=True)
class Probe:
    """What a content test looks at: the file's first bytes and, for a ZIP package, the names it holds."""

    path: Path
    head: bytes

    @cached_property
    def package_members(self) -> frozenset[str] | None:
        """The member names of a ZIP package; None when the file is not a readable ZIP."""
        if not self.head.startswith(ZIP_MAGIC):
            return None
        try:
            with zipfile.ZipFile(self.path) as archive:
                return frozenset(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None


@dataclass(frozen=True)
class Format:
    """One input format: its ``name`` (the ``source_format`` recorded for a file it reads), what it is, the suffixes
    a folder search takes it by, its content test and its reader. ``refuses``: the entry recognises files only to
    refuse them with a useful message (it reads nothing and is no source_format). ``preload``: modules the guarded
    child imports at start, for the formats most files come in."""

    name: str
    describes: str
    suffixes: tuple[str, ...]
    matches: Callable[[Probe], bool]
    read: Reader
    preload: tuple[str, ...] = ()
    refuses: bool = False


def looks_like_pdf(head: bytes) -> bool:
    """A %PDF- header within the first 1 KiB: PDF readers look for it there, and mail gateways or signing tools
    sometimes put a few bytes before it; a text dump never contains "%PDF-" at its start."""
    return b"%PDF-" in head[:1024]


def looks_like_image(head: bytes) -> bool:
    """A PNG, JPEG or TIFF signature (a scanned page, read by OCR)."""
    return head.startswith(IMAGE_SIGNATURES)


def looks_like_html(head: bytes, suffix: str) -> bool:
    """Named .html/.htm, or starting with markup (<!DOCTYPE html>, <html>, <meta …>: a page saved under another
    name). A text dump starts with its title, not with a tag."""
    if suffix.lower() in (".html", ".htm"):
        return True
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head[len(bom) :].decode(encoding, errors="ignore").encode("ascii", errors="ignore")
    return bool(_MARKUP_START.match(head.removeprefix(b"\xef\xbb\xbf").lstrip()))


# --- readers: each imports its libraries only when a file of its format arrives ---------------------------------


def _read_pdf(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.grid import ScanNeedsOcr
    from etl.extract.pdf import read_pdf

    try:
        return read_pdf(path, templates)
    except ScanNeedsOcr:  # no text layer: a scan, read by OCR
        from etl.extract.ocr import read_scan_pdf

        return read_scan_pdf(path.read_bytes(), path.name, templates)


def _read_scan(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.ocr import read_scan_image

    return read_scan_image(path, templates)


def _read_docx(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.docx import read_docx

    check_package(path, "Word document (.docx)")
    return read_docx(path, templates)


def _read_xlsx(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.xlsx import read_xlsx

    check_package(path, "Excel workbook (.xlsx)")
    return read_xlsx(path, templates)


def _read_html(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.html import read_html

    return read_html(path, templates)


def _read_text_dump(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.text_dump import read_text_dump

    return read_text_dump(path, templates)


def _refuse_misnamed_pdf(path: Path, templates: TemplateSet) -> RawReport:
    raise ReportError.single(path.name, "named .pdf but is not a PDF (no %PDF header)")


def _refuse_legacy_office(path: Path, templates: TemplateSet) -> RawReport:
    suffix = path.suffix.lower()
    target = "xlsx" if suffix in (".xls", ".et") else "docx"
    kind = "Excel 97-2003 workbook (.xls)" if target == "xlsx" else "Word 97-2003 document (.doc)"
    raise ReportError.single(
        path.name,
        f"a legacy {kind} (OLE2 compound file) cannot be read; save it as .{target} in Word/Excel/WPS, or convert it "
        f"with: libreoffice --headless --convert-to {target} '{path.name}'",
    )


def _refuse_other_zip(path: Path, templates: TemplateSet) -> RawReport:
    raise ReportError.single(
        path.name, "a ZIP archive that is neither a Word (.docx) nor an Excel (.xlsx) file: not a report"
    )


def _is_package_of(member: str) -> Callable[[Probe], bool]:
    def matches(probe: Probe) -> bool:
        return probe.package_members is not None and member in probe.package_members

    return matches


FORMATS: tuple[Format, ...] = (
    Format(
        "pdf", "PDF with a text layer (one without is read by OCR, as scan)", (".pdf",),
        lambda p: looks_like_pdf(p.head), _read_pdf,
        preload=("pypdfium2", "etl.extract.pdf_fast", "etl.extract.pdf"),
    ),
    Format(
        "scan", "page images (PNG, JPEG, TIFF) and image-only PDFs, read by OCR",
        (".png", ".jpg", ".jpeg", ".tif", ".tiff"), lambda p: looks_like_image(p.head), _read_scan,
    ),
    Format(
        "misnamed_pdf", "a file named .pdf that is not a PDF: refused", (),
        lambda p: p.path.suffix.lower() == ".pdf", _refuse_misnamed_pdf, refuses=True,
    ),
    Format(
        "docx", "Word document", (".docx",), _is_package_of("word/document.xml"), _read_docx,
    ),
    Format(
        "xlsx", "Excel workbook", (".xlsx",), _is_package_of("xl/workbook.xml"), _read_xlsx,
    ),
    Format(
        "legacy_office", "Word 97-2003 (.doc) or Excel 97-2003 (.xls): refused with the command that converts it",
        (".doc", ".xls"), lambda p: p.head.startswith(OLE2_MAGIC), _refuse_legacy_office,
        refuses=True,
    ),
    Format(
        "zip", "a ZIP archive that is no Office file: refused", (),
        lambda p: p.head.startswith(ZIP_MAGIC), _refuse_other_zip, refuses=True,
    ),
    Format(
        "html", "web page saved from a government site", (".html", ".htm"),
        lambda p: looks_like_html(p.head, p.path.suffix), _read_html,
        preload=("lxml.html", "etl.extract.html"),
    ),
    Format(
        "text", "tab-separated text dump of the PDF table (whatever no other format takes)", (".txt", ".tsv"),
        lambda p: True, _read_text_dump, preload=("etl.extract.text_dump",),
    ),
)  # fmt: skip

SUFFIXES: frozenset[str] = frozenset(suffix for fmt in FORMATS for suffix in fmt.suffixes)
SOURCE_FORMATS: tuple[str, ...] = tuple(fmt.name for fmt in FORMATS if not fmt.refuses)


def source_format(name: str) -> str:
    """``name`` if it is the name of a format that reads files (the ``source_format`` of a RawReport it makes)."""
    if name not in SOURCE_FORMATS:
        raise ValueError(f"{name!r} is not a source format of etl.extract.formats ({', '.join(SOURCE_FORMATS)})")
    return name


def format_of(path: Path, head: bytes) -> Format:
    """The first format whose content test accepts the file (the text dump takes what no other does)."""
    probe = Probe(path, head[:HEAD_BYTES])
    return next(fmt for fmt in FORMATS if fmt.matches(probe))


def preload_modules() -> tuple[str, ...]:
    """What the guarded child imports when it starts: the readers of the common formats and the templates."""
    modules = [module for fmt in FORMATS for module in fmt.preload]
    return tuple(dict.fromkeys([*modules, "etl.extract.template"]))
