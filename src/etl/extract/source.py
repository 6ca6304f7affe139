"""Read a source file whatever its format: the format is decided by the file's content (etl.extract.formats), and
a folder search takes the files whose suffix a format lists."""

from __future__ import annotations

from pathlib import Path

from etl.errors import ReportError
from etl.extract.formats import HEAD_BYTES, SUFFIXES, format_of, source_format
from etl.extract.template import TemplateSet
from etl.extract.template_file import load_templates
from etl.models import RawReport


def is_report_file(path: Path) -> bool:
    """Files a folder ingest picks up: a suffix of a format, no hidden or sidecar files (nor Office lock files)."""
    name = path.name
    return path.is_file() and path.suffix.lower() in SUFFIXES and not name.startswith(".") and not name.startswith("~$")


def read_source(path: Path, templates: TemplateSet | None = None) -> RawReport:
    """Extract the report table of a file in any format of etl.extract.formats; ReportError for anything
    unreadable."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise ReportError.single(path.name, f"cannot read the file: {exc.strerror or exc}") from exc
    if not head.strip():
        raise ReportError.single(path.name, "the file is empty")
    raw = format_of(path, head).read(path, templates if templates is not None else load_templates())
    source_format(raw.source_format)  # a reader records only a format of the registry
    return raw
