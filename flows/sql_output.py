"""How `etl sql` prints a result: a table for people, CSV, JSON or Markdown for programs and documents.

Nothing is cut: a table on a terminal folds long values onto more lines (Rich would otherwise shorten a column to
"in_p…"), and when the output is not a terminal (a pipe, a file, a CI log) the table is as wide as its longest row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from rich.cells import cell_len
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

# How `etl sql` prints (not the input formats: etl.extract.formats).
OutputFormat = Literal["table", "csv", "json", "markdown"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = ("table", "csv", "json", "markdown")


def value_text(value: Any) -> str:
    """A value as text: lists joined with ", ", NULL empty (the table shows NULL itself)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value)
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return value


def to_csv(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([value_text(v) for v in row] for row in rows)
    return buffer.getvalue()


def to_json(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    records = [{c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


# What Markdown would read as markup in a table cell, written so it shows as itself. A cell is inline text (block
# syntax, # headings, > quotes, lists, needs a line of its own, which a cell never is), so only the inline syntax
# is escaped: backslash escapes, which CommonMark and Python-Markdown both honour, for \\ ` * [ ] and the cell's |;
# < > & as HTML entities (no tag, autolink or entity of the data is read); ~ (GFM's strikethrough) as an entity,
# since Python-Markdown would print a backslash before it. Dates, numbers and Chinese text stay as they are.
_MARKDOWN_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "`": "\\`",
        "*": "\\*",
        "[": "\\[",
        "]": "\\]",
        "|": "\\|",
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
        "~": "&#126;",
    }
)
# _ between two letters or digits never opens or closes emphasis (in CommonMark or Python-Markdown), so column
# names and words like in_progress stay readable; any other _ is escaped.
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")


def _md_cell(value: Any) -> str:
    """A value as the text of a Markdown table cell that renders as the value. A table row is one line, so a line
    break in the value is <br>: the cell keeps its lines (a progress cell's numbered items) when rendered, and is
    the only HTML the output holds, since the data's own < is escaped."""
    text = "NULL" if value is None else value_text(value)
    escaped = _EMPHASIS_UNDERSCORE.sub(r"\\_", text.translate(_MARKDOWN_ESCAPES))
    return "<br>".join(escaped.splitlines())


def to_markdown(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    lines = ["| " + " | ".join(_md_cell(c) for c in columns) + " |", "|" + "|".join(" --- " for _ in columns) + "|"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def print_table(console: Console, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """A Rich table whose values are never shortened: folded on a terminal, full width elsewhere."""
    table = Table(*[Column(header=Text(c), overflow="fold") for c in columns])
    for row in rows:
        table.add_row(*(Text("NULL", style="dim") if v is None else Text(value_text(v)) for v in row))
    if console.is_terminal:
        console.print(table)
        return
    texts = [list(columns), *[["NULL" if v is None else value_text(v) for v in row] for row in rows]]
    widths = [max(cell_len(line) for row in texts for line in row[i].split("\n")) for i in range(len(columns))]
    width = max(console.width, sum(widths) + 3 * len(columns) + 1)
    Console(file=console.file, width=width, color_system=None, soft_wrap=False).print(table)


def print_result(console: Console, columns: list[str], rows: list[tuple[Any, ...]], fmt: OutputFormat) -> None:
    if fmt == "table":
        print_table(console, columns, rows)
        return
    text = {"csv": to_csv, "json": to_json, "markdown": to_markdown}[fmt](columns, rows)
    console.file.write(text)
    console.file.flush()
