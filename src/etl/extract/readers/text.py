"""The tab-separated text dump of the PDF table: the catch-all, tried last (its content test takes anything)."""

from __future__ import annotations

from pathlib import Path

from etl.extract.formats import Format
from etl.extract.template import TemplateSet
from etl.models import RawReport


def read(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.text_dump import read_text_dump

    return read_text_dump(path, templates)


FORMAT = Format(
    name="text",
    describes="tab-separated text dump of the PDF table (whatever no other format takes)",
    suffixes=(".txt", ".tsv"),
    matches=lambda probe: True,
    read=read,
    tried=900,
    preload=("etl.extract.text_dump",),
)
