"""Word documents (.docx): a ZIP package holding word/document.xml, bounded before it is parsed."""

from __future__ import annotations

from pathlib import Path

from etl.extract.formats import Format, is_package_of
from etl.extract.package import check_package
from etl.extract.template import TemplateSet
from etl.models import RawReport


def read(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.docx import read_docx

    check_package(path, "Word document (.docx)")
    return read_docx(path, templates)


FORMAT = Format(
    name="docx",
    describes="Word document",
    suffixes=(".docx",),
    matches=is_package_of("word/document.xml"),
    read=read,
    tried=400,
)
