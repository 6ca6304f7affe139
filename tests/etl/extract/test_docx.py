"""Word (.docx) reports read directly, into the same RawReport and records as the text dump and the PDFs.

Fixtures: tests/fixtures/formats/ (scripts/make_format_fixtures.py): the source .docx of every Word layout of
tests/fixtures/pdf_layouts, a SYNTHETIC changed template, and a legacy .doc saved by LibreOffice. Small
documents for single features (a header typed twice, a title row inside the table …) are built here.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest

from etl.errors import ReportError
from etl.extract.docx import read_docx
from etl.extract.source import read_source
from etl.extract.text_dump import read_text_dump
from etl.normalize.text import clean_cell
from etl.parse.report import parse_report
from tests.conftest import REAL_TEXT_DUMP
from tests.fidelity import apply_mark_set, record_differences, score_cells

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "formats"
MANIFEST: dict[str, Any] = json.loads((FORMATS / "manifest.json").read_text(encoding="utf-8"))
WORD = [entry for entry in MANIFEST["layouts"] if entry["file"].endswith(".docx")]
DUMP = read_text_dump(REAL_TEXT_DUMP)


@pytest.mark.parametrize("entry", WORD, ids=[entry["name"] for entry in WORD])
def test_every_word_layout_source_gives_the_text_dump_records_cell_for_cell(entry: dict[str, Any]) -> None:
    path = FORMATS / entry["file"]
    if entry["expect_error"]:
        with pytest.raises(ReportError, match=entry["expect_error"]):
            read_docx(path)
        return
    raw = read_source(path)  # chosen by content: a ZIP package holding word/document.xml
    assert raw.source_format == "docx" and raw.template == "two_mark_columns" and raw.page_count == 1
    expected = apply_mark_set(DUMP, entry["marks"])
    score = score_cells(expected.rows, raw.rows)
    assert score.exact == score.cells, score.differences
    assert record_differences(parse_report(expected), parse_report(raw)) == []


def test_merged_cells_give_their_text_once() -> None:
    raw = read_docx(FORMATS / "layouts" / "word_landscape_serif_10.5.docx")
    # Vertical merges: the task columns on each task's first row only; horizontal: 完成情况 over 已完成/未完成.
    for first, second in zip(raw.rows[0::2], raw.rows[1::2], strict=True):
        assert first.cell("task_no") and first.cell("task_title") and first.cell("responsible")
        assert not (second.cell("task_no") or second.cell("task_title") or second.cell("responsible"))
    assert [c.header for c in raw.columns][6:8] == ["完成情况已完成", "未完成"]
    # Several paragraphs in a cell (one per numbered item) read as lines.
    assert any("\n2." in row.cell("period_plan") for row in raw.rows)


def test_the_changed_template_gives_the_real_records_and_keeps_the_extra_column() -> None:
    raw = read_docx(FORMATS / "changed_template_synthetic.docx")
    assert raw.period_header == "1-9月" and raw.header_end_month == 9
    assert {c.header: c.field for c in raw.columns} == {
        "序号": "task_no",
        "重点任务": "task_title",
        "类别": "plan_kind",
        "1-9月": "period_plan",
        "完成情况已完成": "done",
        "未完成": "not_done",
        "工作进展": "progress",
        "牵头单位": "responsible",
        "联系电话": "supervision",
        "备注": None,
    }
    assert record_differences(parse_report(DUMP), parse_report(raw)) == []
    real = parse_report(DUMP)
    assert [clean_cell(row.extra[0]) for row in raw.rows] == [f"任务{r.task_no}{r.plan_type_label}" for r in real.rows]


def _small_document(path: Path, *, header_twice: bool = False, title_row: bool = False) -> Path:
    """Tasks 1 and 4 of the real report as a small Word table, built with python-docx."""
    rows = DUMP.rows[:4]
    document = docx.Document()
    if not title_row:
        document.add_paragraph(DUMP.title)
    header = ["序号", "目标任务", "责任分工", "监督方式", "季度类别", "第三季度", "已完成", "未完成", "落实情况"]
    extra = int(title_row) + int(header_twice)
    table = document.add_table(rows=1 + extra + len(rows), cols=9)
    at = 0
    if title_row:
        table.rows[0].cells[0].merge(table.rows[0].cells[8]).text = DUMP.title
        at = 1
    for column, label in enumerate(header):
        table.rows[at].cells[column].text = label
    body = at + 1
    for offset, row in enumerate(rows):
        if header_twice and offset == 2:
            for column, label in enumerate(header):
                table.rows[body].cells[column].text = label
            body += 1
        cells = table.rows[body].cells
        for column, text in enumerate(row.cells[:9]):  # the bureau's nine columns
            lines = text.replace("<p>", "").replace("</p>", "\n").strip().split("\n")
            cells[column].text = lines[0]
            for line in lines[1:]:
                cells[column].add_paragraph(line)  # several paragraphs in one cell
        body += 1
    for first in (at + 1, at + 3 + int(header_twice)):  # each task's cells merged over its two rows
        for column in range(4):
            table.rows[first].cells[column].merge(table.rows[first + 1].cells[column])
    document.save(str(path))
    return path


def _expected_small() -> Any:
    return parse_report(DUMP.model_copy(update={"rows": DUMP.rows[:4]}))


@pytest.mark.parametrize(("header_twice", "title_row"), [(False, False), (True, False), (False, True)])
def test_small_documents_read_like_the_dump(tmp_path: Path, header_twice: bool, title_row: bool) -> None:
    path = _small_document(tmp_path / "small.docx", header_twice=header_twice, title_row=title_row)
    raw = read_docx(path)
    assert raw.title == DUMP.title
    assert len(raw.rows) == 4, "a header typed again further down is skipped, not read as a row"
    assert record_differences(_expected_small(), parse_report(raw)) == []


def test_unknown_headers_are_refused_with_the_line_to_add(tmp_path: Path) -> None:
    path = _small_document(tmp_path / "small.docx")
    document = docx.Document(str(path))
    document.tables[0].rows[0].cells[8].text = "完成结果"
    document.save(str(path))
    with pytest.raises(ReportError) as caught:
        read_source(path)
    message = str(caught.value)
    assert "found columns [序号, 目标任务, 责任分工, 监督方式, 季度类别, 第三季度, 已完成, 未完成, 完成结果]" in message
    assert "missing fields: progress (落实情况)" in message
    assert 'add the line "- 完成结果"' in message and "fields → progress → headers" in message


def test_a_legacy_doc_is_refused_with_how_to_convert_it() -> None:
    path = FORMATS / "legacy.doc"
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a real OLE2 file, saved by LibreOffice
    with pytest.raises(ReportError, match=r"legacy\.doc: a legacy Word 97-2003 document .*libreoffice --headless "
                       r"--convert-to docx 'legacy\.doc'"):  # fmt: skip
        read_source(path)


def test_a_docx_named_txt_is_read_as_word_and_a_broken_one_names_the_format(tmp_path: Path) -> None:
    misnamed = tmp_path / "report.txt"
    misnamed.write_bytes((FORMATS / "layouts" / "word_landscape_serif_10.5.docx").read_bytes())
    assert read_source(misnamed).source_format == "docx"  # not "text is neither UTF-8 nor GB18030"
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("word/document.xml", "<not xml")
    with pytest.raises(ReportError, match=r"broken\.docx: not a readable Word document \(\.docx\)"):
        read_source(broken)
    other = tmp_path / "other.docx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ReportError, match=re.escape("neither a Word (.docx) nor an Excel (.xlsx) file")):
        read_source(other)
