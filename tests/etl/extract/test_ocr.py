"""OCR of scans (etl.extract.ocr): the image steps, one and two real scanned pages, and a page without a grid.

The scans are tests/fixtures/scans/ (scripts/make_scans.py: the sample PDF rendered at 150 dpi, skewed, blurred,
noisy, JPEG quality 50–60, a red seal over text). OCR is slow (seconds per page), so these tests read three pages
in all; the whole 12-page scan is measured by benchmarks/fidelity.py and benchmarks/ocr.py.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from etl.errors import ReportError
from etl.extract.assemble import build_report
from etl.extract.grid import PageTable
from etl.extract.ocr import full_stops_read_as_zero, header_marks_dropped, one_edit_apart, repeated_headers
from etl.extract.ocr_engine import (
    OcrLine,
    close_misread_brackets,
    pair_brackets,
    pair_quotes,
    punctuation_width,
)
from etl.extract.ocr_image import deskew, ink_mask, ruling_lines, skew_angle
from etl.extract.ocr_layout import drop_edge_slivers, region_lines
from etl.extract.ocr_marks import DECIDED_MARK
from etl.extract.pdf_fast import read_fast
from etl.extract.rulings import cells_from_rulings
from etl.extract.source import read_source
from etl.extract.template import merge_header_lines
from etl.extract.template_file import load_templates
from etl.extract.text_dump import read_text_dump
from etl.load.warehouse import connect
from etl.models import COLUMN_NAMES, RawReport
from etl.normalize.units import split_responsible
from etl.parse.report import parse_report
from etl.validate.frames import cells_frame, low_confidence_cells
from tests.conftest import PROJECT_ROOT, REAL_TEXT_DUMP, SYNTHETIC, read_source_guarded
from tests.fidelity import apply_mark_set, canonical_cells
from tests.ocr_fidelity import score_scan

SCANS = PROJECT_ROOT / "tests" / "fixtures" / "scans"
SCAN_PDF = SCANS / "sample_scan.pdf"
SCAN_PAGE_1 = SCANS / "sample_scan_p1.jpg"
COVER_LETTER = SCANS / "cover_letter_no_grid.png"
SAMPLE_PDF = PROJECT_ROOT / "data" / "samples" / "typeset" / "2024Q3_市工信局_政府工作报告任务完成情况.pdf"
DONE, NOT_DONE = COLUMN_NAMES.index("done"), COLUMN_NAMES.index("not_done")


def ruled_page(angle: float) -> np.ndarray:
    """A white page at 100 dpi with a 3 × 4 ruled table and some text-like blobs, rotated by ``angle``."""
    image = Image.new("L", (1169, 827), 255)
    draw = ImageDraw.Draw(image)
    xs, ys = [100, 400, 700, 1000], [150, 300, 450, 600, 750]
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=2)
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=2)
    for y in ys[:-1]:
        draw.rectangle([(120, y + 20), (160, y + 34)], fill=0)  # a short blob: text, not a line
    return np.asarray(image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255))


def test_a_skewed_ruled_page_is_deskewed_and_its_grid_found() -> None:
    page = ruled_page(1.2)
    angle = skew_angle(ink_mask(page))
    assert angle == pytest.approx(1.2, abs=0.05)
    straight = deskew(page, angle)
    assert skew_angle(ink_mask(straight)) == pytest.approx(0.0, abs=0.05)
    boxes = cells_from_rulings(ruling_lines(ink_mask(straight), dpi=100))
    assert len(boxes) == 12  # 3 columns × 4 rows; the blobs made no lines


def test_punctuation_width_follows_the_space_it_takes() -> None:
    # 专项监察，规范 with CJK characters 10 pt apart: a comma taking a whole em (two advances between its
    # neighbours) is full-width, one taking 0.4 em is half-width, whatever the recogniser wrote.
    full = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    half = [0.0, 10.0, 20.0, 30.0, 36.0, 44.0, 54.0]
    assert punctuation_width("专项监察，规范", full) == "专项监察，规范"
    assert punctuation_width("专项监察，规范", half) == "专项监察,规范"
    assert punctuation_width("专项监察,规范", full) == "专项监察，规范"
    assert punctuation_width("专项监察，规范", None) == "专项监察，规范"  # positions unknown: as recognised


def test_a_bracket_pair_of_mixed_kinds_is_made_lenticular_and_matching_pairs_are_kept() -> None:
    assert pair_brackets("市发展改革委【中小办]") == "市发展改革委【中小办】"  # read so at 150 dpi
    assert pair_brackets("[中小办】") == "【中小办】"
    assert pair_brackets("【中小办】与[附件]") == "【中小办】与[附件]"
    assert pair_brackets("见]附件【") == "见]附件【"  # no pair: as recognised
    assert pair_brackets("市科技局【局招\n商组]") == "市科技局【局招\n商组】"  # a cell's lines (read at 200 dpi)


def test_a_closing_bracket_misread_as_a_thin_glyph_is_restored() -> None:
    # As read in the scan matrix (WenQuanYi, pdftoppm 200 dpi colour and gs 300 dpi 1-bit): the unit parser
    # refused both cells (cannot tell where the unit name ends).
    assert close_misread_brackets("相关县(市、区)政府【重点办1") == "相关县(市、区)政府【重点办】"
    assert close_misread_brackets("安庆高新区管委会【运行办1") == "安庆高新区管委会【运行办】"
    # The cell as read at 200 dpi: the bracket wrapped alone onto the cell's last line.
    cell = "市经济和信息化局相关\n县(市、区)政府【重点办\n1"
    assert close_misread_brackets(cell) == "市经济和信息化局相关\n县(市、区)政府【重点办\n】"
    assert split_responsible(close_misread_brackets("安庆高新区管委会【运行办1")) == (("安庆高新区管委会",), "运行办")
    # Other thin glyphs, a cell's lines, a list separator or a space after the bracket's words.
    assert close_misread_brackets("市经济和信息化局【信推办！") == "市经济和信息化局【信推办】"  # gs 300 dpi at 200
    assert close_misread_brackets("市科技局【局招\n商组l") == "市科技局【局招\n商组】"
    assert close_misread_brackets("市财政局【中小办|、市税务局") == "市财政局【中小办】、市税务局"
    assert close_misread_brackets("市发改委（牵头I 市财政局") == "市发改委（牵头） 市财政局"
    assert close_misread_brackets("市发改委(牵头1") == "市发改委(牵头)"


def test_a_real_digit_or_glyph_near_a_bracket_is_left_as_read() -> None:
    unchanged = [
        "【2024年1】",  # a closed pair: the 1 is printed
        "【2024年1",  # a number in the bracket: the 1 may be its digit
        "【重点办】1",  # closed before the glyph
        "（1",  # the glyph is the bracket's only content
        "（含1个区",  # the glyph does not end the bracket's words
        "第(3)1项",  # a closed pair
        "市财政局【中小办",  # no glyph: a bracket the recogniser lost is not invented
        "PM2.5 (Level I",  # the glyph follows a space, not a Chinese character
        "市发改委1、市财政局",  # no bracket at all
    ]
    assert {text: close_misread_brackets(text) for text in unchanged} == {text: text for text in unchanged}


def test_double_quotes_in_chinese_text_are_made_pairs() -> None:
    # As read from the WenQuanYi layout (pdftoppm 200 dpi colour, gs 300 dpi 1-bit), the report printing “…”.
    assert pair_quotes('新增国家级专精特新"小巨人"企业5家') == "新增国家级专精特新“小巨人”企业5家"
    assert pair_quotes("开展“专精特新“企业培育") == "开展“专精特新”企业培育"
    assert pair_quotes('实施"一企一策"\n"一链一策"') == "实施“一企一策”\n“一链一策”"  # over a cell's lines
    assert pair_quotes("新增“小巨人”企业") == "新增“小巨人”企业"  # read right: unchanged


def test_quotes_that_do_not_pair_or_quote_latin_text_are_left_as_read() -> None:
    unchanged = [
        '专精特新"小巨人企业',  # one quote lost: which is which is not known
        '新增"小巨人"企业、"专精特新',  # three
        'the "PM2.5" index',  # not Chinese
        '指数"PM2.5"',  # the closing quote is between Latin characters
        "无引号的文字",
    ]
    assert {text: pair_quotes(text) for text in unchanged} == {text: text for text in unchanged}


def _cell_with_text(top_sliver: int, text_top: int) -> np.ndarray:
    """A 40 × 120 px cell region as the line finder gets it: a 24 px line of "text" (blocks with gaps) from
    ``text_top``, and a ruling line's broken edge (pieces, one row each) in its first ``top_sliver`` rows."""
    cell = np.zeros((40, 120), dtype=bool)
    for x in range(6, 110, 14):
        cell[text_top : text_top + 24, x : x + 10] = True
    for row in range(top_sliver):
        for x in range(10, 110, 20):
            cell[row, x : x + 12] = True
    return cell


def test_a_ruling_lines_edge_cut_by_the_cells_inset_is_not_read_as_text() -> None:
    # Seen in the scan matrix: the edge of the line under 完成情况 read as ，/→， before 已完成 and 一一 in an empty
    # 未完成 cell, refusing the file.
    cell = _cell_with_text(top_sliver=1, text_top=8)
    kept = drop_edge_slivers(cell, 2)
    assert not kept[:2].any() and (kept[8:] == cell[8:]).all()
    crops = region_lines(cell, (0, 0, 120, 40), line=24.0, min_run=40, split=False)
    assert [crop.box[1] for crop in crops] == [8]  # one line, the text's: no crop for the sliver


def test_text_and_thin_strokes_away_from_the_edge_are_kept() -> None:
    away = _cell_with_text(top_sliver=0, text_top=8)
    away[3, 20:40] = True  # a thin stroke (the top of 三) with paper between it and the cell's edge
    assert (drop_edge_slivers(away, 2) == away).all()
    touching = _cell_with_text(top_sliver=0, text_top=0)  # text up to the edge: taller than a sliver
    assert (drop_edge_slivers(touching, 2) == touching).all()
    thick = _cell_with_text(top_sliver=3, text_top=8)  # three rows at the edge: more than the 2 px allowed
    assert (drop_edge_slivers(thick, 2) == thick).all()


def _expected() -> RawReport:
    return apply_mark_set(read_text_dump(REAL_TEXT_DUMP), "scan")


def test_a_scanned_jpeg_page_reads_like_the_text_dump() -> None:
    """Page 1 of the real report as a JPEG scan (skewed 0.86°, seal over the title and over text)."""
    raw = read_source(SCAN_PAGE_1)
    assert raw.source_format == "scan"
    assert raw.title.replace(" ", "") == "市工信局2024年政府工作报告任务三季度完成情况"
    assert raw.period_header == "第三季度"
    assert [row.pages for row in raw.rows] == [(1,)] * 4
    expected, got = canonical_cells(_expected().rows[:4]), canonical_cells(list(raw.rows))
    # Status marks by the ink in their cells: every status exact.
    assert [(row[DONE], row[NOT_DONE]) for row in got] == [(row[DONE], row[NOT_DONE]) for row in expected]
    assert {row[DONE] for row in got} == {DECIDED_MARK}
    # Rows 1-3 are whole on page 1 (row 4 continues on page 2).
    score = score_scan(_expected(), raw, rows=[0, 1, 2])
    assert score.character_accuracy >= 0.99, score.differences
    assert all(row.confidence is not None for row in raw.rows)
    assert any("decided by their ink" in note for note in raw.notes)


def _first_pages(count: int, target: Path, extra_image: Path | None = None) -> Path:
    """The first ``count`` pages of the sample scan as a PDF, optionally followed by an image as a page."""
    source = pdfium.PdfDocument(SCAN_PDF)
    out = pdfium.PdfDocument.new()
    out.import_pages(source, list(range(count)))
    if extra_image is not None:
        buffer = io.BytesIO()
        Image.open(extra_image).convert("RGB").save(buffer, format="JPEG", quality=60)
        buffer.seek(0)
        page = out.new_page(595, 842)
        image = pdfium.PdfImage.new(out)
        image.load_jpeg(buffer, inline=True)
        image.set_matrix(pdfium.PdfMatrix().scale(595, 842))
        page.insert_obj(image)
        page.gen_content()
    out.save(target)
    return target


def test_a_scanned_pdf_is_read_by_ocr_in_the_guarded_child_and_rows_split_by_the_page_break_are_joined(
    tmp_path: Path,
) -> None:
    path = _first_pages(2, tmp_path / "scan_p1-2.pdf")
    raw = read_source_guarded(path)
    report = parse_report(raw)
    assert raw.source_format == "scan" and raw.page_count == 2
    expected = parse_report(_expected())
    # Task 4's roadmap row starts on page 1 and ends on page 2: one row, both pages, as in the PDF path.
    assert [row.pages for row in raw.rows][3] == (1, 2)
    whole = [row for row in report.rows if row.task_no in (1, 4)]
    assert [(r.task_no, r.plan_type, r.status) for r in whole] == [
        (r.task_no, r.plan_type, r.status) for r in expected.rows if r.task_no in (1, 4)
    ]
    # Low-confidence cells, if any, are named by page, row and column (what the gate and `etl check` show).
    frame = cells_frame(report)
    assert len(frame) > 30 and set(frame["page"]) <= {"1", "2", "1-2"}
    assert all(line.startswith("page ") for line in low_confidence_cells(report, 1.01))


def test_a_scan_page_without_a_grid_is_an_error_naming_the_page(tmp_path: Path) -> None:
    path = _first_pages(1, tmp_path / "with_cover.pdf", extra_image=COVER_LETTER)
    with pytest.raises(ReportError, match=r"with_cover\.pdf: page 2: no table grid found in the scanned page"):
        read_source(path)
    with pytest.raises(ReportError, match=r"cover_letter_no_grid\.png: page 1: no table grid found"):
        read_source(COVER_LETTER)


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_harness")
def test_a_scan_without_a_grid_is_refused_the_rest_of_the_batch_loads_and_the_warehouse_keeps_its_data(
    tmp_path: Path,
) -> None:
    from etl.flows.ingest import ingest_report, ingest_reports, summary_of

    warehouse = tmp_path / "w.duckdb"
    ingest_report(str(REAL_TEXT_DUMP), str(warehouse))
    with connect(warehouse, read_only=True) as conn:
        before = conn.execute("select * from raw.extracted_cell order by all").fetchall()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _first_pages(1, inbox / "scan_with_cover.pdf", extra_image=COVER_LETTER)
    other = next(p for p in SYNTHETIC if "2024Q2" in p.name)
    shutil.copy(other, inbox / other.name)
    state = ingest_reports([str(inbox)], str(warehouse), return_state=True)
    assert state.is_failed()  # a run with a rejected file ends Failed (issue 13), after loading the good one
    summary = summary_of(state)
    outcomes = {f.file: f.outcome for f in summary.files}
    assert outcomes == {"scan_with_cover.pdf": "failed", other.name: "loaded"}
    message = next(f.message for f in summary.failed)
    assert "scan_with_cover.pdf: page 2: no table grid found" in (message or "")
    with connect(warehouse, read_only=True) as conn:
        assert conn.execute("select count(*) from core.report").fetchone() == (2,)
        assert conn.execute("select count(*) from raw.source_file where file_name like 'scan%'").fetchone() == (0,)
        kept = conn.execute(
            "select * from raw.extracted_cell where source_sha256 in "
            "(select source_sha256 from raw.source_file where file_name = ?) order by all",
            [REAL_TEXT_DUMP.name],
        ).fetchall()
        assert kept == before


def test_a_scan_too_coarse_to_read_is_an_error_naming_its_pages_and_resolution() -> None:
    with pytest.raises(ReportError, match=r"hostile_scan\.pdf: page 1: the scanned page image is only 60 dpi"):
        read_source(PROJECT_ROOT / "tests" / "fixtures" / "pdf_layouts" / "hostile_scan.pdf")


def _real_tables() -> tuple[bytes, list[PageTable]]:
    """The born-digital sample report's page tables (every page repeats the two-line header of page 1)."""
    data = SAMPLE_PDF.read_bytes()
    return data, list(read_fast(data, SAMPLE_PDF.name, load_templates()).tables)


def _header_with(table: PageTable, old: str, new: str) -> PageTable:
    lines = tuple(tuple(new if cell == old else cell for cell in line) for line in table.header_lines)
    assert lines != table.header_lines
    return replace(table, header_lines=lines, header=tuple(merge_header_lines(lines)))


@pytest.mark.parametrize(
    ("old", "misread"),
    [("目标任务", "日标任务"), ("未完成", "，未完成"), ("落实情况", "落实情")],  # replaced, added, dropped
)
def test_a_repeated_header_misread_by_one_character_is_read_as_the_first_pages(old: str, misread: str) -> None:
    """Two of the scan matrix's combinations were refused on a later page for one header character (日标任务 at 200
    dpi grey, a speck read as ， before 未完成): the page repeats page 1's header, and is read as that, with a note."""
    data, tables = _real_tables()
    tables[2] = _header_with(tables[2], old, misread)
    with pytest.raises(ReportError, match=r"page 3: "):  # as the shared table reading takes it
        build_report(data, SAMPLE_PDF.name, 12, tables, [], load_templates())
    notes: list[str] = []
    fixed = repeated_headers(tables, notes)
    assert fixed[2].header_lines == tables[0].header_lines and fixed[2].rows == tables[2].rows
    assert fixed[:2] == tables[:2] and fixed[3:] == tables[3:]
    assert len(notes) == 1 and notes[0].startswith("page 3: its repeated header, read by OCR as [")
    assert misread in notes[0]
    report = build_report(data, SAMPLE_PDF.name, 12, fixed, [], load_templates())
    printed = build_report(data, SAMPLE_PDF.name, 12, _real_tables()[1], [], load_templates())
    assert report.rows == printed.rows


def test_a_repeated_header_further_from_the_first_pages_is_left_to_be_refused() -> None:
    """Two characters wrong in one cell, or most cells differing, is not a misread of page 1's header: the page keeps
    what was read and the file is refused naming the page."""
    data, tables = _real_tables()
    for changed in (
        _header_with(tables[1], "目标任务", "日标仕务"),
        _header_with(_header_with(_header_with(_header_with(_header_with(
            tables[1], "目标任务", "目标任"), "责任分工", "责任分"), "监督方式", "监督方"), "第三季度", "第三季"),
            "落实情况", "落实情"),
    ):  # fmt: skip
        notes: list[str] = []
        kept = repeated_headers([tables[0], changed, *tables[2:]], notes)
        assert kept[1] is changed and notes == []
        with pytest.raises(ReportError, match=r"page 2: "):
            build_report(data, SAMPLE_PDF.name, 12, kept, [], load_templates())


def test_one_edit_apart() -> None:
    assert one_edit_apart("目标任务", "日标任务") and one_edit_apart("未完成", "，未完成")
    assert one_edit_apart("已完成", "已完成") and one_edit_apart("", "，")
    assert not one_edit_apart("目标任务", "日标仕务") and not one_edit_apart("未完成", "，，未完成")


def test_the_fidelity_score_counts_only_the_columns_the_report_prints() -> None:
    """The real report prints seven text columns; the fields it has no column for (status, people, annual target)
    are empty on both sides and are not cells: counted, they added three sure matches a row (a scan with 25 of 238
    printed cells wrong showed 92.6 % exact instead of 89.5 %)."""
    expected = _expected()
    printed = {i for i, name in enumerate(COLUMN_NAMES) if any(row.cells[i].strip() for row in expected.rows)}
    assert len(printed - {DONE, NOT_DONE}) == 7
    changed = list(expected.rows)
    cells = list(changed[0].cells)
    cells[COLUMN_NAMES.index("progress")] += "误"
    changed[0] = changed[0].model_copy(update={"cells": tuple(cells)})
    score = score_scan(expected, expected.model_copy(update={"rows": tuple(changed)}))
    assert score.text_cells == 7 * len(expected.rows)
    assert score.cells_exact == score.text_cells - 1


@pytest.mark.parametrize("misread", ["，已完成", "已完成→", "+，已完成·"])
def test_a_header_cell_with_a_stray_mark_is_read_without_it(misread: str) -> None:
    """wqy_gs_300_bw_skew was refused on page 1 for 完成情况，已完成: a ruling line's sliver read as ，. No header word
    holds punctuation or a symbol, so the marks are dropped (a note names the cell) and the page reads as printed."""
    data, tables = _real_tables()
    tables[0] = _header_with(tables[0], "已完成", misread)
    with pytest.raises(ReportError, match=r"page 1: the table is not a task-completion report table"):
        build_report(data, SAMPLE_PDF.name, 12, tables, [], load_templates())
    notes: list[str] = []
    fixed = header_marks_dropped(tables[0], load_templates(), notes)
    assert fixed.header_lines == _real_tables()[1][0].header_lines and fixed.rows == tables[0].rows
    assert notes == [f"page 1: header cell(s) read by OCR as [{misread}]: punctuation and symbols that no header "
                     "word holds dropped"]  # fmt: skip
    report = build_report(data, SAMPLE_PDF.name, 12, [fixed, *tables[1:]], [], load_templates())
    assert report.rows == build_report(data, SAMPLE_PDF.name, 12, _real_tables()[1], [], load_templates()).rows


def test_a_wrong_header_word_is_still_refused_after_stray_marks_are_dropped() -> None:
    """Only marks are dropped: 已办结 (a word no template names) beside a ， is refused as before, with the same
    message naming the page and the column as read without the mark; a header left as printed is not touched."""
    data, tables = _real_tables()
    notes: list[str] = []
    assert header_marks_dropped(tables[0], load_templates(), notes) is tables[0] and notes == []
    wrong = header_marks_dropped(_header_with(tables[0], "已完成", "，已办结"), load_templates(), notes)
    plain = _header_with(tables[0], "已完成", "已办结")
    assert wrong.header_lines == plain.header_lines
    messages = []
    for table in (wrong, plain):
        with pytest.raises(ReportError) as caught:
            build_report(data, SAMPLE_PDF.name, 12, [table, *tables[1:]], [], load_templates())
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "page 1: the table is not a task-completion report table: found columns [" in messages[0]
    assert "完成情况已办结" in messages[0]


def test_a_punctuation_span_within_the_recognisers_resolution_keeps_the_form_it_read() -> None:
    """Positions come in the recogniser's output columns (here 10/3 pt for a 10 pt advance): a comma whose neighbours
    are 5 columns apart (1.67 advances, against the 1.7 limit) is not measured either way, and stays as read; one
    4 columns (1.33) or 7 columns (2.33) apart is measured, whatever the recogniser wrote."""
    column = 10.0 / 3
    at = [0.0, 10.0, 20.0, 30.0]

    def spaced(columns: int) -> list[float]:
        gap = columns * column
        return [*at, at[-1] + gap / 2, at[-1] + gap, at[-1] + gap + 10.0]

    assert punctuation_width("专项监察，规范", spaced(5), column) == "专项监察，规范"
    assert punctuation_width("专项监察,规范", spaced(5), column) == "专项监察,规范"
    assert punctuation_width("专项监察，规范", spaced(5)) == "专项监察,规范"  # resolution unknown: measured
    assert punctuation_width("专项监察，规范", spaced(4), column) == "专项监察,规范"
    assert punctuation_width("专项监察,规范", spaced(7), column) == "专项监察，规范"


def test_a_full_stop_wrapped_alone_and_read_as_zero_is_restored_and_a_figure_is_not() -> None:
    """A cell (0-100 pt wide) whose sentence's 。 wrapped alone onto its last line, read as 0 with confidence 0.47
    (serif_pdftoppm_200_grey_skew): restored. Left as read: a 0 read with confidence, a 0 after a digit, a 0 that is
    not the cell's last line, a 0 alone in its cell, a longer reading."""
    cell, other = (0.0, 0.0, 100.0, 60.0), (100.0, 0.0, 200.0, 60.0)

    def line(text: str, top: float, score: float = 0.97, x: float = 2.0) -> OcrLine:
        return OcrLine(text, (x, top, x + 10.0 * len(text), top + 10.0), score)

    def read(*lines: OcrLine) -> list[str]:
        return [ln.text for ln in full_stops_read_as_zero(list(lines), [cell, other])]

    assert read(line("加快推进项目建设", 2.0), line("0", 14.0, 0.47)) == ["加快推进项目建设", "。"]
    assert read(line("加快推进项目建设", 2.0), line("0", 14.0, 0.97)) == ["加快推进项目建设", "0"]
    assert read(line("新增企业数量1", 2.0), line("0", 14.0, 0.47)) == ["新增企业数量1", "0"]
    assert read(line("加快推进项目建设", 2.0), line("0", 14.0, 0.47), line("家企业", 26.0)) == [
        "加快推进项目建设", "0", "家企业"]  # fmt: skip
    assert read(line("0", 14.0, 0.47), line("加快推进项目建设", 2.0, x=102.0)) == ["0", "加快推进项目建设"]
    assert read(line("加快推进项目建设", 2.0), line("0个", 14.0, 0.47)) == ["加快推进项目建设", "0个"]
