"""Measure how faithfully an extractor reproduces a report: cell by cell against the report's text dump.

Used by the layout tests (tests/etl/extract/test_pdf_layouts.py), by the benchmark (benchmarks/fidelity.py) and by
the fixture generators (scripts/), so that all three agree on what "the same report" means:

- a *cell* is one of the nine columns of one document row, in canonical form (``clean_cell``), with the task
  columns (序号, 目标任务, 责任分工, 监督方式) forward-filled over the task's rows. Forward-filling makes an
  extractor that repeats a merged cell on every row and one that gives it to the first row only comparable;
  ``parse_report`` treats both the same way;
- *exact* compares canonical texts; *whitespace-insensitive* also ignores every space and line break;
- the same content in every format (text dump, PDF, Word, Excel) must give identical records: ``format_differences``
  compares every format's parsed report of one layout with the first's;
- a layout may draw the status marks with another mark set (✔ instead of ✓, words instead of marks, words in
  the other status column): ``apply_mark_set`` turns the text dump into what that layout shows, so the expected
  cells are the text dump's with the same substitution, never a hand-written copy.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pdfplumber

from etl.extract.assemble import build_report
from etl.extract.page_order import check_page_sequence
from etl.extract.pdf import reference_tables
from etl.extract.pdf_damage import check_pdf_bytes, check_streams
from etl.extract.template import TemplateSet
from etl.extract.template_file import load_templates
from etl.models import COLUMN_NAMES, RawReport, RawRow, Report, TaskRow
from etl.normalize.status import load_statuses
from etl.normalize.text import clean_cell

TASK_COLUMNS: tuple[int, ...] = tuple(
    COLUMN_NAMES.index(name) for name in ("task_no", "task_title", "responsible", "supervision")
)
DONE, NOT_DONE = COLUMN_NAMES.index("done"), COLUMN_NAMES.index("not_done")
# TaskRow fields that say where a row came from: they differ by format and layout by design.
LINEAGE_FIELDS: frozenset[str] = frozenset({"source_pages", "source_line"})


def parse_pdf_reference(data: bytes, file_name: str, templates: TemplateSet | None = None) -> RawReport:
    """A report PDF read with pdfplumber alone (etl.extract.pdf's fallback on every page): the reference the fast
    path is compared with, cell for cell. Same damage checks, page-order rules and assembly as ``parse_pdf``."""
    templates = templates if templates is not None else load_templates()
    check_pdf_bytes(data, file_name)
    check_streams(data, file_name)
    notes: list[str] = []
    # The tables first: a file pdfplumber cannot open fails there, with the reader's message.
    tables = reference_tables(data, file_name, pages=None, notes=notes, templates=templates)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page_count = len(pdf.pages)
    tables = check_page_sequence(file_name, tables, {}, templates, notes)
    return build_report(data, file_name, page_count, tables, notes, templates)


def comparable(text: str) -> str:
    """Text with all whitespace removed: what a whitespace-insensitive comparison compares."""
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class MarkSet:
    """How a layout draws the status columns: which glyph or word stands for each mark of the text dump."""

    description: str
    marks: dict[str, str] = field(default_factory=dict)
    words_column: Literal["done", "not_done"] = "done"


MARK_SETS: dict[str, MarkSet] = {
    "source": MarkSet("as in the text dump: ✓ and √ in 已完成, 正在推进/持续推进 in 已完成"),
    "heavy": MarkSet("✔ for every mark; progress words in 未完成", {"✓": "✔", "√": "✔"}, "not_done"),
    "radical": MarkSet("√ for every mark", {"✓": "√", "√": "√"}),
    "words": MarkSet(
        "the word 已完成 instead of a mark; progress words in 未完成", {"✓": "已完成", "√": "已完成"}, "not_done"
    ),
    # What an extractor reads when the mark's glyph has no Unicode mapping: a check mark decided by the cell.
    "unmapped": MarkSet("✓ for every mark (an undecodable mark read as ✓); words in 未完成", {"√": "✓"}, "not_done"),
    # What OCR reads from a scan of a "source" layout: a mark decided by the ink in its cell is ✓ (√ and ✓ alike).
    "scan": MarkSet("as in the text dump, read by OCR: every mark ✓, words in 已完成", {"√": "✓"}),
}


def apply_mark_set(raw: RawReport, name: str) -> RawReport:
    """The text dump's rows as a layout with mark set ``name`` shows them (status columns only)."""
    mark_set = MARK_SETS[name]
    rows = []
    for row in raw.rows:
        cells = list(row.cells)
        done, not_done = cells[DONE].strip(), cells[NOT_DONE].strip()
        if done in mark_set.marks:
            done = mark_set.marks[done]
        if not_done in mark_set.marks:
            not_done = mark_set.marks[not_done]
        if mark_set.words_column == "not_done" and load_statuses().words.get(done) == "in_progress" and not not_done:
            done, not_done = "", done
        cells[DONE], cells[NOT_DONE] = done, not_done
        rows.append(row.model_copy(update={"cells": tuple(cells)}))
    return raw.model_copy(update={"rows": tuple(rows)})


def canonical_cells(rows: Sequence[RawRow]) -> list[tuple[str, ...]]:
    """Each row's nine cells in canonical form, the task columns forward-filled from the task's first row."""
    out: list[tuple[str, ...]] = []
    task: tuple[str, ...] = tuple("" for _ in TASK_COLUMNS)
    for row in rows:
        cells = [clean_cell(cell) for cell in row.cells]
        if cells[TASK_COLUMNS[0]]:
            task = tuple(cells[c] for c in TASK_COLUMNS)
        for index, column in enumerate(TASK_COLUMNS):
            cells[column] = cells[column] or task[index]
        out.append(tuple(cells))
    return out


@dataclass
class CellScore:
    """Cells compared, how many agree exactly and ignoring whitespace, and the first differences."""

    cells: int = 0
    exact: int = 0
    loose: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def exact_share(self) -> float:
        return self.exact / self.cells if self.cells else 0.0

    @property
    def loose_share(self) -> float:
        return self.loose / self.cells if self.cells else 0.0


def score_cells(expected: Sequence[RawRow], actual: Sequence[RawRow], keep: int = 3) -> CellScore:
    """Compare canonical cells row by row, in order; missing or extra rows count as wrong cells.

    ``cells`` is the number of expected cells plus those of extra rows, so an extractor that splits a row in two
    scores below 100% even when every expected cell happens to be matched.
    """
    want, got = canonical_cells(expected), canonical_cells(actual)
    width = len(COLUMN_NAMES)
    score = CellScore(cells=max(len(want), len(got)) * width)
    for index in range(max(len(want), len(got))):
        left = want[index] if index < len(want) else ("",) * width
        right = got[index] if index < len(got) else ("",) * width
        for column, (a, b) in enumerate(zip(left, right, strict=True)):
            missing = index >= len(want) or index >= len(got)
            if missing:
                pass
            elif a == b:
                score.exact += 1
                score.loose += 1
                continue
            elif comparable(a) == comparable(b):
                score.loose += 1
            if len(score.differences) < keep:
                score.differences.append(
                    f"row {index + 1} {COLUMN_NAMES[column]}: expected {_short(a)!r}, got {_short(b)!r}"
                    + (" (row missing or extra)" if missing else "")
                )
    return score


def record_differences(expected: Report, actual: Report, keep: int = 3) -> list[str]:
    """Where two parsed reports' TaskRows differ, lineage aside: the comparison the layout tests assert on."""
    if len(expected.rows) != len(actual.rows):
        return [f"{len(expected.rows)} rows expected, {len(actual.rows)} extracted"]
    differences: list[str] = []
    for index, (want, got) in enumerate(zip(expected.rows, actual.rows, strict=True)):
        for name in TaskRow.model_fields:
            if name in LINEAGE_FIELDS or getattr(want, name) == getattr(got, name):
                continue
            differences.append(
                f"row {index + 1} (task {want.task_no} {want.plan_type_label}, pages {got.source_pages}) {name}: "
                f"expected {getattr(want, name)!r}, got {getattr(got, name)!r}"
            )
            if len(differences) >= keep:
                return differences
    return differences


def format_differences(reports: dict[str, Report], keep: int = 3) -> list[str]:
    """Where the reports of one content read from several formats (name → report) differ from the first one's
    records, lineage aside; [] when every format gives identical records."""
    names = list(reports)
    out: list[str] = []
    for name in names[1:]:
        out.extend(f"{name} vs {names[0]}: {d}" for d in record_differences(reports[names[0]], reports[name], keep))
    return out


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
