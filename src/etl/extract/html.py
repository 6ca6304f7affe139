"""Read a report's table from a web page (.html / .htm saved from a government site), into the same RawReport as a
Word document.

The page is parsed by lxml's HTML parser (libxml2): no network, no external entities, comments and processing
instructions dropped; ``<script>``, ``<style>``, ``<noscript>`` and ``<template>`` are removed before anything is
read. Then, as etl.extract.docx does for a Word table:

- every ``<table>`` of the page (a table inside a layout table's cell too) is laid on its grid from its own rows
  (``<tr>`` directly under it or under its ``<thead>`` / ``<tbody>`` / ``<tfoot>``): ``colspan`` gives the text to
  the first column, ``rowspan`` to the first row (etl.extract.cell_grid); rows of ``<thead>`` repeat like
  Word's header rows;
- the table read is the largest (most grid positions) whose header a template accepts; other accepted tables are
  named in RawReport.notes, and when none is accepted the error is the templates' (headers found, fields missing,
  the line to add) for the largest table that has a header row;
- a cell reads as its text with ``<p>``, ``<div>``, ``<li>``, ``<br>`` and other block elements as line breaks,
  whitespace inside a line collapsed as a browser does; clean_cell later treats the lines like a PDF cell's;
- a body row with fewer cells than the header (a row cut short) is refused, naming the row;
- the title is the table's own: its ``<caption>`` and rows above its header; else the text line just above the
  table (a heading or paragraph), skipping page chrome (发布日期: … 浏览次数: … 分享:, a breadcrumb trail, a
  label's value on the line after it: 来源: / 开化县); the page's ``<title>`` only when there is neither.

The encoding comes from the page: a byte-order mark, else ``<meta charset>`` or ``<meta http-equiv=Content-Type>``
(GB2312 and GBK are read as GB18030, their superset, as browsers do), else UTF-8 or GB18030 as for a text dump.

A web page has no pages before it is printed: every row is on page 1.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

from etl.errors import ReportError
from etl.extract.assemble import build_report
from etl.extract.cell_grid import Slot, header_end, header_lines, header_start, page_table, title_rows
from etl.extract.template import TemplateMismatch, TemplateSet
from etl.extract.template_file import load_templates
from etl.extract.text_dump import decode_text
from etl.models import RawReport

# Elements that start a new line, as a browser lays them out (their text is never inline with what precedes).
BLOCK_TAGS: frozenset[str] = frozenset(
    {"address", "article", "aside", "blockquote", "caption", "center", "dd", "div", "dl", "dt", "fieldset"}
    | {"figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"}
    | {"nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
)
# Elements whose content is not page text.
NOT_TEXT_TAGS: tuple[str, ...] = ("script", "style", "noscript", "template")
# HTML's own limits for spans (the HTML standard clamps colspan to 1000 and rowspan to 65534).
MAX_COLSPAN = 1000
MAX_ROWSPAN = 65534
# Grid positions one table may take: real reports take a few thousand (300 rows x 10 columns); a hostile page's
# spans could ask for billions.
MAX_GRID_SLOTS = 1_000_000
# GB2312 and GBK labels a page may declare, read as GB18030 (their superset; the WHATWG encoding standard reads
# them as GBK, which GB18030 extends); the labels Python's codecs registry knows are found through it.
GB_LABELS: frozenset[str] = frozenset({"x-gbk", "gb_2312", "gb_2312-80", "iso-ir-58", "csgb2312", "chinese"})
GB_CODECS: frozenset[str] = frozenset({"gb2312", "gbk", "gb18030"})

_WHITESPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's whitespace; a no-break space (&nbsp;) is text
# Page chrome around a title: a short label and a colon (发布日期:…, 浏览次数:, 分享:, 索引号: …, 当前位置:首页) or a
# breadcrumb trail (> 政务公开 > 组织机构 > …).
_CHROME_LABEL = re.compile(r"^[^\s:：]{1,8}\s*[:：]")
_BREADCRUMB = re.compile(r"^[>›»]|\s[>›»]\s")
_BARE_LABEL = re.compile(r"^[^\s:：]{1,8}\s*[:：]$")
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

_Grid = list[list[Slot]]


def read_html(path: Path, templates: TemplateSet | None = None) -> RawReport:
    """Read a web page's report table into a RawReport; ReportError for an unreadable page or no accepted table."""
    return parse_html(path.read_bytes(), path.name, templates)


def parse_html(data: bytes, file_name: str, templates: TemplateSet | None = None) -> RawReport:
    templates = templates if templates is not None else load_templates()
    text, notes = decode_page(data, file_name)
    root = _parse(text, file_name)
    found: list[tuple[int, Any, _Grid, int]] = []  # (number in the page, table, grid, header start)
    tables = root.xpath("//table")
    for number, table in enumerate(tables, start=1):
        grid = _grid(table, file_name, number)
        start = header_start(grid, templates) if grid else None
        if start is not None:
            found.append((number, table, grid, start))
    if not found:
        raise ReportError.single(file_name, _no_header_message(tables), page=1)
    accepted: list[tuple[int, Any, _Grid, int]] = []
    mismatch: TemplateMismatch | None = None
    for entry in sorted(found, key=lambda item: -_size(item[2])):
        number, _, grid, start = entry
        try:
            templates.match(header_lines(grid, start, header_end(grid, start, templates)))
        except TemplateMismatch as exc:
            mismatch = mismatch or exc  # the largest table's: the one most likely meant
            continue
        accepted.append(entry)
    if not accepted:
        assert mismatch is not None
        raise ReportError.single(file_name, str(mismatch), page=1) from mismatch
    number, table, grid, start = accepted[0]
    if len(accepted) > 1:
        others = ", ".join(str(entry[0]) for entry in accepted[1:])
        notes.append(
            f"the page has {len(accepted)} tables a template accepts; read the largest, table {number} of "
            f"{len(tables)} ({len(grid)} rows), not table(s) {others}"
        )
    return _report(data, file_name, root, table, grid, start, templates, notes)


def _size(grid: _Grid) -> int:
    return len(grid) * (len(grid[0]) if grid else 0)


def _no_header_message(tables: list[Any]) -> str:
    if not tables:
        return "no table found in the web page: not a report"
    return f"no table of the web page ({len(tables)} tables) has a task-completion header (序号 … 落实情况)"


# --- Encoding -----------------------------------------------------------------------------------------------------


def decode_page(data: bytes, file_name: str) -> tuple[str, list[str]]:
    """The page's text, decoded as its byte-order mark or its <meta> says, else as UTF-8 or GB18030; and notes.

    A page whose bytes are not valid in the encoding it declares is read in the other of UTF-8 / GB18030 when
    all its bytes are valid there (a note says so), else refused naming the byte and the declared encoding.
    """
    if not data.strip():
        raise ReportError.single(file_name, "the file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding, file_name, f"byte-order mark ({encoding})"), []
    label = declared_charset(data)
    if label is None:
        return decode_text(data, file_name), []
    encoding = _codec(label, file_name)
    try:
        return data.decode(encoding), []
    except UnicodeDecodeError as exc:
        for other in ("utf-8", "gb18030"):
            if other == encoding:
                continue
            try:
                text = data.decode(other)
            except UnicodeDecodeError:
                continue
            note = (
                f"the page declares charset {label!r}, but byte 0x{data[exc.start]:02X} at offset {exc.start} is not "
                f"valid {encoding}; every byte is valid {other}, so it was read as {other}"
            )
            return text, [note]
        return _decode(data, encoding, file_name, f"its <meta> charset {label!r}"), []


def _decode(data: bytes, encoding: str, file_name: str, why: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReportError.single(
            file_name,
            f"the page is read as {encoding} (by {why}), but byte 0x{data[exc.start]:02X} at byte offset "
            f"{exc.start} is not valid {encoding}; re-save the page with its real encoding declared",
            line=line,
        ) from exc


def declared_charset(data: bytes) -> str | None:
    """The charset label the page's first <meta charset> or <meta http-equiv="Content-Type"> declares, or None.

    The page is parsed as Latin-1 for this (every byte maps to one character, and markup is ASCII), so the
    declaration is found wherever the parser puts it, as the HTML parser itself would read it.
    """
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(data.decode("latin-1"), parser=_parser())
    except (etree.ParserError, ValueError):  # an empty document declares nothing either
        return None
    for meta in root.iter("meta"):
        charset = str(meta.get("charset") or "").strip()
        if charset:
            return charset
        if (meta.get("http-equiv") or "").strip().lower() == "content-type":
            message = Message()
            message["content-type"] = meta.get("content") or ""
            found = str(message.get_param("charset") or "").strip()
            if found:
                return found
    return None


def _codec(label: str, file_name: str) -> str:
    """The Python codec a declared charset label names: GB2312 / GBK as GB18030, Latin-1 and ASCII as
    windows-1252 and UTF-16 as UTF-8 (as the WHATWG encoding standard reads a <meta>)."""
    name = label.strip().lower()
    if name in GB_LABELS:
        return "gb18030"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise ReportError.single(file_name, f"the page declares charset {label!r}, which is not an encoding") from None
    if codec in GB_CODECS:
        return "gb18030"
    if codec in ("iso8859-1", "ascii"):
        return "cp1252"
    if codec.startswith("utf-16"):
        return "utf-8"
    return codec


# --- Parsing ------------------------------------------------------------------------------------------------------


def _parser() -> Any:
    import lxml.html

    return lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False)


def _parse(text: str, file_name: str) -> Any:
    """The page's element tree, without script, style and template content; ReportError when the parser gave up
    (a page nested deeper than libxml2's limit of 256 elements, say): what it kept is not the page."""
    import lxml.html
    from lxml import etree

    parser = _parser()
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ReportError.single(file_name, f"not a readable web page: {exc}") from exc
    fatal = [entry for entry in parser.error_log if entry.level_name == "FATAL"]
    if fatal:
        raise ReportError.single(
            file_name, f"the HTML parser stopped reading the page: {fatal[0].message.strip()}", line=fatal[0].line
        )
    etree.strip_elements(root, *NOT_TEXT_TAGS, with_tail=False)
    return root


# --- The grid -----------------------------------------------------------------------------------------------------


def _own_rows(table: Any) -> list[tuple[Any, bool]]:
    """The table's own rows in reading order (not those of a table nested in a cell), and whether each is in
    <thead>: a <thead> first, then the body rows, then a <tfoot>, as a browser lays them out."""
    head = [(tr, True) for tr in table.xpath("./thead/tr")]
    body = [(tr, False) for tr in table.xpath("./tr | ./tbody/tr")]
    foot = [(tr, False) for tr in table.xpath("./tfoot/tr")]
    return [*head, *body, *foot]


def _span(cell: Any, name: str, limit: int) -> int:
    """A cell's colspan / rowspan as the HTML standard reads it: a leading integer, 1 when missing or invalid,
    at most ``limit``; rowspan="0" (to the end of the table) is returned as 0."""
    match = re.match(r"\s*(\d+)", cell.get(name) or "")
    if not match:
        return 1
    value = int(match.group(1))
    if value == 0:
        return 0 if name == "rowspan" else 1
    return min(value, limit)


def _grid(table: Any, file_name: str, number: int) -> _Grid:
    """The table laid on its grid; the positions no cell covers are left empty and marked (_MISSING)."""
    rows = _own_rows(table)
    grid: list[list[Slot | None]] = [[] for _ in rows]
    placed = 0
    for r, (tr, _) in enumerate(rows):
        column = 0
        for cell in tr.xpath("./td | ./th"):
            while column < len(grid[r]) and grid[r][column] is not None:
                column += 1
            colspan = _span(cell, "colspan", MAX_COLSPAN)
            rowspan = _span(cell, "rowspan", MAX_ROWSPAN) or len(rows) - r
            rowspan = min(rowspan, len(rows) - r)
            placed += colspan * rowspan
            if placed > MAX_GRID_SLOTS:
                raise ReportError.single(
                    file_name,
                    f"table {number} of the web page spans more than {MAX_GRID_SLOTS:,} grid positions "
                    f"(row {r + 1} has a cell spanning {rowspan} rows and {colspan} columns): not a report table",
                    page=1,
                )
            text = cell_text(cell)
            for dr in range(rowspan):
                line = grid[r + dr]
                line.extend([None] * (column + colspan - len(line)))
                for dc in range(colspan):
                    first = dr == 0 and dc == 0
                    line[column + dc] = Slot(text if first else "", dc == 0, dr == 0, rows[r + dr][1])
            column += colspan
    width = max((len(line) for line in grid), default=0)
    return [[_MISSING if slot is None else slot for slot in line] + [_MISSING] * (width - len(line)) for line in grid]


# A grid position no cell covers: a row with fewer cells than the table is wide.
_MISSING = Slot("", True, True, False)


def cell_text(element: Any) -> str:
    """An element's text as a browser shows it: block elements and <br> break lines, whitespace within a line
    collapsed to one space, empty lines dropped."""
    return "\n".join(_lines(element))


def _lines(element: Any, stop: Any = None) -> Iterator[str]:
    """The text lines of an element, in document order; with ``stop``, only those before that element starts."""
    from lxml import etree

    current: list[str] = []

    def flush() -> Iterator[str]:
        line = _WHITESPACE.sub(" ", "".join(current)).strip(" \t\n\r\f")
        current.clear()
        if line:
            yield line

    for event, node in etree.iterwalk(element, events=("start", "end")):
        if node is stop:
            break
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS or tag == "br":
                yield from flush()
            if node.text and tag:
                current.append(node.text)
        else:
            if tag in BLOCK_TAGS:
                yield from flush()
            if node is not element and node.tail:
                current.append(node.tail)
    yield from flush()


# --- The report ---------------------------------------------------------------------------------------------------


def _report(
    data: bytes,
    file_name: str,
    root: Any,
    table: Any,
    grid: _Grid,
    start: int,
    templates: TemplateSet,
    notes: list[str],
) -> RawReport:
    end = header_end(grid, start, templates)
    _check_rows(grid, start, end, file_name)
    title = _title(root, table, grid, start)
    page = page_table(grid, start, end, title)
    return build_report(data, file_name, 1, [page], notes, templates, source_format="html")


def _check_rows(grid: _Grid, start: int, end: int, file_name: str) -> None:
    """Refuse a body row with text that has fewer cells than the table is wide (a row cut short): loading it
    would give its missing cells as empty."""
    width = len(grid[start])
    for number, row in enumerate(grid[end:], start=end + 1):
        missing = sum(1 for slot in row if slot is _MISSING)
        if missing and any(slot.text.strip() for slot in row):
            raise ReportError.single(
                file_name,
                f"table row {number} has {width - missing} cells where the header has {width} columns "
                f"(the row is cut short: its last cell reads {_last_text(row)!r})",
                page=1,
            )


def _last_text(row: list[Slot]) -> str:
    texts = [slot.text for slot in row if slot.text.strip()]
    last = texts[-1].replace("\n", " ") if texts else ""
    return last if len(last) <= 40 else "…" + last[-40:]


def _title(root: Any, table: Any, grid: _Grid, start: int) -> str:
    """The table's caption and rows above its header; else the line above the table that is not page chrome;
    else the page's <title>."""
    own = [cell_text(caption) for caption in table.xpath("./caption")]
    own += title_rows(grid, start)
    parts = [part.replace("\n", " ") for part in own if part.strip()]
    if parts:
        return " ".join(parts)
    body = root.find("body")
    lines = list(_lines(body if body is not None else root, stop=table))
    for index in range(len(lines) - 1, -1, -1):
        # A label standing alone (来源:) has its value on the next line (开化县): chrome too.
        if not is_chrome(lines[index]) and not (index and _BARE_LABEL.match(lines[index - 1])):
            return lines[index]
    return " ".join(_WHITESPACE.sub(" ", root.findtext(".//title") or "").split())


def is_chrome(line: str) -> bool:
    """Whether a text line is page chrome rather than a title: a short label with a colon (发布日期:…, 分享:,
    索引号: …), a breadcrumb trail (> 政务公开 > …), or no letters or digits at all ([ ], | )."""
    return bool(_CHROME_LABEL.match(line) or _BREADCRUMB.search(line)) or not any(ch.isalnum() for ch in line)
