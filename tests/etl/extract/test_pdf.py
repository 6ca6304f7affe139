"""The PDF extractor against the committed sample PDF, which re-typesets the real text dump.

The sample (data/samples/*.pdf, made by scripts/make_sample_pdfs.py) is a Word-style table with repeated
header rows, merged task cells and rows that break across pages; reading it must give exactly the rows the
text dump gives. No LibreOffice is needed here: the PDF is committed, and the broken inputs are built in the
test (by hand or with pypdfium2).
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from etl.errors import ReportError
from etl.extract.assemble import join_pages
from etl.extract.grid import Char, PageRow, PageTable, drop_duplicates
from etl.extract.pdf import parse_pdf, read_pdf
from etl.extract.text_dump import read_text_dump
from etl.models import COLUMN_NAMES, RawReport, Report, TaskRow
from etl.parse.report import parse_report

SAMPLES = Path(__file__).resolve().parents[3] / "data" / "samples"
SAMPLE_PDF = SAMPLES / "typeset" / "2024Q3_市工信局_政府工作报告任务完成情况.pdf"
SAMPLE_TXT = SAMPLES / "2024Q3_市工信局_政府工作报告任务完成情况.txt"
# Lineage fields differ by format (a PDF row's page and row number, a dump's page and line).
LINEAGE_FIELDS = {"source_pages", "source_line"}


@pytest.fixture(scope="module")
def pdf_raw() -> RawReport:
    return read_pdf(SAMPLE_PDF)


@pytest.fixture(scope="module")
def pdf_report(pdf_raw: RawReport) -> Report:
    return parse_report(pdf_raw)


@pytest.fixture(scope="module")
def text_report() -> Report:
    return parse_report(read_text_dump(SAMPLE_TXT))


def first_difference(expected: list[TaskRow], actual: list[TaskRow]) -> str | None:
    """The first row and field where two parses differ, lineage aside, described for a failure message."""
    if len(expected) != len(actual):
        return f"{len(expected)} rows from the text dump, {len(actual)} from the PDF"
    for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
        for name in TaskRow.model_fields:
            if name in LINEAGE_FIELDS:
                continue
            if getattr(want, name) != getattr(got, name):
                return (
                    f"row {index} (task {want.task_no} {want.plan_type_label}, PDF pages {got.source_pages}), "
                    f"field {name}:\n  text dump: {getattr(want, name)!r}\n  pdf:       {getattr(got, name)!r}"
                )
    return None


def test_pdf_gives_the_same_task_rows_as_the_text_dump(text_report: Report, pdf_report: Report) -> None:
    difference = first_difference(list(text_report.rows), list(pdf_report.rows))
    assert difference is None, difference


def test_report_size_and_meta(pdf_report: Report) -> None:
    assert pdf_report.task_count == 17
    assert len(pdf_report.rows) == 34
    assert len(pdf_report.raw.rows) == 34
    assert (pdf_report.meta.issuer, pdf_report.meta.year, pdf_report.meta.quarter) == ("市工信局", 2024, 3)
    assert pdf_report.meta.title == "市工信局 2024 年政府工作报告任务 三季度完成情况"


def test_raw_report_lineage(pdf_raw: RawReport) -> None:
    import hashlib

    data = SAMPLE_PDF.read_bytes()
    assert pdf_raw.source_format == "pdf"
    assert pdf_raw.source_file == SAMPLE_PDF.name
    assert pdf_raw.source_sha256 == hashlib.sha256(data).hexdigest()
    assert pdf_raw.byte_size == len(data)
    assert pdf_raw.page_count == len(pdfium.PdfDocument(data))
    assert pdf_raw.period_header == "第三季度"
    assert [row.line for row in pdf_raw.rows] == list(range(1, 35))
    assert all(len(row.cells) == len(COLUMN_NAMES) for row in pdf_raw.rows)


def test_a_row_breaks_across_two_pages_and_is_joined(pdf_raw: RawReport) -> None:
    spanning = [row for row in pdf_raw.rows if len(row.pages) == 2]
    assert spanning, "the sample PDF must have a row that a page break splits"
    for row in spanning:
        assert row.pages[1] == row.pages[0] + 1
    # Pages are in order and every row's pages follow the previous row's.
    firsts = [row.pages[0] for row in pdf_raw.rows]
    assert firsts == sorted(firsts)


def test_repeated_headers_are_skipped(pdf_raw: RawReport) -> None:
    for row in pdf_raw.rows:
        assert "序号" not in row.cells[0]
        assert "落实情况" not in row.cell("progress")
        assert row.cell("plan_kind").replace("\n", "") in {"进度安排", "施工图"}


def test_second_row_of_a_task_has_empty_task_columns(pdf_raw: RawReport) -> None:
    task_columns = ("task_no", "task_title", "responsible", "supervision")
    for first, second in zip(pdf_raw.rows[0::2], pdf_raw.rows[1::2], strict=True):
        assert all(first.cell(name) for name in task_columns)
        assert not any(second.cell(name) for name in task_columns)


def test_not_a_pdf_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_text("序号\t目标任务\n1\t任务\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"report\.pdf: .*not a PDF"):
        read_pdf(path)


def test_empty_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(ReportError, match=r"empty\.pdf: .*empty"):
        read_pdf(path)


def test_broken_pdf_is_rejected_with_a_report_error() -> None:
    with pytest.raises(ReportError, match=r"broken\.pdf: "):
        parse_pdf(b"%PDF-1.7\n" + b"garbage " * 100, "broken.pdf")


def test_truncated_pdf_is_rejected_with_a_report_error() -> None:
    data = SAMPLE_PDF.read_bytes()
    with pytest.raises(ReportError, match=r"cut\.pdf: "):
        parse_pdf(data[: len(data) // 3], "cut.pdf")


def test_blank_pdf_needs_ocr(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    doc = pdfium.PdfDocument.new()
    doc.new_page(842, 595)
    doc.save(path)
    with pytest.raises(ReportError, match=r"blank\.pdf: page 1: .*OCR"):
        read_pdf(path)


def test_scanned_pdf_needs_ocr(tmp_path: Path) -> None:
    """A 'scan': page 1 of the sample rendered to an image and put on an otherwise empty page."""
    source = pdfium.PdfDocument(SAMPLE_PDF)
    width, height = source[0].get_size()
    picture = source[0].render(scale=1).to_pil()
    scan = pdfium.PdfDocument.new()
    page = scan.new_page(width, height)
    image = pdfium.PdfImage.new(scan)
    image.set_bitmap(pdfium.PdfBitmap.from_pil(picture))
    image.set_matrix(pdfium.PdfMatrix().scale(width, height))
    page.insert_obj(image)
    page.gen_content()
    path = tmp_path / "scan.pdf"
    scan.save(path)
    with pytest.raises(ReportError, match=r"scan\.pdf: page 1: .*OCR"):
        read_pdf(path)


def test_text_drawn_twice_is_read_once() -> None:
    """Some writers make bold text by drawing it twice, slightly offset: the copy is not text."""

    def char(text: str, x0: float, top: float) -> Char:
        return Char(text, x0, x0 + 10.5, top, top + 10.5, 10.5)

    chars = [char("序", 50, 100), char("序", 50.3, 100.2), char("号", 60.5, 100), char("号", 60.8, 100.2)]
    kept, copies = drop_duplicates(chars)
    assert [ch.text for ch in kept] == ["序", "号"]
    assert copies == 2
    assert drop_duplicates(kept) == (kept, 0)


# --- Hand-made PDFs: a table that is not this report, and text with no table -----------------------------


def tiny_pdf(content: str, width: int = 842, height: int = 595) -> bytes:
    """A one-page PDF with the given content stream and Helvetica as /F1 (no LibreOffice needed)."""
    stream = content.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode(),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def text_at(x: float, y: float, text: str) -> str:
    return f"BT /F1 9 Tf {x} {y} Td ({text}) Tj ET\n"


def grid_table(header: list[str], body: list[str], left: float = 40, top: float = 500) -> str:
    """A fully ruled table of one header row and one body row, nine 80-pt columns, 20-pt rows."""
    columns, row_height, width = len(header), 20, 80
    parts = ["0.5 w\n"]
    for i in range(3):
        y = top - i * row_height
        parts.append(f"{left} {y} m {left + columns * width} {y} l S\n")
    for j in range(columns + 1):
        x = left + j * width
        parts.append(f"{x} {top} m {x} {top - 2 * row_height} l S\n")
    for row, texts in enumerate((header, body)):
        for j, text in enumerate(texts):
            parts.append(text_at(left + j * width + 3, top - (row + 1) * row_height + 6, text))
    return "".join(parts)


def test_a_table_that_is_not_the_report_is_rejected_naming_its_columns() -> None:
    header = ["No", "Item", "Owner", "Phone", "Kind", "Plan", "Done", "Open", "Notes"]
    content = text_at(300, 540, "Quarterly list") + grid_table(header, ["1", "a", "b", "c", "d", "e", "f", "", "g"])
    with pytest.raises(ReportError) as caught:
        parse_pdf(tiny_pdf(content), "other.pdf")
    message = str(caught.value)
    assert message.startswith("other.pdf: page 1: ")
    assert "found columns [No, Item, Owner, Phone, Kind, Plan, Done, Open, Notes]" in message
    assert "expected [序号, 目标任务" in message


def test_text_without_a_table_is_rejected() -> None:
    content = text_at(100, 500, "Minutes of the meeting") + text_at(100, 480, "Nothing tabular here.")
    with pytest.raises(ReportError, match=r"memo\.pdf: page 1: no table"):
        parse_pdf(tiny_pdf(content), "memo.pdf")


# --- Page joining, for layouts the sample does not happen to contain ---------------------------------------


def page_row(*cells: str, starts: tuple[bool, ...] | None = None) -> PageRow:
    """A mapped page row (one cell per field): the bureau's nine given, the other fields' empty."""
    pad = len(COLUMN_NAMES) - len(cells)
    flags = starts or tuple(True for _ in cells)
    return PageRow(cells=(*cells, *[""] * pad), starts=(*flags, *[False] * pad))


HEADER = ("序号", "目标任务", "责任分工", "监督方式", "季度类别", "第三季度", "完成情况已完成", "未完成", "落实情况")
COVERED = (False, False, False, False, True, True, True, True, True)


def test_a_row_label_cut_by_a_page_break_is_joined() -> None:
    """进度安 at the foot of page 1 and 排 under page 2's header are one 进度安排 row."""
    page1 = PageTable(
        page=1,
        header=HEADER,
        rows=(
            page_row("1", "任务甲", "市经济和信息化局【中小办】", "5515812", "进度安", "计划第一行", "✓", "", "进展"),
        ),
        text_above="标题",
    )
    page2 = PageTable(
        page=2,
        header=HEADER,
        rows=(
            page_row("", "", "", "", "排", "计划第二行", "", "", "进展续"),
            page_row("", "", "", "", "施工图", "步骤", "✓", "", "落实", starts=COVERED),
        ),
        text_above="",
    )
    rows = join_pages([page1, page2])
    assert [row.pages for row in rows] == [(1, 2), (2,)]
    assert rows[0].cell("plan_kind") == "进度安\n排"
    assert rows[0].cell("period_plan") == "计划第一行\n计划第二行"
    assert rows[0].cell("progress") == "进展\n进展续"
    assert rows[1].cell("task_no") == ""


def test_a_centred_task_number_on_the_next_page_joins_its_task() -> None:
    """A merged task cell cut by a page break whose (vertically centred) number fell on the next page."""
    page1 = PageTable(
        page=1,
        header=HEADER,
        rows=(page_row("", "很长的任务标题", "市经济和信息化局", "", "进度安排", "计划", "✓", "", "落实"),),
        text_above="标题",
    )
    page2 = PageTable(
        page=2,
        header=HEADER,
        rows=(page_row("7", "第二行", "【中小办】", "5515812", "施工图", "步骤", "✓", "", "落实"),),
        text_above="",
    )
    rows = join_pages([page1, page2])
    assert [row.pages for row in rows] == [(1, 2), (2,)]
    assert rows[0].cells[:4] == ("7", "很长的任务标题\n第二行", "市经济和信息化局\n【中小办】", "5515812")
    assert rows[1].cells[:5] == ("", "", "", "", "施工图")


def test_a_new_task_at_the_top_of_a_page_opens_its_own_row() -> None:
    page1 = PageTable(
        page=1,
        header=HEADER,
        rows=(
            page_row("1", "任务甲", "市经济和信息化局【中小办】", "5515812", "进度安排", "计划", "✓", "", "落实"),
            page_row("", "", "", "", "施工图", "步骤", "✓", "", "落实", starts=COVERED),
        ),
        text_above="标题",
    )
    page2 = PageTable(
        page=2,
        header=HEADER,
        rows=(page_row("2", "任务乙", "市经济和信息化局【运行办】", "5512665", "进度安排", "计划", "✓", "", "落实"),),
        text_above="",
    )
    rows = join_pages([page1, page2])
    assert [row.pages for row in rows] == [(1,), (1,), (2,)]
    assert [row.cell("task_no") for row in rows] == ["1", "", "2"]


def test_a_wrapped_status_word_keeps_its_text(pdf_raw: RawReport) -> None:
    index = next(i for i, row in enumerate(pdf_raw.rows) if row.cell("done") == "正在推进")
    cells = list(pdf_raw.rows[index].cells)
    cells[COLUMN_NAMES.index("done")] = "正在推\n进"
    rows = list(pdf_raw.rows)
    rows[index] = rows[index].model_copy(update={"cells": tuple(cells)})
    report = parse_report(pdf_raw.model_copy(update={"rows": tuple(rows)}))
    assert report.rows[index].status_text == "正在推进"
