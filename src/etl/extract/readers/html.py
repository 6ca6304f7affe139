"""Web pages saved from a government site: named .html/.htm, or starting with markup."""

from __future__ import annotations

from pathlib import Path

from etl.extract.formats import Format, looks_like_html
from etl.extract.template import TemplateSet
from etl.models import RawReport


def read(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.html import read_html

    return read_html(path, templates)


FORMAT = Format(
    name="html",
    describes="web page saved from a government site",
    suffixes=(".html", ".htm"),
    matches=lambda probe: looks_like_html(probe.head, probe.path.suffix),
    read=read,
    tried=800,
    preload=("lxml.html", "etl.extract.html"),
)
