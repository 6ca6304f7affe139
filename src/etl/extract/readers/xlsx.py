"""Excel workbooks (.xlsx): a ZIP package holding xl/workbook.xml, bounded before it is parsed."""

from __future__ import annotations

from pathlib import Path

from etl.extract.formats import Format, is_package_of
from etl.extract.package import check_package
from etl.extract.template import TemplateSet
from etl.models import RawReport


def read(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.xlsx import read_xlsx

    check_package(path, "Excel workbook (.xlsx)")
    return read_xlsx(path, templates)


FORMAT = Format(
    name="xlsx",
    describes="Excel workbook",
    suffixes=(".xlsx",),
    matches=is_package_of("xl/workbook.xml"),
    read=read,
    tried=500,
)
