"""Pages missing or out of order: never join rows across pages that do not follow each other.

Rows that a page break splits are joined to the previous page's last row (etl.extract.assemble.join_pages); when the
pages do not follow each other, that joins one task's text to another's. ``check_page_sequence`` puts shuffled
pages back in order where the printed page numbers say it unambiguously, and otherwise refuses the file naming the
pages.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from etl.errors import Problem, ReportError
from etl.extract.grid import PageTable
from etl.extract.template import ColumnMap, TemplateMismatch, TemplateSet
from etl.models import COLUMN_LABELS
from etl.vocabulary import PLAN_TYPE_BY_LABEL

_TASK_NUMBER = re.compile(r"[0-9０-９]{1,9}")
# An item marker (1. 2. …) at the start of a text or after whitespace or sentence-ending punctuation, not a decimal.
_ITEM_MARKER = re.compile(r"(?:^|(?<=[\s。；;！!？?]))(\d{1,2})[.．](?![0-9])")
# The text fields a row continued across a page break carries on: the quarter's plan and what was done.
_CONTINUED_FIELDS: tuple[str, ...] = ("period_plan", "progress")


@dataclass(frozen=True)
class _Columns:
    """Where, in a page's own column order, the fields the page-sequence checks read are (None: no such column)."""

    task_no: int | None
    plan_kind: int | None
    continued: tuple[tuple[int, str], ...]  # (column, its label) of the text fields that continue across pages

    @classmethod
    def of(cls, column_map: ColumnMap) -> _Columns:
        continued = tuple(
            (position, COLUMN_LABELS[name])
            for name in _CONTINUED_FIELDS
            if (position := column_map.position(name)) is not None
        )
        return cls(column_map.position("task_no"), column_map.position("plan_kind"), continued)


def check_page_sequence(
    file_name: str,
    tables: Sequence[PageTable],
    printed: dict[int, int],
    templates: TemplateSet,
    notes: list[str] | None = None,
) -> list[PageTable]:
    """The page tables in reading order; ReportError for pages missing or out of order that cannot be put right.

    Rows that a page break splits are joined to the previous page's last row; when the pages do not follow each
    other, that joins one task's text to another's. Three signs, each naming the pages:

    - the page numbers printed in the footers (``printed``, file page → printed number) must run on by one. When
      every table page has one and together they run on without a gap, pages merely shuffled in the file are put
      back in the order of their printed numbers (noted in ``notes``): that order is unambiguous;
    - task numbers follow the city's master list, so the first task a page opens must not come before a task
      an earlier page opened;
    - a row continued at the top of a page must continue the numbered items (1. 2. …) of the row it would join:
      a continuation starting at item 3 cannot belong to a row whose items ended at 5;

    and every page that repeats the header must name the first page's period (第三季度 throughout).
    """
    tables = list(tables)
    if not tables:
        return tables
    try:
        column_map = templates.match(tables[0].header_lines or [list(tables[0].header)])
    except TemplateMismatch:
        return tables  # build_report refuses the header, naming what it found
    columns = _Columns.of(column_map)
    problems = _period_problems(tables, column_map, templates)
    problems += _printed_number_problems(tables, printed, notes)  # may put shuffled pages back in order
    continued = [False, *(_continues(table, columns) for table in tables[1:])]
    problems += _task_order_problems(tables, columns, continued)
    for index, (previous, table) in enumerate(itertools.pairwise(tables)):
        cut_again = len(table.rows) == 1 and index + 2 < len(tables) and continued[index + 2]
        problem = _continuation_problem(previous, table, columns, cut_again)
        if problem is not None:
            problems.append(problem)
    if problems:
        raise ReportError(file_name, problems)
    return tables


def _period_problems(tables: list[PageTable], column_map: ColumnMap, templates: TemplateSet) -> list[Problem]:
    """Every page that repeats the header must name the first page's period (第三季度 throughout)."""
    problems: list[Problem] = []
    for table in tables[1:]:
        if not table.header_lines:
            continue
        try:
            page_map = templates.match(table.header_lines)
        except TemplateMismatch:
            continue  # build_report refuses it
        if page_map.period != column_map.period:
            problems.append(
                Problem(
                    f"the period column header {page_map.period_header!r} differs from "
                    f"{column_map.period_header!r} on the first page: the pages do not belong to one report",
                    page=table.page,
                    column="第N季度",
                )
            )
    return problems


def _printed_number_problems(
    tables: list[PageTable], printed: dict[int, int], notes: list[str] | None
) -> list[Problem]:
    """The printed page numbers must run on by one; pages merely shuffled in the file, every one numbered and the
    numbers without a gap, are sorted back in place in ``tables`` (noted) instead."""
    problems: list[Problem] = []
    numbered = sorted((page, number) for page, number in printed.items() if any(t.page == page for t in tables))
    shuffled = [number for _, number in numbered] != sorted(number for _, number in numbered)
    whole = len(numbered) == len(tables) and all(
        b - a == 1 for a, b in itertools.pairwise(sorted(number for _, number in numbered))
    )
    if shuffled and whole:
        by_page = dict(numbered)
        tables.sort(key=lambda table: by_page[table.page])
        if notes is not None:
            notes.append(
                "the pages are out of order in the file (printed page numbers "
                + ", ".join(str(number) for _, number in numbered)
                + "): read in the order of their printed numbers"
            )
        return problems
    for (page, number), (next_page, next_number) in itertools.pairwise(numbered):
        if next_number - number == next_page - page:
            continue
        if next_number > number + (next_page - page) and not shuffled:
            missing = next_number - number - (next_page - page)
            message = (
                f"the printed page numbers jump from {number} (page {page}) to {next_number}: {missing} "
                "page(s) missing; rows cannot be joined across the gap"
            )
        else:
            message = (
                f"the page printed as page {next_number} follows the page printed as {number} (page {page}): "
                "the pages are out of order, repeated or missing"
            )
        problems.append(Problem(message, page=next_page))
    return problems


def _task_order_problems(tables: list[PageTable], columns: _Columns, continued: list[bool]) -> list[Problem]:
    """The first task a page opens must not come before a task an earlier page opened (the master list's order)."""
    problems: list[Problem] = []
    highest: tuple[int, int] | None = None  # (task number, page) of the highest task opened so far
    for index, table in enumerate(tables):
        # A 序号 cell a page break cuts (26 / 6) is read whole after joining, not here: leave out both parts.
        last_cut = index + 1 < len(tables) and continued[index + 1]
        numbers = _opened_tasks(table, columns, skip_first=continued[index], skip_last=last_cut)
        if numbers and highest is not None and numbers[0] < highest[0]:
            problems.append(
                Problem(
                    f"task numbers do not ascend across pages: this page opens task {numbers[0]} after page "
                    f"{highest[1]} opened task {highest[0]} (tasks follow the master list's order): the pages are "
                    "out of order",
                    page=table.page,
                )
            )
        for number in numbers:
            if highest is None or number > highest[0]:
                highest = (number, table.page)
    return problems


def _continues(table: PageTable, columns: _Columns) -> bool:
    """Whether a page's first row continues the previous page's last row (its row kind is not a whole label)."""
    if not table.rows or columns.plan_kind is None:
        return False
    return re.sub(r"\s+", "", table.rows[0].cells[columns.plan_kind]) not in PLAN_TYPE_BY_LABEL


def _opened_tasks(table: PageTable, columns: _Columns, *, skip_first: bool, skip_last: bool) -> list[int]:
    """The task numbers the page's rows open, in order."""
    numbers: list[int] = []
    if columns.task_no is None:
        return numbers
    column = columns.task_no
    rows = list(table.rows)
    for position, row in enumerate(rows):
        if (position == 0 and skip_first) or (position == len(rows) - 1 and skip_last):
            continue
        text = re.sub(r"\s+", "", row.cells[column])
        if row.starts[column] and _TASK_NUMBER.fullmatch(text):
            numbers.append(int(text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))))
    return numbers


def _continuation_problem(
    previous: PageTable, table: PageTable, columns: _Columns, cut_again: bool = False
) -> Problem | None:
    """A row continued at the top of ``table`` that cannot go on from the row before: its numbered items do not
    go on from those of that row, or it never closes a quotation mark or bracket that row left open (unless the
    continuation is itself continued on the next page, ``cut_again``, where the closing mark may be)."""
    if not previous.rows or not table.rows:
        return None
    last, first = previous.rows[-1], table.rows[0]
    if not _continues(table, columns):
        return None  # a new row, not a continuation
    for column, label in columns.continued:
        unclosed = [mark for mark in _open_marks(last.cells[column]) if _PAIRED[mark] not in first.cells[column]]
        if first.cells[column].strip() and unclosed and not cut_again:
            return Problem(
                f"the row continued at the top of this page does not close the {unclosed[0]} left open at the foot "
                f"of page {previous.page} ({_tail(last.cells[column])!r}, then {_head(first.cells[column])!r}): it "
                "cannot belong to that row (a page missing or out of order)",
                page=table.page,
                column=label,
            )
        before = _items_in_sequence(last.cells[column])
        after = _ITEM_MARKER.search(first.cells[column])
        if before and after is not None and int(after.group(1)) != before + 1:
            return Problem(
                f"the row continued at the top of this page starts its {label} "
                f"text with item {after.group(1)}. but the row it would continue, at the foot of page "
                f"{previous.page}, ended with item {before}.: it cannot belong to that row (a page missing or out "
                "of order)",
                page=table.page,
                column=label,
            )
    return None


# Quotation marks and brackets that open and close: one left open at a page break is closed on the next page.
_PAIRED: dict[str, str] = {"“": "”", "‘": "’", "《": "》", "（": "）", "(": ")", "【": "】", "「": "」"}
_CLOSING: dict[str, str] = {close: open_ for open_, close in _PAIRED.items()}


def _open_marks(text: str) -> list[str]:
    """The opening marks of ``text`` that it does not close, in the order they were opened."""
    depth = dict.fromkeys(_PAIRED, 0)
    order: list[str] = []
    for ch in text:
        if ch in _PAIRED:
            depth[ch] += 1
            order.append(ch)
        elif ch in _CLOSING and depth[_CLOSING[ch]] > 0:
            depth[_CLOSING[ch]] -= 1
    return [mark for mark in dict.fromkeys(order) if depth[mark] > 0]


def _tail(text: str) -> str:
    return "…" + text.replace("\n", "")[-12:]


def _head(text: str) -> str:
    return text.replace("\n", "")[:12] + "…"


def _items_in_sequence(text: str) -> int:
    """How many numbered items 1., 2., 3. … follow each other in ``text`` (0 when it does not start a list)."""
    expected = 1
    for match in _ITEM_MARKER.finditer(text):
        if int(match.group(1)) == expected:
            expected += 1
    return expected - 1
