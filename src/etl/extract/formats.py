"""The input formats, as one registry: each format declares itself in its own module of etl.extract.readers
(``FORMAT = Format(...)``: its name, its suffixes, how its content is recognised, which reader reads it and where
in the order it is tried); this module holds ``Format``, the content tests they share and finds those modules
(``FORMATS``). Everything that depends on the set of formats is derived from ``FORMATS``: the suffixes a folder
search takes (etl.extract.source.is_report_file), the dispatch (etl.extract.source.read_source), the
``source_format`` values a RawReport may carry (``SOURCE_FORMATS``), what the guarded child imports when it starts
(``preload_modules``) and the README's table of formats (tests/etl/extract/test_formats.py holds it to this list).

A file's format is decided by its content, not its name: the formats are tried in order (``Format.tried``) and the
first whose test accepts the file's first bytes reads it. PDFs start with %PDF; Word and Excel files are ZIP
packages holding word/document.xml or xl/workbook.xml; images (PNG, JPEG, TIFF) have their signature; a web page
starts with markup; a text dump is what is left. Some entries only refuse, with a message that says what to do (a
legacy .doc/.xls, a ZIP that is no Office file, a file named .pdf that is not one).

To add a format, touch 3 files: a module ``src/etl/extract/readers/<name>.py`` declaring its ``FORMAT`` and its
reader, its test ``tests/etl/extract/test_<name>.py``, and its line in README's table of formats. Nothing is
registered here (tests/etl/extract/test_format_discovery.py adds a format so, from outside the package). A reader
too large for that module gets its own beside pdf.py and docx.py, imported inside the reader function: a 4th file.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

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
    a folder search takes it by, its content test and its reader. ``tried``: its place in the order the content
    tests run, lowest first (spaced by 100, so a new format fits between two: a refusal of a misnamed file goes
    before the formats its content could pass for, the text dump, which takes anything, is last). ``refuses``: the
    entry recognises files only to refuse them with a useful message (it reads nothing and is no source_format).
    ``preload``: modules the guarded child imports at start, for the formats most files come in."""

    name: str
    describes: str
    suffixes: tuple[str, ...]
    matches: Callable[[Probe], bool]
    read: Reader
    tried: int
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


def is_package_of(member: str) -> Callable[[Probe], bool]:
    """The content test of an Office package: a readable ZIP holding ``member`` (word/document.xml …)."""

    def matches(probe: Probe) -> bool:
        return probe.package_members is not None and member in probe.package_members

    return matches


# --- the registry: the modules of etl.extract.readers, found when the formats are first asked for ----------------

READERS = "etl.extract.readers"


def discover_formats(package: str = READERS) -> tuple[Format, ...]:
    """The ``FORMAT`` of every module of ``package``, in the order they are tried (``Format.tried``, lowest first).

    Each module is named for the format it declares, and no two formats share a place in the order (a tie would
    leave the order to the file system's listing); TypeError/ValueError naming the module otherwise."""
    found: list[Format] = []
    for module_info in sorted(pkgutil.iter_modules(importlib.import_module(package).__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package}.{module_info.name}")
        fmt = getattr(module, "FORMAT", None)
        if not isinstance(fmt, Format):
            raise TypeError(f"{module.__name__} declares no FORMAT = Format(...)")
        if fmt.name != module_info.name:
            raise ValueError(f"{module.__name__} declares the format {fmt.name!r}: a module is named for its format")
        tied = next((other for other in found if other.tried == fmt.tried), None)
        if tied is not None:
            raise ValueError(f"formats {tied.name!r} and {fmt.name!r} are both tried {fmt.tried}: give each its place")
        found.append(fmt)
    return tuple(sorted(found, key=lambda fmt: fmt.tried))


@dataclass(frozen=True)
class Registry:
    """What depends on the set of formats, derived from it once."""

    formats: tuple[Format, ...]

    @cached_property
    def suffixes(self) -> frozenset[str]:
        return frozenset(suffix for fmt in self.formats for suffix in fmt.suffixes)

    @cached_property
    def source_formats(self) -> tuple[str, ...]:
        return tuple(fmt.name for fmt in self.formats if not fmt.refuses)


@cache
def registry() -> Registry:
    return Registry(discover_formats())


# FORMATS, SUFFIXES and SOURCE_FORMATS are read from the registry when first named (PEP 562), not when this module is
# imported: the reader modules import Format from here, so the registry cannot be built before this module is.
if TYPE_CHECKING:
    FORMATS: tuple[Format, ...]
    SUFFIXES: frozenset[str]
    SOURCE_FORMATS: tuple[str, ...]

_DERIVED = {"FORMATS": "formats", "SUFFIXES": "suffixes", "SOURCE_FORMATS": "source_formats"}


def __getattr__(name: str) -> object:
    if name in _DERIVED:
        return getattr(registry(), _DERIVED[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def source_format(name: str) -> str:
    """``name`` if it is the name of a format that reads files (the ``source_format`` of a RawReport it makes)."""
    allowed = registry().source_formats
    if name not in allowed:
        raise ValueError(f"{name!r} is not a source format of etl.extract.formats ({', '.join(allowed)})")
    return name


def format_of(path: Path, head: bytes) -> Format:
    """The first format whose content test accepts the file (the text dump takes what no other does)."""
    probe = Probe(path, head[:HEAD_BYTES])
    return next(fmt for fmt in registry().formats if fmt.matches(probe))


def preload_modules() -> tuple[str, ...]:
    """What the guarded child imports when it starts: the readers of the common formats and the templates."""
    modules = [module for fmt in registry().formats for module in fmt.preload]
    return tuple(dict.fromkeys([*modules, "etl.extract.template"]))
