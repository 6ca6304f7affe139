"""A ZIP archive that is no Office file (tried after docx and xlsx): refused."""

from __future__ import annotations

from pathlib import Path

from etl.errors import ReportError
from etl.extract.formats import ZIP_MAGIC, Format
from etl.extract.template import TemplateSet
from etl.models import RawReport


def refuse(path: Path, templates: TemplateSet) -> RawReport:
    raise ReportError.single(
        path.name, "a ZIP archive that is neither a Word (.docx) nor an Excel (.xlsx) file: not a report"
    )


FORMAT = Format(
    name="zip",
    describes="a ZIP archive that is no Office file: refused",
    suffixes=(),
    matches=lambda probe: probe.head.startswith(ZIP_MAGIC),
    read=refuse,
    tried=700,
    refuses=True,
)
