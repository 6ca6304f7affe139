"""Make a sample PDF of a task-completion report that looks like the bureau's own Word-made PDF.

The bureau delivered the 2024 Q3 report only as a tab-separated text dump of its PDF table
(data/samples/2024Q3_市工信局_政府工作报告任务完成情况.txt). To develop and test the PDF extractor
(src/etl/extract/pdf.py) on the real content, this dev tool re-typesets that dump the way the bureau's
Word document is laid out, then lets LibreOffice print it to PDF:

- landscape A4, a centred title paragraph, then one bordered nine-column table;
- a two-row header (序号 … 完成情况 over 已完成/未完成 … 落实情况) marked as repeating header rows, so every
  page starts with it, as in the bureau's PDF;
- two body rows per task (进度安排, 施工图) with the task columns (序号, 目标任务, 责任分工, 监督方式) merged
  vertically over them;
- each numbered item of a plan or progress text as its own paragraph;
- rows may break across pages, so the long 施工图 rows split over a page break: the case the extractor
  must join back.

The result is a re-typesetting of the real content, not the bureau's original PDF; the document properties
(and so the PDF's metadata) say so. Neither the ETL nor the tests run this script; the tests read the PDF it
wrote and that is committed in data/samples/typeset/ (a folder after the text dump in path order: `etl ingest` of
data/samples loads the dump as delivered first, and reports this re-typeset copy as unchanged).

Usage (needs LibreOffice's ``soffice`` on PATH)::

    PYTHONPATH=src:. .venv/bin/python scripts/make_sample_pdfs.py \\
        data/samples/2024Q3_市工信局_政府工作报告任务完成情况.txt \\
        data/samples/typeset/2024Q3_市工信局_政府工作报告任务完成情况.pdf
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length, Mm, Pt
from docx.table import Table, _Cell, _Row

# Run as a file (make samples), this folder is first on the path: the mark sets live with the tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.extract.text_dump import read_text_dump
from etl.models import RawRow
from etl.normalize.text import clean_cell
from etl.parse.report import parse_report
from tests.fidelity import MARK_SETS, apply_mark_set

DEFAULT_FONT = "Noto Serif CJK SC"
DEFAULT_FONT_SIZE = 10.5
# Column widths in mm for a landscape A4 page with 18 mm side margins (261 mm of text width). 已完成/未完成
# are wide enough for a four-character status word (正在推进) on one line at 10.5 pt.
COLUMN_WIDTHS_MM: tuple[float, ...] = (10, 36, 33, 19, 15, 52, 20, 20, 56)
# The text columns (目标任务, 责任分工, 第三季度, 落实情况) take up a narrower or wider page; the short columns keep
# their width, because LibreOffice mis-draws a repeated header whose merged cells wrap to one character a line.
FLEXIBLE_COLUMNS: tuple[int, ...] = (1, 2, 5, 8)
HEADER_TOP: tuple[str, ...] = (
    "序号",
    "目标任务",
    "责任分工",
    "监督方式",
    "季度类别",
    "",
    "完成情况",
    "",
    "落实情况",
)
# Another table (for the "not this report's table" fixture): other column names, same shape.
OTHER_HEADER_TOP: tuple[str, ...] = ("序号", "项目名称", "牵头单位", "联系电话", "类别", "", "进展", "", "备注")
OTHER_HEADER_BOTTOM: tuple[str, str] = ("正常", "滞后")
# Fixed document dates, so that re-running the script gives the same .docx properties.
DOC_DATE = dt.datetime(2024, 10, 15, 9, 0, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class BodyRow:
    """What one table body row shows: its plan-kind label, plan text, status cells and progress text."""

    plan_kind: str
    plan_lines: tuple[str, ...]
    done: str
    not_done: str
    progress_lines: tuple[str, ...]


@dataclass(frozen=True)
class Task:
    """One task as typeset: the merged task cells and its rows (进度安排, 施工图)."""

    number: str
    title: str
    responsible: str
    supervision: str
    rows: tuple[BodyRow, ...]


@dataclass(frozen=True)
class Layout:
    """Page orientation and type: what later work varies to make other layouts of the same report."""

    orientation: str
    font: str
    font_size: float
    marks: str = "source"
    repeat_header: bool = True
    other_table: bool = False


def load_tasks(dump: Path, marks: str = "source") -> tuple[str, str, list[Task]]:
    """(title, quarter header, tasks) from a text dump, via the ETL's own reader and parser.

    ``marks`` names a mark set of tests.fidelity (✔ instead of ✓, words, words in 未完成): the status
    cells are drawn that way, and the fidelity tests expect the text dump with the same substitution.

    The texts are the parser's canonical ones (numbered items one per line), so the PDF made from them
    must parse to the same TaskRows. The responsible-units cell is rebuilt from the raw cell, because the
    parsed row only keeps the split unit names.
    """
    raw = apply_mark_set(read_text_dump(dump), marks)
    report = parse_report(raw)
    raw_by_line: dict[int, RawRow] = {row.line: row for row in raw.rows}
    tasks: list[Task] = []
    for task_row in report.rows:
        raw_row = raw_by_line[task_row.source_line]
        body = BodyRow(
            plan_kind=task_row.plan_type_label or "",
            plan_lines=tuple((task_row.plan_text or "").split("\n")),
            done=raw_row.cell("done").strip(),
            not_done=raw_row.cell("not_done").strip(),
            progress_lines=tuple((task_row.progress_text or "").split("\n")),
        )
        if tasks and tasks[-1].number == str(task_row.task_no):
            last = tasks[-1]
            tasks[-1] = Task(last.number, last.title, last.responsible, last.supervision, (*last.rows, body))
            continue
        tasks.append(
            Task(
                number=str(task_row.task_no),
                title=task_row.task_title,
                responsible=clean_cell(raw_row.cell("responsible")).replace("\n", ""),
                supervision=task_row.phone or "",
                rows=(body,),
            )
        )
    return raw.title, raw.period_header, tasks


def set_run_font(run_properties: BaseOxmlElement, font: str) -> None:
    """Use one font for Latin and East Asian text: python-docx's font.name only sets the Latin slots.

    The East Asian language is left as python-docx's template has it: with zh-CN, LibreOffice breaks lines
    inside numbers (1/5%, 131/6.79), which Word does not do.
    """
    fonts = run_properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_properties.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), font)


def setup_document(layout: Layout, title: str, source_name: str) -> DocxDocument:
    """A blank document with the page, margins, body font and core properties of the report."""
    doc = Document()
    section = doc.sections[0]
    long_side, short_side = Mm(297), Mm(210)
    if layout.orientation == "landscape":
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = long_side, short_side
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = short_side, long_side
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin = section.bottom_margin = Mm(20)
    section.footer_distance = Mm(10)

    normal = doc.styles["Normal"]
    normal.font.name = layout.font
    normal.font.size = Pt(layout.font_size)
    set_run_font(normal.element.get_or_add_rPr(), layout.font)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    props = doc.core_properties
    props.title = title
    props.subject = "Sample generated from the real text dump (re-typeset; not the bureau's original PDF)"
    props.author = "gov-report-etl scripts/make_sample_pdfs.py"
    props.keywords = "generated sample"
    props.comments = (
        f"Generated from the real text dump {source_name} by scripts/make_sample_pdfs.py: "
        "a re-typesetting of the real content, not the bureau's original PDF."
    )
    props.created = props.modified = DOC_DATE.replace(tzinfo=None)
    props.last_modified_by = props.author
    props.revision = 1
    return doc


def add_page_number_footer(doc: DocxDocument) -> None:
    """A centred 第 N 页 footer, as the bureau's Word documents have; it is text outside the table."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("第 ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" 页")


def add_title(doc: DocxDocument, title: str, layout: Layout) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(10)
    run = paragraph.add_run(title)
    run.bold = True
    run.font.size = Pt(layout.font_size + 5.5)


def write_cell(cell: _Cell, lines: tuple[str, ...], *, center: bool = False, bold: bool = False) -> None:
    """Fill a cell with one paragraph per line (the first paragraph already exists in a new cell)."""
    paragraphs = [cell.paragraphs[0]]
    for _ in lines[1:]:
        paragraphs.append(cell.add_paragraph())
    for paragraph, line in zip(paragraphs, lines, strict=True):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
        if line:
            run = paragraph.add_run(line)
            run.bold = bold


def mark_header_row(row: _Row) -> None:
    """Mark a row as a repeating header row (w:tblHeader), so Word and LibreOffice repeat it on each page."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def column_widths(doc: DocxDocument) -> list[Length]:
    """The column widths fitted to the section's text width (landscape A4 keeps COLUMN_WIDTHS_MM as is)."""
    section = doc.sections[0]
    page, left, right = section.page_width, section.left_margin, section.right_margin
    assert page is not None and left is not None and right is not None, "setup_document sets the page"
    text_width_mm = (page - left - right) / Mm(1)
    fixed = sum(w for i, w in enumerate(COLUMN_WIDTHS_MM) if i not in FLEXIBLE_COLUMNS)
    scale = (text_width_mm - fixed) / (sum(COLUMN_WIDTHS_MM) - fixed)
    widths = [w * scale if i in FLEXIBLE_COLUMNS else w for i, w in enumerate(COLUMN_WIDTHS_MM)]
    return [Mm(round(width, 1)) for width in widths]


def add_table(doc: DocxDocument, quarter_header: str, tasks: list[Task], layout: Layout) -> None:
    """The bordered report table: two repeating header rows, then two rows per task with merged task cells.

    With ``layout.repeat_header`` off the header is on page 1 only, so rows continue at the top of the next
    page with nothing above them; ``layout.other_table`` writes other column names (a table that is not ours).
    """
    body_rows = sum(len(task.rows) for task in tasks)
    table = doc.add_table(rows=2 + body_rows, cols=len(COLUMN_WIDTHS_MM))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = column_widths(doc)
    for index, width in enumerate(widths):
        table.columns[index].width = width
        for cell in table.columns[index].cells:
            cell.width = width

    _fill_header(table, quarter_header, layout)
    row_index = 2
    for task in tasks:
        _fill_task(table, row_index, task)
        row_index += len(task.rows)


def _fill_header(table: Table, quarter_header: str, layout: Layout) -> None:
    top, bottom = table.rows[0], table.rows[1]
    labels = list(OTHER_HEADER_TOP if layout.other_table else HEADER_TOP)
    labels[5] = "计划" if layout.other_table else quarter_header
    for column, label in enumerate(labels):
        if column == 7:
            continue
        write_cell(top.cells[column], (label,), center=True, bold=True)
    done_label, not_done_label = OTHER_HEADER_BOTTOM if layout.other_table else ("已完成", "未完成")
    write_cell(bottom.cells[6], (done_label,), center=True, bold=True)
    write_cell(bottom.cells[7], (not_done_label,), center=True, bold=True)
    top.cells[6].merge(top.cells[7])
    for column in (0, 1, 2, 3, 4, 5, 8):
        top.cells[column].merge(bottom.cells[column])
    for row in (top, bottom):
        if layout.repeat_header:
            mark_header_row(row)
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _fill_task(table: Table, first: int, task: Task) -> None:
    """One task's rows: merged task cells on the left, then per row its kind, plan, status and progress."""
    rows = [table.rows[first + offset] for offset in range(len(task.rows))]
    write_cell(rows[0].cells[0], (task.number,), center=True)
    write_cell(rows[0].cells[1], (task.title,))
    write_cell(rows[0].cells[2], (task.responsible,))
    write_cell(rows[0].cells[3], (task.supervision,), center=True)
    for row, body in zip(rows, task.rows, strict=True):
        write_cell(row.cells[4], (body.plan_kind,), center=True)
        write_cell(row.cells[5], body.plan_lines)
        write_cell(row.cells[6], (body.done,), center=True)
        write_cell(row.cells[7], (body.not_done,), center=True)
        write_cell(row.cells[8], body.progress_lines)
    if len(rows) > 1:
        for column in range(4):
            rows[0].cells[column].merge(rows[-1].cells[column])


def build_docx(dump: Path, docx_path: Path, layout: Layout) -> None:
    title, quarter_header, tasks = load_tasks(dump, layout.marks)
    doc = setup_document(layout, title, dump.name)
    add_page_number_footer(doc)
    add_title(doc, title, layout)
    add_table(doc, quarter_header, tasks, layout)
    doc.save(str(docx_path))


def convert_to_pdf(docx_path: Path, out_dir: Path) -> Path:
    """Print the .docx to PDF with LibreOffice, using a private profile so parallel runs do not clash."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed; it is needed to turn the .docx into a PDF")
    profile = out_dir / "lo-profile"
    command = [
        soffice,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out_dir),
        str(docx_path),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    pdf = out_dir / f"{docx_path.stem}.pdf"
    if not pdf.exists():
        raise SystemExit(f"LibreOffice did not write {pdf}")
    return pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dump", type=Path, help="the report's tab-separated text dump")
    parser.add_argument("output", type=Path, help="the PDF to write")
    parser.add_argument("--orientation", choices=("landscape", "portrait"), default="landscape")
    parser.add_argument("--font", default=DEFAULT_FONT, help="a CJK font with a Unicode map (Noto CJK)")
    parser.add_argument("--font-size", type=float, default=DEFAULT_FONT_SIZE, help="body size in points")
    parser.add_argument("--marks", choices=sorted(MARK_SETS), default="source", help="how status marks are drawn")
    parser.add_argument("--no-repeat-header", action="store_true", help="header rows on page 1 only")
    parser.add_argument("--other-table", action="store_true", help="other column names: not this report's table")
    parser.add_argument("--keep-docx", action="store_true", help="also write the .docx next to the PDF")
    args = parser.parse_args(argv)

    layout = Layout(
        orientation=args.orientation,
        font=args.font,
        font_size=args.font_size,
        marks=args.marks,
        repeat_header=not args.no_repeat_header,
        other_table=args.other_table,
    )
    with tempfile.TemporaryDirectory(prefix="make_sample_pdfs_") as tmp:
        work = Path(tmp)
        docx_path = work / f"{args.output.stem}.docx"
        build_docx(args.dump, docx_path, layout)
        pdf = convert_to_pdf(docx_path, work)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, args.output)
        if args.keep_docx:
            shutil.copyfile(docx_path, args.output.with_suffix(".docx"))
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
