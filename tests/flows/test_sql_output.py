"""`etl sql --format markdown`: a report's text rendered as Markdown shows as that text, never as markup."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest

from etl.flows.sql_output import to_markdown

# Values that Markdown (CommonMark, GFM, Python-Markdown) would read as markup if written as they are.
MARKUP = [
    "<b>x</b>",
    "*a*",
    "**s**",
    "_b_",
    "__u__",
    "[t](http://x)",
    "![i](j)",
    "<http://x>",
    "# h",
    "> q",
    "- item",
    "1. one",
    "`code`",
    "a|b",
    "back\\slash\\",
    "\\*not emphasis\\*",
    "&amp; &copy; &#42;",
    "~~s~~ ~t~",
    "first line\nsecond line",
    "x_*y*_z",
]
# Values with nothing to escape: written as they are, so the Markdown stays readable as text.
PLAIN = ["in_progress", "任务_一", "2024-01-01", "12.5%", "1.经常性深入企业。（市经信局）"]


class _Cells(HTMLParser):
    """The text of every table cell of rendered HTML, a <br> as a line break, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in {"td", "th"}:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _markdown_it() -> Callable[[str], str]:
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render  # type: ignore[no-any-return]


def _python_markdown() -> Callable[[str], str]:
    markdown = pytest.importorskip("markdown")
    return lambda text: markdown.markdown(text, extensions=["tables"])  # type: ignore[no-any-return]


@pytest.fixture(
    params=[_markdown_it, _python_markdown], ids=["markdown-it (CommonMark + GFM tables)", "Python-Markdown"]
)
def render(request: pytest.FixtureRequest) -> Callable[[str], str]:
    return request.param()  # type: ignore[no-any-return]


def rendered_cells(render: Callable[[str], str], columns: list[str], rows: list[tuple[Any, ...]]) -> list[list[str]]:
    parser = _Cells()
    parser.feed(render(to_markdown(columns, rows)))
    return parser.rows


def test_every_value_renders_as_its_own_text(render: Callable[[str], str]) -> None:
    columns = ["value", "*column*_name"]
    rows = [(value, None) for value in MARKUP + PLAIN]
    assert rendered_cells(render, columns, rows) == [columns, *[[value, "NULL"] for value in MARKUP + PLAIN]]


def test_a_list_renders_joined_and_literal(render: Callable[[str], str]) -> None:
    assert rendered_cells(render, ["units"], [(["<i>a</i>", "b|c"],)]) == [["units"], ["<i>a</i>, b|c"]]


def test_plain_text_is_written_as_it_is() -> None:
    table = to_markdown(["task_no", "status"], [(value, "in_progress") for value in PLAIN])
    assert table.splitlines()[0] == "| task_no | status |"
    assert table.splitlines()[2:] == [f"| {value} | in_progress |" for value in PLAIN]


def test_a_line_break_is_a_br_and_markup_is_escaped() -> None:
    assert to_markdown(["v"], [("1. <b>a</b>\n2. *b*",)]).splitlines()[2] == "| 1. &lt;b&gt;a&lt;/b&gt;<br>2. \\*b\\* |"
