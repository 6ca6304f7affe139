"""Read the tab-separated text dump of a report's PDF table, page by page, as the bureau delivered it.

Layout (see data/samples/README.md): the title on its own line; each page starts with a header of one or two
tab-separated lines (a header cell may continue on the second line: 季度 / 类别); body rows have as many cells
as the header; blank lines separate pages. Which column is which comes from the header, through the templates
(etl.extract.template): the column order is free and extra columns are kept.

A dump cut short (a copy or download stopped: the real dump cut at 90 % of its bytes loaded as a 15-task quarter)
ends without a line end in the middle of a row. When the file does not end with a line end, its last row is
refused if it shows the signs of a cut (:func:`cut_off_signs`): fewer cells than the header (refused like any
short row), markup opened and not closed (``<p>…`` without ``</p>``, a tag cut inside ``<…``), or the last task
having fewer rows than every other task (its 施工图 row lost). A cut that shows none of them is caught when it drops
tasks of the version it would replace (the load's check of versions).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from etl.errors import Problem, ReportError
from etl.extract.template import ColumnMap, TemplateMismatch, TemplateSet
from etl.extract.template_file import load_templates
from etl.models import RawReport, RawRow

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")
# Markup the bureau's cells hold (the quality gate's leftover-markup pattern lists what cleaning must remove).
_OPENING = re.compile(r"(?i)<(p|div|span|font|b|strong|td|tr)\b[^>]*>")
_CLOSING = re.compile(r"(?i)</(p|div|span|font|b|strong|td|tr)\s*>")
_CUT_TAG = re.compile(r"<[/A-Za-z][^<>]*$")
# How many lines after a header's first line may continue it.
MAX_HEADER_CONTINUATIONS = 2


_BOM = b"\xef\xbb\xbf"


def decode_text(data: bytes, file_name: str) -> str:
    """Decode a dump as UTF-8 (with or without BOM) or GB18030/GBK, the encodings Chinese offices use.

    When neither fits, the error names the first bad byte of the encoding that read further (a UTF-8 file with
    one stray byte is named at that byte, not at its first Chinese character): its line and byte offset.
    """
    failures: list[tuple[int, str]] = []
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            # utf-8-sig counts offsets after the BOM it skipped.
            skipped = len(_BOM) if encoding == "utf-8-sig" and data.startswith(_BOM) else 0
            failures.append((exc.start + skipped, encoding))
    offset, encoding = max(failures)
    line = data.count(b"\n", 0, offset) + 1  # 0x0A is a newline in both encodings, never part of a character
    column = offset - data.rfind(b"\n", 0, offset)
    label = "UTF-8" if encoding == "utf-8-sig" else "GB18030/GBK"
    raise ReportError.single(
        file_name,
        f"text is neither UTF-8 nor GB18030/GBK: byte 0x{data[offset]:02X} at byte offset {offset} "
        f"(byte {column} of the line) is not valid {label} "
        "there; re-save the file as UTF-8",
        line=line,
    )


def split_lines(text: str) -> list[str]:
    """The text's lines as editors count them: split at "\n" (and "\r\n") only.

    str.splitlines() also splits at U+2028, U+2029, U+0085, \v, \f and \x1c-\x1e, which editors show inside a
    line: a cell holding one of them would cut its row in two and every later line number would be off. Inside a
    cell they are kept (etl.normalize.text.clean_cell reads the line separators among them as line breaks).
    """
    lines = text.split("\n")
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def cut_off_signs(lines: Sequence[list[str]], rows: list[RawRow]) -> str | None:
    """What shows that a dump ending without a line end was cut inside its last row, or None (see the module doc).

    ``rows`` are the body rows read (canonical cells: 序号 first); ``lines`` the file's lines, split into cells."""
    if not rows:
        return None
    last = "\t".join(lines[rows[-1].line - 1])
    opened = {tag.lower() for tag in _OPENING.findall(last)}
    unclosed = sorted(tag for tag in opened if _count(last, tag, _OPENING) > _count(last, tag, _CLOSING))
    if unclosed or _CUT_TAG.search(last):
        what = f"<{unclosed[0]}> opened and not closed" if unclosed else "a tag cut off inside '<…'"
        return (
            f"the file ends without a line end inside this row, with {what}: the file looks cut off (a copy or "
            "download that stopped); send the whole file"
        )
    starts = [i for i, row in enumerate(rows) if row.cells[0].strip()]
    sizes = [b - a for a, b in zip(starts, [*starts[1:], len(rows)], strict=True)]
    if len(sizes) > 1 and sizes[-1] < min(sizes[:-1]):
        return (
            f"the file ends without a line end after {sizes[-1]} row(s) of its last task, where every other task has "
            f"{min(sizes[:-1])} or more: the file looks cut off (a copy or download that stopped); send the whole file"
        )
    return None


def _count(text: str, tag: str, pattern: re.Pattern[str]) -> int:
    return sum(1 for found in pattern.findall(text) if found.lower() == tag)


def read_text_dump(path: Path, templates: TemplateSet | None = None) -> RawReport:
    """Read a text dump into a RawReport; raise ReportError naming the line of anything malformed."""
    data = path.read_bytes()
    return parse_text_dump(data, path.name, templates)


def parse_text_dump(data: bytes, file_name: str, templates: TemplateSet | None = None) -> RawReport:
    if not data.strip():
        raise ReportError.single(file_name, "the file is empty")
    templates = templates if templates is not None else load_templates()
    lines = [line.split("\t") for line in split_lines(decode_text(data, file_name))]
    return delimited_report(data, file_name, lines, templates, "text")


def delimited_report(
    data: bytes,
    file_name: str,
    lines: Sequence[list[str]],
    templates: TemplateSet,
    format_name: str,
    *,
    separated: str = "tab-separated",
) -> RawReport:
    """The RawReport of a delimited table whose lines are already split into cells (one row a line, no row cut by a
    page break): the lines above the first header are its title, each page starts with its header; ReportError
    naming the line of anything malformed (a row of the wrong width is said to have so many ``separated`` cells).
    A delimited format is only a splitter in front of this."""
    table = _cell_table(file_name, lines, templates, separated)
    try:
        column_map = table.column_map.settled([cells for _, _, cells in table.body])
    except TemplateMismatch as exc:
        raise ReportError.single(file_name, str(exc), page=1) from exc
    rows = [
        RawRow(pages=(p,), line=n, cells=column_map.canonical(cells), extra=column_map.extras(cells))
        for p, n, cells in table.body
    ]
    if not data.endswith((b"\n", b"\r")):
        sign = cut_off_signs(lines, rows)
        if sign is not None:
            raise ReportError.single(file_name, sign, page=rows[-1].pages[0], line=rows[-1].line)
    return RawReport(
        source_file=file_name,
        source_sha256=hashlib.sha256(data).hexdigest(),
        source_format=format_name,
        byte_size=len(data),
        page_count=table.pages,
        title=" ".join(table.title_lines),
        preamble=tuple(table.title_lines),
        period_header=column_map.period_header,
        header_end_month=column_map.period.end_month if column_map.period else None,
        template=column_map.template.name,
        columns=column_map.mappings(),
        extra_headers=column_map.extra_headers,
        rows=tuple(rows),
        notes=(column_map.decision,) if column_map.decision else (),
    )


@dataclass(frozen=True)
class _CellTable:
    """A delimited table as read: the text above it, page 1's header map, the page count and the body lines."""

    title_lines: list[str]
    column_map: ColumnMap
    pages: int
    body: list[tuple[int, int, list[str]]]  # page, line, cells in source order


def _cell_table(file_name: str, lines: Sequence[list[str]], templates: TemplateSet, separated: str) -> _CellTable:
    """Read the lines into title, pages (each starting with its header) and body rows; ReportError for no header,
    a header no template accepts, or lines that do not fit their page."""
    title_lines: list[str] = []
    column_map: ColumnMap | None = None
    page = 0
    body: list[tuple[int, int, list[str]]] = []
    problems: list[Problem] = []
    i = 0
    while i < len(lines):
        line_no = i + 1
        cells = lines[i]
        if not "\t".join(cells).strip():
            i += 1
            continue
        if templates.looks_like_header(cells):
            page += 1
            header_lines = _header_lines(lines, i, templates)
            try:
                page_map = templates.match(header_lines)
            except TemplateMismatch as exc:
                raise ReportError.single(file_name, str(exc), page=page, line=line_no) from exc
            if column_map is None:
                column_map = page_map
            else:
                problems.extend(_page_header_problems(file_name, column_map, page_map, page, line_no))
            i += len(header_lines)
            continue
        if page == 0:
            # Every line before the table is text above it: page chrome, a paragraph, the title (a long title wraps
            # over two lines, a label such as 附件1 may stand above it); parsing finds the title among them.
            title_lines.append("\t".join(cells).strip())
            i += 1
            continue
        assert column_map is not None  # a page starts with its header
        if len(cells) != column_map.width:
            problems.append(
                Problem(f"expected {column_map.width} {separated} cells, found {len(cells)}", page=page, line=line_no)
            )
        else:
            body.append((page, line_no, cells))
        i += 1
    if column_map is None:
        raise ReportError.single(file_name, "no table header (序号 … 落实情况) found: not a report table")
    if problems:
        raise ReportError(file_name, problems)
    return _CellTable(title_lines, column_map, page, body)


def _header_lines(lines: Sequence[list[str]], start: int, templates: TemplateSet) -> list[list[str]]:
    """The header starting at line ``start``: its first line and the lines that continue it (季度 / 类别)."""
    header_lines = [lines[start]]
    i = start
    while len(header_lines) <= MAX_HEADER_CONTINUATIONS and i + 1 < len(lines):
        following = lines[i + 1]
        if not templates.continues_header(header_lines[-1], following):
            break
        header_lines.append(following)
        i += 1
    return header_lines


def _page_header_problems(
    file_name: str, first: ColumnMap, page_map: ColumnMap, page: int, line: int
) -> list[Problem]:
    """A later page's header must map its columns as page 1's does and name the same period."""
    if page_map.fields != first.fields:
        raise ReportError.single(
            file_name,
            f"this page's header [{', '.join(page_map.headers)}] maps its columns differently from page 1's "
            f"[{', '.join(first.headers)}]",
            page=page,
            line=line,
        )
    if page_map.period != first.period:
        return [
            Problem(
                f"the period column header {page_map.period_header!r} differs from {first.period_header!r} on "
                "page 1: the pages do not belong to one report",
                page=page,
                line=line,
                column="第N季度",
            )
        ]
    return []
