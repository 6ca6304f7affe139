"""Turn a RawReport into a Report: metadata from the title (or declared), and the task rows.

Two layouts (the template's ``rows``, seen here as whether the table has a 季度类别 column):

- plan rows: each task has rows 进度安排 (schedule: the period's milestone) and 施工图 (roadmap: the steps); the task's
  own columns (序号, 目标任务, 责任分工, 监督方式 …) are filled on its first row only, because they are merged cells
  in the PDF, so later rows inherit them;
- one row per task: every row opens its task (plan_type None).

Fields the table has no column for stay None (no status column: status None, never a guess from the narrative).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from etl.errors import Problem, ReportError
from etl.metrics.report import report_metrics
from etl.models import COLUMN_LABELS, COLUMN_NAMES, DeclaredMeta, PlanType, RawReport, RawRow, Report, TaskRow
from etl.normalize.phone import PhoneError, normalize_phone
from etl.normalize.status import StatusError, status_of, status_of_word
from etl.normalize.text import clean_cell, strip_markup
from etl.normalize.units import UnitsError, split_people, split_responsible
from etl.parse.title import TitleError, report_meta, visible_name
from etl.vocabulary import PLAN_TYPE_BY_LABEL, TASK_FIELDS

# 季度类别 (row kind) labels and what they mean.
PLAN_TYPES: dict[str, PlanType] = dict(PLAN_TYPE_BY_LABEL)
# Full-width digits (０-９, U+FF10-FF19), which Chinese input methods type, as ASCII digits.
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_TASK_NUMBER = re.compile(r"[0-9]{1,9}")
# The bureau's nine columns: a RawReport made without column mappings (an older caller) has exactly these.
_BUREAU_FIELDS = frozenset(COLUMN_NAMES[:9])


@dataclass(frozen=True)
class _Task:
    """The task columns of the row that opened a task, inherited by its following plan rows."""

    task_no: int
    title: str
    units: tuple[str, ...]
    office: str | None
    people: tuple[str, ...]
    phone: str | None
    annual_target: str | None


@dataclass(frozen=True)
class _Layout:
    """Which fields the table has, hence how its rows read."""

    fields: frozenset[str]

    @property
    def plan_rows(self) -> bool:
        return "plan_kind" in self.fields

    def text(self, row: RawRow, name: str) -> str | None:
        """A field's cleaned text, or None when the table has no column for it."""
        return clean_cell(row.cell(name)) if name in self.fields else None


def parse_report(raw: RawReport, declared: DeclaredMeta | None = None, today: date | None = None) -> Report:
    """Parse and normalize every row; raise ReportError listing every problem with its page and line."""
    try:
        meta = report_meta(raw.preamble or (raw.title,), raw.header_end_month, declared, today)
    except TitleError as exc:
        raise ReportError.single(raw.source_file, str(exc), page=1) from exc
    layout = _Layout(frozenset(c.field for c in raw.columns if c.field) or _BUREAU_FIELDS)
    problems: list[Problem] = []
    rows: list[TaskRow] = []
    current: _Task | None = None
    for raw_row in raw.rows:
        try:
            opened = _task_of(raw_row, layout)
            if opened is not None:
                current = opened
            elif current is None or not layout.plan_rows:
                where = "on the first row" if current is None else "but every row of this table is a task"
                raise _RowError("task_no", f"序号 is empty {where}")
            rows.append(_task_row(raw_row, current, layout))
        except _RowError as exc:
            problems.append(
                Problem(exc.message, page=raw_row.pages[0], line=raw_row.line, column=COLUMN_LABELS[exc.column])
            )
    problems.extend(_structure_problems(rows))
    if not rows and not problems:
        problems.append(Problem("the table has no rows"))
    if problems:
        raise ReportError(raw.source_file, problems)
    return Report(meta=meta, raw=raw, rows=tuple(rows), metrics=report_metrics(rows))


class _RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _task_of(row: RawRow, layout: _Layout) -> _Task | None:
    """The task a row opens, or None when its task columns are empty (a continuation row)."""
    values = {name: row.cell(name).strip() for name in TASK_FIELDS}
    number = re.sub(r"\s+", "", values["task_no"])
    if not number:
        filled = [name for name in TASK_FIELDS[1:] if values[name]]
        if filled:
            raise _RowError("task_no", f"序号 is empty but {COLUMN_LABELS[filled[0]]} is filled")
        return None
    # Digits 0-9, half or full width (４ is 4). str.isdigit() is not the test: it also accepts ④ and ², which
    # int() refuses, and other scripts' digits that no report uses.
    digits = number.translate(FULL_WIDTH_DIGITS)
    if not _TASK_NUMBER.fullmatch(digits) or int(digits) <= 0:
        raise _RowError("task_no", f"task number {number!r} is not a positive whole number")
    title = clean_cell(row.cell("task_title"))
    if not title:
        raise _RowError("task_title", f"task {number} has no title (目标任务 is empty)")
    # Format characters (U+200B, U+FEFF …) go before the names are split: one after a unit's name would otherwise
    # hide where the name ends (市经济和信息化局\u200b【中小办】).
    try:
        units, office = split_responsible(visible_name(clean_cell(row.cell("responsible"))).replace("\n", " "))
    except UnitsError as exc:
        raise _RowError("responsible", str(exc)) from exc
    try:
        phone = normalize_phone(row.cell("supervision"))
    except PhoneError as exc:
        raise _RowError("supervision", str(exc)) from exc
    # The people cell is split before it is cleaned: clean_cell drops every space beside a CJK character, and those
    # spaces are what separates 欧乾震 吴宇凡.
    people = split_people(visible_name(strip_markup(row.cell("people"))))
    return _Task(
        task_no=int(digits),
        title=title,
        units=tuple(visible_name(unit) for unit in units),
        office=visible_name(office) if office else None,
        people=tuple(visible_name(person) for person in people),
        phone=phone,
        annual_target=layout.text(row, "annual_target"),
    )


def _task_row(row: RawRow, task: _Task, layout: _Layout) -> TaskRow:
    plan_type: PlanType | None = None
    label: str | None = None
    if layout.plan_rows:
        label = re.sub(r"\s+", "", row.cell("plan_kind"))
        plan_type = PLAN_TYPES.get(label)
        if plan_type is None:
            raise _RowError("plan_kind", f"unknown row kind {label!r}; expected one of {', '.join(PLAN_TYPES)}")
    try:
        if "done" in layout.fields:
            status, status_text = status_of(row.cell("done"), row.cell("not_done"))
        elif "status" in layout.fields:
            status, status_text = status_of_word(row.cell("status"))
        else:
            status, status_text = None, None
    except StatusError as exc:
        raise _RowError("done" if "done" in layout.fields else "status", str(exc)) from exc
    return TaskRow(
        task_no=task.task_no,
        task_title=task.title,
        responsible_units=task.units,
        lead_office=task.office,
        responsible_people=task.people,
        phone=task.phone,
        plan_type=plan_type,
        plan_type_label=label,
        plan_text=layout.text(row, "period_plan"),
        annual_target=task.annual_target,
        status=status,
        status_text=status_text,
        progress_text=layout.text(row, "progress"),
        source_pages=row.pages,
        source_line=row.line,
    )


def _structure_problems(rows: list[TaskRow]) -> list[Problem]:
    """A task number may appear once per row kind (once, in a table of one row per task), with one set of task
    columns; a contradiction names both lines.

    A task opened twice with different task columns (two titles for task 5, say on two pages) is two tasks that
    cannot both be task 5: which one the report means is not for the parser to guess.
    """
    problems: list[Problem] = []
    seen: dict[tuple[int, str | None], TaskRow] = {}
    first_of_task: dict[int, TaskRow] = {}
    for row in rows:
        key = (row.task_no, row.plan_type)
        if key in seen:
            first = seen[key]
            what = f"a second {row.plan_type_label} row" if row.plan_type else "a second row"
            problems.append(
                Problem(
                    f"task {row.task_no} has {what} (first at line {first.source_line})",
                    page=row.source_pages[0],
                    line=row.source_line,
                    column="序号",
                )
            )
        else:
            seen[key] = row
        first = first_of_task.setdefault(row.task_no, row)
        for field, label in _TASK_ROW_FIELDS:
            if getattr(row, field) != getattr(first, field):
                problems.append(
                    Problem(
                        f"task {row.task_no} appears twice with different {label}: {getattr(first, field)!r} "
                        f"(page {first.source_pages[0]}, line {first.source_line}) and {getattr(row, field)!r}",
                        page=row.source_pages[0],
                        line=row.source_line,
                        column=label,
                    )
                )
                break
    return problems


# The task columns every row of one task shares, with the column each is read from.
_TASK_ROW_FIELDS: tuple[tuple[str, str], ...] = (
    ("task_title", "目标任务"),
    ("responsible_units", "责任分工"),
    ("lead_office", "责任分工"),
    ("responsible_people", "责任人"),
    ("phone", "监督方式"),
    ("annual_target", "年度目标"),
)


def content_sha256(report: Report) -> str:
    """Fingerprint of what a report says (metadata and normalized rows), whatever file format carried it.

    The PDF and the text dump of one report have different bytes but the same content hash, so loading the
    second is recognised as a duplicate rather than a new version. Fields a table does not have are left out and a
    quarter's metadata is written as before periods were general, so the reports loaded by earlier releases keep
    their fingerprint.
    """
    rows = [row.model_dump(exclude={"source_pages", "source_line"}, exclude_defaults=True) for row in report.rows]
    payload = {"meta": _meta_payload(report), "rows": rows}
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _meta_payload(report: Report) -> dict[str, Any]:
    meta = report.meta
    common = {"issuer": meta.issuer, "year": meta.year, "title": meta.title, "revision_label": meta.revision_label}
    if meta.period_kind == "quarter":
        return {**common, "quarter": meta.quarter}
    return {**common, "period_kind": meta.period_kind, "period_end_month": meta.period_end_month,
            "period_label": meta.period_label}  # fmt: skip
