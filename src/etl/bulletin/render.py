"""The bulletin's blocks as a Word document (python-docx), Markdown or an HTML page.

Everything from report content is text: python-docx writes runs of text (XML-escaped); the HTML escapes every string;
the Markdown backslash-escapes every ASCII punctuation character, so no tag, link, emphasis or table cell can start
in a task's title. The Word page follows the layout of official documents (GB/T 9704: A4, margins 37/35/28/26 mm,
a 黑体-like face for headings, a 宋体-like one for the text), with the CJK faces Debian's fonts-noto-cjk provides.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from etl.bulletin.compose import Block, Heading, Paragraph, Table
from etl.markdown_text import md_text

SERIF = "Noto Serif CJK SC"  # 宋体-like: the text
SANS = "Noto Sans CJK SC"  # 黑体-like: title, headings, tables
# The files a bulletin is written as, by suffix (not the input formats: etl.extract.formats).
BULLETIN_SUFFIXES = (".docx", ".md", ".html")


def bulletin_suffix(out: Path) -> str:
    """The suffix of ``out`` (lower case) if a bulletin can be written as it; ValueError naming the file if not."""
    suffix = out.suffix.lower()
    if suffix not in BULLETIN_SUFFIXES:
        raise ValueError(
            f"{out.name}: a bulletin is written as {', '.join(BULLETIN_SUFFIXES)}, not {out.suffix or 'no suffix'}"
        )
    return suffix


def write(blocks: list[Block], out: Path) -> Path:
    """Write the bulletin to ``out`` in the format its suffix names (.docx, .md, .html); written whole, then renamed."""
    suffix = bulletin_suffix(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    if suffix == ".docx":
        to_docx(blocks).save(str(partial))
    else:
        partial.write_text(to_markdown(blocks) if suffix == ".md" else to_html(blocks), encoding="utf-8")
    partial.replace(out)
    return out


# Word ------------------------------------------------------------------------------------------------------------


def _font(element: Any, name: str) -> None:
    """Set a run's or a style's fonts, the East Asian one included (python-docx sets only the Latin one)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _run(paragraph: Any, text: str, *, size: float, bold: bool = False, font: str = SERIF,
         color: RGBColor | None = None) -> None:  # fmt: skip
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _font(run._element, font)


def to_docx(blocks: list[Block]) -> Any:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.size = Pt(12)
    _font(normal.element, SERIF)
    for block in blocks:
        if isinstance(block, Table):
            _docx_table(document, block)
        elif isinstance(block, Heading):
            _docx_heading(document, block)
        else:
            _docx_paragraph(document, block)
    return document


def _docx_heading(document: Any, block: Heading) -> None:
    paragraph = document.add_paragraph()
    if block.level == 0:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(18)
        _run(paragraph, block.text, size=18, bold=True, font=SANS)
    else:
        paragraph.paragraph_format.space_before = Pt(10)
        paragraph.paragraph_format.keep_with_next = True
        _run(paragraph, block.text, size=14, bold=True, font=SANS)


def _docx_paragraph(document: Any, block: Paragraph) -> None:
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing = 1.4
    if block.style == "warning":
        _run(paragraph, block.text, size=12, bold=True, color=RGBColor(0xC6, 0x28, 0x28))
    elif block.style == "note":
        _run(paragraph, block.text, size=9, color=RGBColor(0x55, 0x55, 0x55))
    else:
        fmt.first_line_indent = Pt(24)  # two characters, as official text is indented
        _run(paragraph, block.text, size=12)


def _docx_table(document: Any, block: Table) -> None:
    caption = document.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(8)
    _run(caption, block.caption, size=11, bold=True, font=SANS)
    table = document.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = block.widths or [1.0] * len(block.headers)
    usable = 156  # mm between the margins
    for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
        _run(cell.paragraphs[0], text, size=9, bold=True, font=SANS)
    _repeat_header(table.rows[0])
    for row in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _run(cell.paragraphs[0], text, size=9, font=SANS)
    table.autofit = False
    for index, column in enumerate(table.columns):  # the grid (LibreOffice reads it) and every cell (Word does)
        width = Mm(usable * widths[index] / sum(widths))
        column.width = width
        for cell in column.cells:
            cell.width = width


def _repeat_header(row: Any) -> None:
    """The header row is printed again at the top of every page the table runs over."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


# Markdown and HTML ----------------------------------------------------------------------------------------------


def to_markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            lines += [f"{'#' * (block.level + 1)} {md_text(block.text)}", ""]
        elif isinstance(block, Paragraph):
            text = md_text(block.text)
            lines += [f"**{text}**" if block.style == "warning" else text, ""]
        else:
            lines += [f"**{md_text(block.caption)}**", ""]
            lines.append("| " + " | ".join(md_text(h) for h in block.headers) + " |")
            lines.append("|" + "|".join(" --- " for _ in block.headers) + "|")
            lines += ["| " + " | ".join(md_text(cell) for cell in row) + " |" for row in block.rows]
            lines.append("")
    return "\n".join(lines)


STYLE = """
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif; max-width: 960px; margin: 2rem auto;
       padding: 0 1.5rem; line-height: 1.7; color: #1f2328; }
h1 { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; text-align: center; font-size: 1.6rem; }
h2 { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; font-size: 1.2rem; margin-top: 1.6rem; }
p.body { text-indent: 2em; } p.warning { color: #c62828; font-weight: bold; } p.note { color: #555; font-size: .85rem; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin: .4rem 0 1.2rem; }
caption { font-weight: bold; margin-bottom: .3rem; }
th, td { border: 1px solid #888; padding: .25rem .4rem; vertical-align: top; text-align: left; }
th { background: #f0f0f0; white-space: nowrap; }
""".strip()


def to_html(blocks: list[Block]) -> str:
    def h(text: str) -> str:
        return html.escape(text, quote=True)

    body: list[str] = []
    title = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 0), "督查通报")
    for block in blocks:
        if isinstance(block, Heading):
            level = 1 if block.level == 0 else 2
            body.append(f"<h{level}>{h(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            body.append(f'<p class="{h(block.style)}">{h(block.text)}</p>')
        else:
            head = "".join(f"<th>{h(c)}</th>" for c in block.headers)
            rows = "".join("<tr>" + "".join(f"<td>{h(c)}</td>" for c in row) + "</tr>" for row in block.rows)
            body.append(f"<table><caption>{h(block.caption)}</caption><thead><tr>{head}</tr></thead>"
                        f"<tbody>{rows}</tbody></table>")  # fmt: skip
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{h(title)}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
