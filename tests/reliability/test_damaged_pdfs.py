"""Damaged and mixed-up PDFs never load a guess; real-world PDF variants load (issue 16, defects 2 and 8).

The fixtures (tests/fixtures/hostile/damaged/, written from the sample PDF by
``scripts/make_hostile_pdf.py damaged-set``; a test re-runs it and compares bytes) are:

- a font program with 200 bytes overwritten in the file (its stream no longer inflates) or in the inflated
  program (the stream inflates, PDFium cannot load the font): before, both loaded with characters silently lost
  (招引一批“生产基地+研发中心”项目 → 引一批“产基研发中”项目);
- pages out of order and a page missing, with and without printed page numbers: before, rows split across a page
  break were joined to another task's text;
- pages turned for display (/Rotate 90 and 180) with an intact text layer: before, "needs OCR".

The last test sends every case of this file and of test_contradictory_inputs.py through ``etl ingest`` onto a
warehouse that holds the real report, and checks that nothing in it changes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl.errors import ReportError
from etl.extract import guarded
from etl.extract.source import read_source
from etl.load.warehouse import connect
from etl.models import Report
from etl.parse.report import parse_report
from tests.conftest import (
    PROJECT_ROOT,
    REAL_PDF,
    REAL_TEXT_DUMP,
    build_warehouse,
    flat,
    mart_snapshot,
    read_source_guarded,
    run_etl,
)
from tests.fidelity import record_differences

DAMAGED = PROJECT_ROOT / "tests" / "fixtures" / "hostile" / "damaged"


@pytest.fixture(autouse=True, scope="module")
def _stop_children() -> Iterator[None]:
    yield
    guarded.shutdown()


@pytest.fixture(scope="module")
def real() -> Report:
    return parse_report(read_source(REAL_TEXT_DUMP))


def refused(path: Path) -> str:
    """The message read_source_guarded refuses ``path`` with (in the extraction child, as the pipeline reads)."""
    with pytest.raises(ReportError) as caught:
        parse_report(read_source_guarded(path))
    assert caught.value.file_name == path.name
    return str(caught.value)


# --- damaged: refused, naming page and object ---------------------------------------------------------------------


def test_a_font_stream_that_does_not_inflate_is_refused_naming_page_and_object() -> None:
    message = refused(DAMAGED / "damaged_font.pdf")
    assert (
        "damaged_font.pdf: page 1: object 48 (the embedded program of font DAAAAA+NotoSerifCJKjp-Regular-VKana) "
        "does not decode (Error -3 while decompressing data" in message
    )
    assert "the file is damaged" in message


def test_a_font_program_pdfium_cannot_load_is_refused_naming_page_and_font() -> None:
    message = refused(DAMAGED / "damaged_font_program.pdf")
    assert (
        "damaged_font_program.pdf: page 2: the embedded font(s) DAAAAA+NotoSerifCJKjp-Regular-VKana cannot be "
        "loaded" in message
    )


# --- mixed-up pages -----------------------------------------------------------------------------------------------


def test_pages_out_of_order_with_printed_numbers_are_put_back_in_order(real: Report) -> None:
    raw = read_source_guarded(DAMAGED / "pages_out_of_order.pdf")
    assert any("read in the order of their printed numbers" in note for note in raw.notes)
    assert not record_differences(real, parse_report(raw))


def test_pages_out_of_order_without_printed_numbers_are_refused_naming_the_pages() -> None:
    message = refused(DAMAGED / "pages_out_of_order_no_page_numbers.pdf")
    assert (
        "pages_out_of_order_no_page_numbers.pdf: page 3: task numbers do not ascend across pages: this page opens "
        "task 5 after page 2 opened task 6" in message
    )


def test_a_missing_page_is_refused_by_the_printed_page_numbers() -> None:
    message = refused(DAMAGED / "page_missing.pdf")
    assert "page_missing.pdf: page 5: the printed page numbers jump from 4 (page 4) to 6: 1 page(s) missing" in message


def test_a_continuation_that_never_closes_the_quote_the_row_before_left_open_is_refused() -> None:
    """The issue's case: page 5 missing, no page numbers; task 10's text at the top of page 6 (now 5) would join
    task 9's, which ends inside “护航新型工业化-工… (closed by 业互联网安全深度行” on the missing page)."""
    message = refused(DAMAGED / "page_missing_no_page_numbers.pdf")
    assert (
        "page_missing_no_page_numbers.pdf: page 5, column 落实情况: the row continued at the top of this page does "
        "not close the “ left open at the foot of page 4" in message
    )
    assert "cannot belong to that row" in message


def test_a_continuation_whose_numbered_items_do_not_go_on_is_refused() -> None:
    """Page 10 of the sample left out, its footers ignored: the text continued on page 11 starts at item 4, the row
    it would join (page 9) ended at item 2."""
    from etl.extract.page_order import check_page_sequence
    from etl.extract.pdf_fast import read_fast
    from etl.extract.template_file import load_templates

    tables = [table for table in read_fast(REAL_PDF.read_bytes(), "x.pdf").tables if table.page != 10]
    with pytest.raises(ReportError) as caught:
        check_page_sequence("x.pdf", tables, {}, load_templates())
    assert (
        "x.pdf: page 11, column 落实情况: the row continued at the top of this page starts its 落实情况 text with "
        "item 4. but the row it would continue, at the foot of page 9, ended with item 2.: it cannot belong to "
        "that row" in str(caught.value)
    )


def test_the_sample_and_every_layout_pass_the_page_sequence_checks() -> None:
    """No false alarm: every readable layout of the real report (Word and Calc printouts, 9–12 pt, portrait and
    landscape) and the 302-page report pass, page numbers or not."""
    from etl.extract.page_order import check_page_sequence
    from etl.extract.pdf_fast import read_fast
    from etl.extract.template_file import load_templates

    layouts = sorted((PROJECT_ROOT / "tests" / "fixtures" / "pdf_layouts").glob("*.pdf"))
    long_report = PROJECT_ROOT / "tests" / "fixtures" / "reliability" / "2025Q3_市工信局_synthetic_long.pdf"
    checked = 0
    for path in [REAL_PDF, long_report, *layouts]:
        try:
            fast = read_fast(path.read_bytes(), path.name)
        except ReportError:
            continue  # the hostile layouts that are refused for other reasons
        if not fast.tables or fast.unreadable:
            continue
        check_page_sequence(path.name, fast.tables, {}, load_templates())  # without the printed numbers too
        check_page_sequence(path.name, fast.tables, fast.printed_numbers, load_templates())
        checked += 1
    assert checked >= 14


# --- real-world variants that load ----------------------------------------------------------------------------------


def test_pages_rotated_for_display_are_read_upright(real: Report) -> None:
    raw = read_source_guarded(DAMAGED / "rotated_pages.pdf")
    assert [n for n in raw.notes if "rotated" in n] == [
        "page 2: displayed rotated by 90°, read in its upright orientation",
        "page 3: displayed rotated by 180°, read in its upright orientation",
    ]
    assert not record_differences(real, parse_report(raw))


def variant(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_bytes_after_eof_and_before_the_header_are_allowed(tmp_path: Path, real: Report) -> None:
    pdf = REAL_PDF.read_bytes()
    for path in (
        variant(tmp_path, "mailed.pdf", pdf + b"\r\n--\r\nsent from the mail gateway\r\n" * 100),
        variant(tmp_path, "prefixed.pdf", b"\x00\x00MIME-junk\n" + pdf),
    ):
        assert not record_differences(real, parse_report(read_source_guarded(path))), path.name


def test_an_update_cut_short_after_the_last_eof_is_refused(tmp_path: Path) -> None:
    pdf = REAL_PDF.read_bytes()
    path = variant(tmp_path, "cut_update.pdf", pdf + b"\n99 0 obj\n<< /Type /Page /Contents 100 0 R")
    assert "the file is cut short (objects after its last %%EOF" in refused(path)


def test_the_damaged_fixtures_are_what_the_generator_writes(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "make_hostile_pdf.py"), "damaged-set", "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    manifest = json.loads((DAMAGED / "manifest.json").read_text(encoding="utf-8"))
    names = {entry["file"] for entry in manifest["files"]}
    assert names == {path.name for path in DAMAGED.glob("*.pdf")}
    for name in names:
        assert (tmp_path / name).read_bytes() == (DAMAGED / name).read_bytes(), name


# --- nothing in a warehouse changes: every case through `etl ingest` ---------------------------------------------


@pytest.mark.prefect
def test_no_case_changes_a_loaded_warehouse(tmp_path: Path, prefect_api_url: str) -> None:
    from tests.reliability.test_contradictory_inputs import LINES, task_split_over_pages

    warehouse = tmp_path / "w.duckdb"
    build_warehouse(warehouse, [REAL_TEXT_DUMP])
    before = mart_snapshot(warehouse, without=())
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in (
        "damaged_font.pdf",
        "damaged_font_program.pdf",
        "page_missing.pdf",
        "page_missing_no_page_numbers.pdf",
        "pages_out_of_order_no_page_numbers.pdf",
    ):
        shutil.copy(DAMAGED / name, inbox / name)

    def dump(name: str, lines: list[str]) -> None:
        (inbox / name).write_text("\n".join(lines), encoding="utf-8")

    header = [line.replace("第三季度", "第二季度") if i == 13 else line for i, line in enumerate(LINES)]
    dump("two_titles.txt", task_split_over_pages("另一项任务的标题"))
    dump("other_quarter_page.txt", header)
    dump("span_of_years.txt", [*LINES[:2], "市工信局 2023—2024 年政府工作报告任务 三季度完成情况", *LINES[3:]])
    task_no = LINES[6].split("\t")
    dump("circled_number.txt", [*LINES[:6], "\t".join(["④", *task_no[1:]]), *LINES[7:]])
    refusals = {
        "damaged_font.pdf": "object 48",
        "damaged_font_program.pdf": "cannot be loaded",
        "page_missing.pdf": "1 page(s) missing",
        "page_missing_no_page_numbers.pdf": "cannot belong to that row",
        "pages_out_of_order_no_page_numbers.pdf": "task numbers do not ascend",
        "two_titles.txt": "task 6 appears twice with different 目标任务",
        "other_quarter_page.txt": "differs from '第三季度' on page 1",
        "span_of_years.txt": "names a span of years",
        "circled_number.txt": "task number '④' is not a positive whole number",
    }
    # Variants of the same report: read, recognised as what the warehouse holds, nothing written.
    for name in ("rotated_pages.pdf", "pages_out_of_order.pdf"):
        shutil.copy(DAMAGED / name, inbox / name)
    dump("attachment_label.txt", [*LINES[:2], "附件1", *LINES[2:]])
    dump("wrapped_title.txt", [*LINES[:2], "市工信局 2024 年政府工作报告任务", "三季度完成情况", *LINES[3:]])
    dump("full_width.txt", [*LINES[:2], "市工信局 ２０２４ 年政府工作报告任务 三季度完成情况", *LINES[3:]])
    (inbox / "mailed.pdf").write_bytes(REAL_PDF.read_bytes() + b"\r\n--\r\nsent\r\n")

    variants = ["rotated_pages.pdf", "pages_out_of_order.pdf", "attachment_label.txt", "wrapped_title.txt"]
    variants += ["full_width.txt", "mailed.pdf"]

    result = run_etl(["ingest", str(inbox), "--warehouse", str(warehouse)], prefect_api_url)
    output = flat(result.stdout + result.stderr)
    assert result.returncode == 1, output
    for name in refusals:
        assert f"failed: {name}:" in output, (name, output)
    with connect(warehouse, read_only=True) as conn:
        outcomes = {
            name: (outcome, message or "")
            for name, outcome, message in conn.execute(
                "select file_name, outcome, message from ops.ingest_file"
            ).fetchall()
        }
        assert conn.execute("select count(*) from core.report").fetchone() == (1,)
    for name, phrase in refusals.items():
        assert outcomes[name][0] == "failed" and phrase in outcomes[name][1], (name, outcomes[name])
    for name in variants:
        assert outcomes[name][0] == "unchanged", (name, outcomes[name])
    assert mart_snapshot(warehouse, without=()) == before
