"""Read the tab-separated text dump of a report's PDF table, page by page, as the bureau delivered it.

Layout (see data/samples/README.md): the title on its own line; each page starts with a header of one or two
tab-separated lines (a header cell may continue on the second line: 季度 / 类别); body rows have as many cells
as the header; blank lines separate pages. Which column is which comes from the header, through the templates
(etl.extract.template): the column order is free and extra columns are kept.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from etl.errors import Problem, ReportError
from etl.extract.template import ColumnMap, TemplateMismatch, TemplateSet, load_templates
from etl.models import RawReport, RawRow

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")
# How many lines after a header's first line may continue it.
MAX_HEADER_CONTINUATIONS = 2


def decode_text(data: bytes, file_name: str) -> str:
    """Decode a dump as UTF-8 (with or without BOM) or GB18030/GBK, the encodings Chinese offices use."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportError.single(file_name, "text is neither UTF-8 nor GB18030/GBK; re-save it as UTF-8")


def read_text_dump(path: Path, templates: TemplateSet | None = None) -> RawReport:
    """Read a text dump into a RawReport; raise ReportError naming the line of anything malformed."""
    data = path.read_bytes()
    return parse_text_dump(data, path.name, templates)


def parse_text_dump(data: bytes, file_name: str, templates: TemplateSet | None = None) -> RawReport:
    if not data.strip():
        raise ReportError.single(file_name, "the file is empty")
    templates = templates if templates is not None else load_templates()
    text = decode_text(data, file_name)
    lines = text.splitlines()

    title: str | None = None
    column_map: ColumnMap | None = None
    page = 0
    rows: list[RawRow] = []
    problems: list[Problem] = []
    i = 0
    while i < len(lines):
        line_no = i + 1
        cells = lines[i].split("\t")
        if not lines[i].strip():
            i += 1
            continue
        if templates.looks_like_header(cells):
            page += 1
            header_lines = [cells]
            while len(header_lines) <= MAX_HEADER_CONTINUATIONS and i + 1 < len(lines):
                following = lines[i + 1].split("\t")
                if not templates.continues_header(header_lines[-1], following):
                    break
                header_lines.append(following)
                i += 1
            try:
                page_map = templates.match(header_lines)
            except TemplateMismatch as exc:
                raise ReportError.single(file_name, str(exc), page=page, line=line_no) from exc
            if column_map is None:
                column_map = page_map
            elif page_map.fields != column_map.fields:
                raise ReportError.single(
                    file_name,
                    f"this page's header [{', '.join(page_map.headers)}] maps its columns differently from page 1's "
                    f"[{', '.join(column_map.headers)}]",
                    page=page,
                    line=line_no,
                )
            i += 1
            continue
        if page == 0:
            if title is None:
                title = lines[i].strip()
            i += 1
            continue
        assert column_map is not None  # a page starts with its header
        if len(cells) != column_map.width:
            problems.append(
                Problem(
                    f"expected {column_map.width} tab-separated cells, found {len(cells)}", page=page, line=line_no
                )
            )
        else:
            rows.append(
                RawRow(
                    pages=(page,), line=line_no, cells=column_map.canonical(cells), extra=column_map.extras(cells)
                )
            )
        i += 1

    if column_map is None:
        raise ReportError.single(file_name, "no table header (序号 … 落实情况) found: not a report table")
    if title is None:
        raise ReportError.single(file_name, "no title line before the table", page=1)
    if problems:
        raise ReportError(file_name, problems)
    return RawReport(
        source_file=file_name,
        source_sha256=hashlib.sha256(data).hexdigest(),
        source_format="text",
        byte_size=len(data),
        page_count=page,
        title=title,
        quarter_header=column_map.quarter_header,
        header_quarter=column_map.quarter,
        template=column_map.template.name,
        columns=column_map.mappings(),
        extra_headers=column_map.extra_headers,
        rows=tuple(rows),
    )
