"""Read a report's table from the Word document (.docx) the bureau typed, into the same RawReport as a PDF.

python-docx gives the table's rows and cells (``w:tr`` / ``w:tc``); this module lays them on the table's grid the
way a printout shows them (etl.extract.cell_grid, shared with the HTML reader, finds the header and the body rows),
then hands the one "page" to etl.extract.assemble.build_report, which maps the header through the templates
(etl.extract.template) and assembles the rows exactly as for a PDF:

- a horizontally merged cell (``w:gridSpan``) gives its text to its first grid column;
- a vertically merged cell (``w:vMerge`` restart … continue) gives its text to its first row only, so the task
  columns are filled on a task's first row, as in the text dump;
- the header is the first row made of header words, with the rows its vertically merged cells span and the rows
  marked to repeat on every page (``w:tblHeader``); a header row typed again further down is skipped;
- a cell of several paragraphs reads as their texts joined by line breaks (a line break inside a paragraph
  too), which clean_cell later treats like a PDF cell's visual lines;
- the title is the text of the paragraphs above the table (as a PDF's title is the text above its table), or a
  row above the header spanning the table.

A Word document has no pages before it is laid out: every row is on page 1.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from etl.errors import ReportError
from etl.extract.assemble import build_report
from etl.extract.cell_grid import Slot, header_end, header_start, page_table, title_rows
from etl.extract.template import TemplateMismatch, TemplateSet
from etl.extract.template_file import load_templates
from etl.models import RawReport


def read_docx(path: Path, templates: TemplateSet | None = None) -> RawReport:
    """Read a Word report into a RawReport; ReportError for an unreadable file or a table no template accepts."""
    return parse_docx(path.read_bytes(), path.name, templates)


def parse_docx(data: bytes, file_name: str, templates: TemplateSet | None = None) -> RawReport:
    import io

    import docx
    from lxml.etree import XMLSyntaxError

    templates = templates if templates is not None else load_templates()
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError) as exc:
        raise ReportError.single(file_name, f"not a readable Word document (.docx): {exc}") from exc
    above: list[str] = []
    tables = 0
    first_table: list[list[Slot]] | None = None
    for block in document.iter_inner_content():
        if not hasattr(block, "rows"):
            text = block.text.strip()
            if text:
                above.append(text)
            continue
        tables += 1
        grid = _grid(block)
        start = header_start(grid, templates)
        if start is None:
            first_table = first_table if first_table is not None else grid
            continue
        return _report(data, file_name, grid, start, above, templates)
    if first_table is None:
        raise ReportError.single(file_name, f"no table found in the Word document ({tables} tables): not a report")
    found = [slot.text.replace("\n", "") for slot in first_table[0] if slot.first_column] if first_table else []
    try:
        templates.match([found])
    except TemplateMismatch as exc:
        raise ReportError.single(file_name, str(exc), page=1) from exc
    raise ReportError.single(file_name, "no table header found in the Word document", page=1)


def _cell_text(tc: Any) -> str:
    """A cell's paragraphs, each one line (python-docx reads a w:br inside a paragraph as a line break)."""
    return "\n".join(str(p.text) for p in tc.p_lst).strip()


def _grid(table: Any) -> list[list[Slot]]:
    """The table's rows laid on its grid: one Slot per grid column (w:gridBefore / w:gridAfter left empty)."""
    rows: list[list[Slot]] = []
    for tr in table._tbl.tr_lst:
        repeats = _repeats(tr)
        row = [Slot("", True, True, repeats) for _ in range(tr.grid_before)]
        for tc in tr.tc_lst:
            continues = tc.vMerge == "continue"
            text = "" if continues else _cell_text(tc)
            for offset in range(tc.grid_span):
                row.append(Slot(text if offset == 0 else "", offset == 0, not continues, repeats))
        rows.append(row)
    width = max((len(row) for row in rows), default=0)
    return [row + [Slot("", True, True, False)] * (width - len(row)) for row in rows]


def _repeats(tr: Any) -> bool:
    """Whether a row is marked to repeat at the top of every page (w:trPr/w:tblHeader, on unless val is off)."""
    from docx.oxml.ns import qn

    tr_pr = tr.trPr
    if tr_pr is None:
        return False
    marks = tr_pr.findall(qn("w:tblHeader"))
    return any(mark.get(qn("w:val")) in (None, "1", "true", "on") for mark in marks)


def _report(
    data: bytes, file_name: str, grid: list[list[Slot]], start: int, above: list[str], templates: TemplateSet
) -> RawReport:
    end = header_end(grid, start, templates)
    # A row above the header that spans the table is a title inside it (a title cell typed as the first row).
    title = " ".join(line.replace("\n", " ") for line in [*above, *title_rows(grid, start)] if line)
    table = page_table(grid, start, end, title)
    return build_report(data, file_name, 1, [table], [], templates, source_format="docx")
