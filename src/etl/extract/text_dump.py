"""Read the tab-separated text dump of a report's PDF table, page by page, as the bureau delivered it.

Layout (see data/samples/README.md): the title on its own line; each page starts with a two-line header of
nine tab-separated columns; body rows are nine cells; blank lines separate pages.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from etl.errors import Problem, ReportError
from etl.extract.header import header_mismatch, is_header_start, merge_header_lines
from etl.models import COLUMN_NAMES, RawReport, RawRow

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")


def decode_text(data: bytes, file_name: str) -> str:
    """Decode a dump as UTF-8 (with or without BOM) or GB18030/GBK, the encodings Chinese offices use."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportError.single(file_name, "text is neither UTF-8 nor GB18030/GBK; re-save it as UTF-8")


def read_text_dump(path: Path) -> RawReport:
    """Read a text dump into a RawReport; raise ReportError naming the line of anything malformed."""
    data = path.read_bytes()
    return parse_text_dump(data, path.name)


def parse_text_dump(data: bytes, file_name: str) -> RawReport:
    if not data.strip():
        raise ReportError.single(file_name, "the file is empty")
    text = decode_text(data, file_name)
    lines = text.splitlines()
    width = len(COLUMN_NAMES)

    title: str | None = None
    quarter_header = ""
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
        if is_header_start(cells[0]):
            page += 1
            header_lines = [cells]
            # The header's second line carries 已完成/未完成 (and on page 1 the 类别 half of 季度类别).
            if i + 1 < len(lines) and lines[i + 1].split("\t")[0].strip() == "" and "完成" in lines[i + 1]:
                header_lines.append(lines[i + 1].split("\t"))
                i += 1
            merged = merge_header_lines(header_lines)
            mismatch = header_mismatch(merged)
            if mismatch:
                raise ReportError.single(file_name, mismatch, page=page, line=line_no)
            quarter_header = quarter_header or merged[5]
            i += 1
            continue
        if page == 0:
            if title is None:
                title = lines[i].strip()
            i += 1
            continue
        if len(cells) != width:
            problems.append(
                Problem(f"expected {width} tab-separated cells, found {len(cells)}", page=page, line=line_no)
            )
        else:
            rows.append(RawRow(pages=(page,), line=line_no, cells=tuple(cells)))
        i += 1

    if page == 0:
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
        quarter_header=quarter_header,
        rows=tuple(rows),
    )
