"""PDF with a text layer; one without (a scan) is handed to OCR."""

from __future__ import annotations

from pathlib import Path

from etl.extract.formats import Format, looks_like_pdf
from etl.extract.template import TemplateSet
from etl.models import RawReport


def read(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.grid import ScanNeedsOcr
    from etl.extract.pdf import read_pdf

    try:
        return read_pdf(path, templates)
    except ScanNeedsOcr:  # no text layer: a scan, read by OCR
        from etl.extract.ocr import read_scan_pdf

        return read_scan_pdf(path.read_bytes(), path.name, templates)


FORMAT = Format(
    name="pdf",
    describes="PDF with a text layer (one without is read by OCR, as scan)",
    suffixes=(".pdf",),
    matches=lambda probe: looks_like_pdf(probe.head),
    read=read,
    tried=100,
    preload=("pypdfium2", "etl.extract.pdf_fast", "etl.extract.pdf"),
)
