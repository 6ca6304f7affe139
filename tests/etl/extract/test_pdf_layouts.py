"""Every generated PDF layout reads to exactly the text dump's records, with both extractors, cell for cell.

The layouts (tests/fixtures/pdf_layouts/, made by scripts/make_pdf_layouts.py and committed, so no LibreOffice is
needed here) are the real report re-typeset as Word tables and Calc printouts in several fonts, sizes and
orientations, with other mark sets, rows and merged cells cut by page breaks, a missing top border, doubled
text and undecodable marks; the hostile ones must be rejected with the right message. No timing is asserted:
speed is measured by benchmarks/fidelity.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from etl.errors import ReportError
from etl.extract.pdf import parse_pdf
from etl.extract.pdf_fast import read_fast
from etl.extract.text_dump import read_text_dump
from etl.models import RawReport, Report
from etl.parse.report import parse_report
from tests.fidelity import apply_mark_set, parse_pdf_reference, record_differences, score_cells

ROOT = Path(__file__).resolve().parents[3]
LAYOUTS = ROOT / "tests" / "fixtures" / "pdf_layouts"
MANIFEST: dict[str, Any] = json.loads((LAYOUTS / "manifest.json").read_text(encoding="utf-8"))
READABLE = [entry for entry in MANIFEST["layouts"] if not entry["expect_error"]]
HOSTILE = [entry for entry in MANIFEST["layouts"] if entry["expect_error"]]
DUMP = read_text_dump(ROOT / MANIFEST["source"])


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [str(entry["name"]) for entry in entries]


@pytest.fixture(scope="module")
def reads() -> dict[str, tuple[RawReport, RawReport]]:
    """(reference, default) RawReport of every readable layout, read once for all tests of this module."""
    out = {}
    for entry in READABLE:
        data = (LAYOUTS / entry["file"]).read_bytes()
        out[entry["name"]] = (parse_pdf_reference(data, entry["file"]), parse_pdf(data, entry["file"]))
    return out


def expected_report(entry: dict[str, Any]) -> Report:
    return parse_report(apply_mark_set(DUMP, str(entry["marks"])))


def test_the_manifest_lists_every_file_and_stays_small() -> None:
    files = {path.name for path in LAYOUTS.glob("*.pdf")}
    assert files == {entry["file"] for entry in MANIFEST["layouts"]}
    assert sum(path.stat().st_size for path in LAYOUTS.glob("*.pdf")) < 6_000_000
    for entry in MANIFEST["layouts"]:
        assert entry["commands"] and entry["pages"] >= 1


@pytest.mark.parametrize("entry", READABLE, ids=_ids(READABLE))
@pytest.mark.parametrize("extractor", ["reference", "default"])
def test_layout_gives_the_text_dump_records(
    entry: dict[str, Any], extractor: str, reads: dict[str, tuple[RawReport, RawReport]]
) -> None:
    raw = reads[entry["name"]][0 if extractor == "reference" else 1]
    assert raw.page_count == entry["pages"]
    differences = record_differences(expected_report(entry), parse_report(raw))
    assert not differences, "\n".join(differences)
    score = score_cells(apply_mark_set(DUMP, str(entry["marks"])).rows, raw.rows)
    assert score.exact == score.cells, "\n".join(score.differences)


@pytest.mark.parametrize("entry", READABLE, ids=_ids(READABLE))
def test_fast_path_reads_every_page_and_agrees_with_the_reference_cell_for_cell(
    entry: dict[str, Any], reads: dict[str, tuple[RawReport, RawReport]]
) -> None:
    """The fast path alone (no page handed to pdfplumber) gives the reference's raw rows, cell for cell."""
    data = (LAYOUTS / entry["file"]).read_bytes()
    fast = read_fast(data, entry["file"])
    assert fast.unreadable == [], f"pages the fast path handed to the reference: {fast.unreadable}"
    reference, default = reads[entry["name"]]
    assert [row.cells for row in default.rows] == [row.cells for row in reference.rows]
    assert [row.pages for row in default.rows] == [row.pages for row in reference.rows]
    assert (default.title, default.period_header) == (reference.title, reference.period_header)


@pytest.mark.parametrize("entry", HOSTILE, ids=_ids(HOSTILE))
@pytest.mark.parametrize("read", [parse_pdf_reference, parse_pdf], ids=["reference", "default"])
def test_hostile_layout_is_rejected_with_the_right_message(entry: dict[str, Any], read: Any) -> None:
    data = (LAYOUTS / entry["file"]).read_bytes()
    with pytest.raises(ReportError) as caught:
        read(data, entry["file"])
    assert caught.value.file_name == entry["file"]
    assert re.search(entry["expect_error"], str(caught.value)), str(caught.value)


def test_other_table_error_names_found_and_expected_columns() -> None:
    data = (LAYOUTS / "hostile_other_table.pdf").read_bytes()
    with pytest.raises(
        ReportError, match=r"found columns \[序号, 项目名称, 牵头单位, 联系电话.*\], expected \[序号, 目标任务"
    ):
        parse_pdf(data, "hostile_other_table.pdf")


def test_undecodable_marks_are_decided_by_their_cell_and_reported(
    reads: dict[str, tuple[RawReport, RawReport]],
) -> None:
    for raw in reads["hostile_unmapped_marks"]:
        assert raw.notes, "an undecodable mark read as ✓ must be reported"
        assert all("no Unicode mapping was read as ✓" in note for note in raw.notes)
        assert len(raw.notes) == sum(1 for row in raw.rows if row.cell("done") == "✓")


def test_doubled_text_is_detected_on_the_doubled_pages_only(reads: dict[str, tuple[RawReport, RawReport]]) -> None:
    for raw in reads["hostile_doubled_text"]:
        pages = sorted(
            int(m.group(1)) for note in raw.notes if (m := re.match(r"page (\d+): \d+ characters drawn twice", note))
        )
        assert pages == [1, 3, 4]
    for name, (reference, default) in reads.items():
        if name != "hostile_doubled_text":
            assert not [note for note in reference.notes + default.notes if "drawn twice" in note], name


def test_rows_and_task_cells_cut_by_page_breaks_are_joined(reads: dict[str, tuple[RawReport, RawReport]]) -> None:
    """The layouts do contain what the joining logic is for: rows and merged task cells split across pages."""
    split_rows = {name for name, (raw, _) in reads.items() if any(len(row.pages) > 1 for row in raw.rows)}
    assert {"word_landscape_serif_10.5", "word_portrait_serif_12", "word_portrait_serif_10.5_open_top"} <= split_rows
    # A task's first row whose pages run on while the row after it (same task) starts on the later page: the
    # merged task cell (or its vertically centred text) continued onto the next page.
    split_tasks = set()
    for name, (raw, _) in reads.items():
        for first, second in zip(raw.rows, raw.rows[1:], strict=False):
            if (
                first.cell("task_no")
                and not second.cell("task_no")
                and first.pages[-1] == second.pages[0] > first.pages[0]
            ):
                split_tasks.add(name)
    assert {"calc_landscape_serif_10_even", "word_portrait_serif_12"} <= split_tasks
