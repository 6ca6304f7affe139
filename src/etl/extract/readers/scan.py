"""Page images (PNG, JPEG, TIFF), read by OCR."""

from __future__ import annotations

from pathlib import Path

from etl.extract.formats import Format, looks_like_image
from etl.extract.template import TemplateSet
from etl.models import RawReport


def read(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.ocr import read_scan_image

    return read_scan_image(path, templates)


FORMAT = Format(
    name="scan",
    describes="page images (PNG, JPEG, TIFF) and image-only PDFs, read by OCR",
    suffixes=(".png", ".jpg", ".jpeg", ".tif", ".tiff"),
    matches=lambda probe: looks_like_image(probe.head),
    read=read,
    tried=200,
)
