"""How faithfully OCR read a scan: the measures issue 14 asks of a scan of the real report.

Shared by the OCR tests (tests/etl/extract/test_ocr*.py) and the benchmarks (benchmarks/fidelity.py, ocr.py,
ocr_scans.py); a test and benchmark tool, not part of the library (issue 24):

- *records*: every task number, row kind (plan type) and status of the parsed report equal the text dump's;
- *character accuracy* over the text cells (every column but the two status columns, canonical text with
  whitespace removed, task columns forward-filled as in tests.fidelity): 1 − edit operations / expected
  characters, the edit operations of difflib's opcodes (a replacement of n by m characters counts max(n, m));
- *cells exact*: the share of text cells equal to the dump's, whitespace-insensitive (the columns the layout
  prints: a field the report has no column for is not a cell);
- the differing cells, each with its expected and read text, for the closing note's list of remaining errors.
"""

from __future__ import annotations

import difflib
import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from etl.errors import ReportError
from etl.extract.ocr_engine import OcrLine
from etl.extract.ocr_image import ScanPage
from etl.extract.ocr_marks import column_edges
from etl.models import COLUMN_NAMES, RawReport, RawRow
from etl.parse.report import parse_report
from tests.fidelity import DONE, NOT_DONE, apply_mark_set, canonical_cells, comparable

TEXT_COLUMNS: tuple[int, ...] = tuple(c for c in range(len(COLUMN_NAMES)) if c not in (DONE, NOT_DONE))


@dataclass
class ScanScore:
    """OCR against the text dump: records, characters and cells (see the module docstring)."""

    rows_expected: int = 0
    rows_read: int = 0
    record_differences: list[str] = field(default_factory=list)
    characters: int = 0
    character_errors: int = 0
    text_cells: int = 0
    cells_exact: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def records_exact(self) -> bool:
        return self.rows_expected == self.rows_read and not self.record_differences

    @property
    def character_accuracy(self) -> float:
        return 1 - self.character_errors / self.characters if self.characters else 0.0

    @property
    def cells_exact_share(self) -> float:
        return self.cells_exact / self.text_cells if self.text_cells else 0.0


def edit_operations(expected: str, actual: str) -> tuple[int, list[tuple[str, str]]]:
    """How many characters differ and the differing pieces (expected, read)."""
    matcher = difflib.SequenceMatcher(None, expected, actual, autojunk=False)
    pieces = [(expected[i1:i2], actual[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
    return sum(max(len(a), len(b)) for a, b in pieces), pieces


def score_scan(expected: RawReport, actual: RawReport, rows: Sequence[int] | None = None) -> ScanScore:
    """Compare a scan's RawReport with the dump's (with the scan mark set applied), over ``rows`` (0-based
    document rows; all when None). Records are compared for the whole report when ``rows`` is None."""
    score = ScanScore(rows_expected=len(expected.rows), rows_read=len(actual.rows))
    want, got = canonical_cells(expected.rows), canonical_cells(actual.rows)
    indexes = list(rows) if rows is not None else list(range(max(len(want), len(got))))
    blank = ("",) * len(COLUMN_NAMES)
    pairs = [(want[i] if i < len(want) else blank, got[i] if i < len(got) else blank) for i in indexes]
    # Only the columns the layout prints (or the scan was read into): a field the report has no column for is
    # empty on both sides, and counting it would add a sure match per row (3 of the 10 text fields here).
    printed = [c for c in TEXT_COLUMNS if any(left[c].strip() or right[c].strip() for left, right in pairs)]
    for index, (left, right) in zip(indexes, pairs, strict=True):
        for column in printed:
            a, b = comparable(left[column]), comparable(right[column])
            score.text_cells += 1
            score.characters += len(a)
            if a == b:
                score.cells_exact += 1
                continue
            errors, pieces = edit_operations(a, b)
            score.character_errors += errors
            shown = ", ".join(f"{x or '∅'}→{y or '∅'}" for x, y in pieces)
            confidence = _confidence(actual.rows, index, column)
            score.differences.append(f"row {index + 1} {COLUMN_NAMES[column]}: {shown}{confidence}")
    if rows is None:
        score.record_differences = _record_differences(expected, actual)
    return score


def _confidence(rows: Sequence[RawRow], index: int, column: int) -> str:
    """' (OCR confidence 0.97)' for a cell read by OCR, else ''."""
    if index >= len(rows) or rows[index].confidence is None:
        return ""
    scores = rows[index].confidence or ()
    value = scores[column] if column < len(scores) else None
    return "" if value is None else f" (OCR confidence {value:.2f})"


def _record_differences(expected: RawReport, actual: RawReport) -> list[str]:
    try:
        want, got = parse_report(expected), parse_report(actual)
    except ReportError as exc:
        return [f"the scan does not parse: {exc}"]
    keys_want = [(r.task_no, r.plan_type, r.status) for r in want.rows]
    keys_got = [(r.task_no, r.plan_type, r.status) for r in got.rows]
    if len(keys_want) != len(keys_got):
        return [f"{len(keys_want)} rows expected, {len(keys_got)} read"]
    return [
        f"row {i + 1}: expected {a}, read {b}"
        for i, (a, b) in enumerate(zip(keys_want, keys_got, strict=True))
        if a != b
    ]


def rows_on_pages(rows: Sequence[RawRow], pages: set[int]) -> list[int]:
    """The 0-based indexes of the rows printed only on the given pages."""
    return [i for i, row in enumerate(rows) if set(row.pages) <= pages]


SCAN_MARK = "✓"
_MARK_GLYPHS = frozenset({"√", "✓", "✔", "☑"})


def scan_expected(dump: RawReport, marks: str) -> RawReport:
    """What OCR should read from a scan of a layout with mark set ``marks`` (tests.fidelity.MARK_SETS): the
    layout's cells, every mark glyph read as ✓ (a mark is decided by its ink; √ ✓ ✔ are not told apart)."""
    shown = apply_mark_set(dump, marks)
    rows = []
    for row in shown.rows:
        cells = list(row.cells)
        for column in (DONE, NOT_DONE):
            if cells[column].strip() in _MARK_GLYPHS:
                cells[column] = SCAN_MARK
        rows.append(row.model_copy(update={"cells": tuple(cells)}))
    return shown.model_copy(update={"rows": tuple(rows)})


def score_pages(expected: RawReport, actual: RawReport, pages: Sequence[int]) -> ScanScore:
    """A scan of some pages of a document against the document: the expected rows printed wholly on those pages
    (``expected`` read from the born-digital PDF, whose page numbers they are) against the scan's rows printed
    wholly on its own pages; the records compared are those rows' statuses (part of a report does not parse)."""
    wanted = [r for r in expected.rows if set(r.pages) <= set(pages)]
    got = [actual.rows[i] for i in rows_on_pages(actual.rows, set(range(1, len(pages) + 1)))][: len(wanted)]
    part = expected.model_copy(update={"rows": tuple(wanted)})
    score = score_scan(part, actual.model_copy(update={"rows": tuple(got)}), rows=range(len(wanted)))
    want = [(r.cells[DONE], r.cells[NOT_DONE]) for r in wanted]
    read = [(r.cells[DONE], r.cells[NOT_DONE]) for r in got]
    if len(want) != len(read):
        score.record_differences = [f"{len(want)} rows expected, {len(read)} read"]
    else:
        score.record_differences = [
            f"row {i + 1}: status {a} expected, {b} read"
            for i, (a, b) in enumerate(zip(want, read, strict=True))
            if a != b
        ]
    return score


def scan_matrix() -> ModuleType:
    """scripts/scan_matrix.py (scans through other renderers), imported from its path (scripts/ is not a package)."""
    name = "scan_matrix"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[1] / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def status_header_lines(page: ScanPage) -> list[OcrLine]:
    """The two status headers of the real report's layout as the recogniser would give them, without OCR: the
    topmost cells of its 7th and 8th columns (已完成, 未完成)."""
    edges = column_edges(page.boxes)
    lines = []
    for column, word in ((6, "已完成"), (7, "未完成")):
        inside = [b for b in page.boxes if edges[column] - 1 <= b[0] and b[2] <= edges[column + 1] + 1]
        lines.append(OcrLine(word, min(inside, key=lambda b: b[1]), 1.0))
    return lines
