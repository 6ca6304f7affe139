"""A file named .pdf that is not one: refused. Tried after the PDF and scan tests, so a PDF or an image named
.pdf is read as what it is."""

from __future__ import annotations

from pathlib import Path

from etl.errors import ReportError
from etl.extract.formats import Format
from etl.extract.template import TemplateSet
from etl.models import RawReport


def refuse(path: Path, templates: TemplateSet) -> RawReport:
    raise ReportError.single(path.name, "named .pdf but is not a PDF (no %PDF header)")


FORMAT = Format(
    name="misnamed_pdf",
    describes="a file named .pdf that is not a PDF: refused",
    suffixes=(),
    matches=lambda probe: probe.path.suffix.lower() == ".pdf",
    read=refuse,
    tried=300,
    refuses=True,
)
