"""md_text: report content and file names as text in Markdown (the bulletin's .md, the flows' run artifacts)."""

from __future__ import annotations

from markdown_it import MarkdownIt

from etl.markdown_text import md_text

HOSTILE = "附件[链接](https://example.org/x) **粗** `code` <b>b</b> | 单元格 # 标题 1. 项"


def rendered(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def test_markup_in_the_text_is_shown_as_text() -> None:
    html = rendered(md_text(HOSTILE))
    assert "<a " not in html and "<strong>" not in html and "<code>" not in html and "<b>" not in html
    assert "&lt;b&gt;b&lt;/b&gt;" in html and "[链接](https://example.org/x)" in html


def test_a_table_cell_stays_one_cell() -> None:
    table = f"| a | b |\n| --- | --- |\n| {md_text('x | y')} | {md_text('z')} |\n"
    assert rendered(table).count("<td>") == 2


def test_every_line_break_is_a_space() -> None:
    """A Windows (\\r\\n) or old Mac (\\r) line break would end a table row or a heading as surely as \\n."""
    assert md_text("一\r\n二\r三\n四") == "一 二 三 四"
    assert "\r" not in md_text("a\rb") and "\n" not in md_text("a\nb")
