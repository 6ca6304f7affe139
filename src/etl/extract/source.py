"""Pick the extractor for a source file by its content, not its name: PDFs start with %PDF."""

from __future__ import annotations

from pathlib import Path

from etl.errors import ReportError
from etl.models import RawReport

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".pdf", ".txt", ".tsv"})


def is_report_file(path: Path) -> bool:
    """Files a folder ingest picks up: report-like suffixes, no hidden or sidecar files."""
    return path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith(".")


def looks_like_pdf(head: bytes) -> bool:
    """Whether a file's first bytes (up to 1 KiB) make it a PDF for read_source: %PDF after optional whitespace."""
    return head.lstrip().startswith(b"%PDF")


def read_source(path: Path) -> RawReport:
    """Extract the report table of a text dump or PDF; ReportError for anything unreadable."""
    try:
        head = path.open("rb").read(1024)
    except OSError as exc:
        raise ReportError.single(path.name, f"cannot read the file: {exc.strerror or exc}") from exc
    if not head.strip():
        raise ReportError.single(path.name, "the file is empty")
    if looks_like_pdf(head):
        from etl.extract.pdf import read_pdf  # pdfplumber is only imported when a PDF arrives

        return read_pdf(path)
    if path.suffix.lower() == ".pdf":
        raise ReportError.single(path.name, "named .pdf but is not a PDF (no %PDF header)")
    from etl.extract.text_dump import read_text_dump

    return read_text_dump(path)
