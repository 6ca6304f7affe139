"""Word 97-2003 (.doc) and Excel 97-2003 (.xls) files, OLE2 compound files: refused with the command that
converts them."""

from __future__ import annotations

from pathlib import Path

from etl.errors import ReportError
from etl.extract.formats import OLE2_MAGIC, Format
from etl.extract.template import TemplateSet
from etl.models import RawReport


def refuse(path: Path, templates: TemplateSet) -> RawReport:
    suffix = path.suffix.lower()
    target = "xlsx" if suffix in (".xls", ".et") else "docx"
    kind = "Excel 97-2003 workbook (.xls)" if target == "xlsx" else "Word 97-2003 document (.doc)"
    raise ReportError.single(
        path.name,
        f"a legacy {kind} (OLE2 compound file) cannot be read; save it as .{target} in Word/Excel/WPS, or convert it "
        f"with: libreoffice --headless --convert-to {target} '{path.name}'",
    )


FORMAT = Format(
    name="legacy_office",
    describes="Word 97-2003 (.doc) or Excel 97-2003 (.xls): refused with the command that converts it",
    suffixes=(".doc", ".xls"),
    matches=lambda probe: probe.head.startswith(OLE2_MAGIC),
    read=refuse,
    tried=600,
    refuses=True,
)
