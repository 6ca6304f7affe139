"""Turn a RawReport into a Report: metadata from the title, one TaskRow per task and row kind.

Each task has two rows, 进度安排 (schedule: the quarter's milestone) and 施工图 (roadmap: the steps); the task
columns (序号, 目标任务, 责任分工, 监督方式) are filled on the first row only, because they are merged cells in
the PDF, so later rows inherit them.
"""

from __future__ import annotations

import hashlib
import json
import re

from etl.errors import Problem, ReportError
from etl.metrics.report import report_metrics
from etl.models import COLUMN_LABELS, PlanType, RawReport, RawRow, Report, TaskRow
from etl.normalize.phone import PhoneError, normalize_phone
from etl.normalize.status import StatusError, status_of
from etl.normalize.text import clean_cell
from etl.normalize.units import UnitsError, split_responsible
from etl.parse.title import TitleError, report_meta

# 季度类别 (row kind) labels and what they mean.
PLAN_TYPES: dict[str, PlanType] = {"进度安排": "schedule", "施工图": "roadmap"}
TASK_COLUMNS: tuple[str, ...] = ("task_no", "task_title", "responsible", "supervision")
# Full-width digits (０-９, U+FF10-FF19), which Chinese input methods type, as ASCII digits.
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_TASK_NUMBER = re.compile(r"[0-9]{1,9}")


class _Task:
    """The task columns of the row that opened a task, inherited by its following rows."""

    def __init__(self, task_no: int, title: str, units: tuple[str, ...], office: str | None, phone: str | None):
        self.task_no = task_no
        self.title = title
        self.units = units
        self.office = office
        self.phone = phone


def parse_report(raw: RawReport) -> Report:
    """Parse and normalize every row; raise ReportError listing every problem with its page and line."""
    try:
        meta = report_meta(raw.title, raw.quarter_header, raw.header_quarter)
    except TitleError as exc:
        raise ReportError.single(raw.source_file, str(exc), page=1) from exc

    problems: list[Problem] = []
    rows: list[TaskRow] = []
    current: _Task | None = None
    for raw_row in raw.rows:
        try:
            opened = _task_of(raw_row)
            if opened is not None:
                current = opened
            elif current is None:
                raise _RowError("task_no", "row before any task: 序号 is empty on the first row")
            rows.append(_task_row(raw_row, current))
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


def _task_of(row: RawRow) -> _Task | None:
    """The task a row opens, or None when its task columns are empty (a continuation row)."""
    values = {name: row.cell(name).strip() for name in TASK_COLUMNS}
    number = re.sub(r"\s+", "", values["task_no"])
    if not number:
        filled = [name for name in TASK_COLUMNS[1:] if values[name]]
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
    try:
        units, office = split_responsible(clean_cell(row.cell("responsible")).replace("\n", " "))
    except UnitsError as exc:
        raise _RowError("responsible", str(exc)) from exc
    try:
        phone = normalize_phone(row.cell("supervision"))
    except PhoneError as exc:
        raise _RowError("supervision", str(exc)) from exc
    return _Task(int(digits), title, units, office, phone)


def _task_row(row: RawRow, task: _Task) -> TaskRow:
    label = re.sub(r"\s+", "", row.cell("plan_kind"))
    plan_type = PLAN_TYPES.get(label)
    if plan_type is None:
        raise _RowError("plan_kind", f"unknown row kind {label!r}; expected one of {', '.join(PLAN_TYPES)}")
    try:
        status, status_text = status_of(row.cell("done"), row.cell("not_done"))
    except StatusError as exc:
        raise _RowError("done", str(exc)) from exc
    return TaskRow(
        task_no=task.task_no,
        task_title=task.title,
        responsible_units=task.units,
        lead_office=task.office,
        phone=task.phone,
        plan_type=plan_type,
        plan_type_label=label,
        plan_text=clean_cell(row.cell("quarter_plan")),
        status=status,
        status_text=status_text,
        progress_text=clean_cell(row.cell("progress")),
        source_pages=row.pages,
        source_line=row.line,
    )


def _structure_problems(rows: list[TaskRow]) -> list[Problem]:
    """A task number may appear once per row kind, with one set of task columns; a contradiction names both lines.

    A task opened twice with different task columns (two titles for task 5, say on two pages) is two tasks that
    cannot both be task 5: which one the report means is not for the parser to guess.
    """
    problems: list[Problem] = []
    seen: dict[tuple[int, str], TaskRow] = {}
    first_of_task: dict[int, TaskRow] = {}
    for row in rows:
        key = (row.task_no, row.plan_type)
        if key in seen:
            first = seen[key]
            problems.append(
                Problem(
                    f"task {row.task_no} has a second {row.plan_type_label} row (first at line {first.source_line})",
                    page=row.source_pages[0],
                    line=row.source_line,
                    column="序号",
                )
            )
        else:
            seen[key] = row
        first = first_of_task.setdefault(row.task_no, row)
        for field, label in _TASK_FIELDS:
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
_TASK_FIELDS: tuple[tuple[str, str], ...] = (
    ("task_title", "目标任务"),
    ("responsible_units", "责任分工"),
    ("lead_office", "责任分工"),
    ("phone", "监督方式"),
)


def content_sha256(report: Report) -> str:
    """Fingerprint of what a report says (metadata and normalized rows), whatever file format carried it.

    The PDF and the text dump of one report have different bytes but the same content hash, so loading the
    second is recognised as a duplicate rather than a new version.
    """
    rows = [row.model_dump(exclude={"source_pages", "source_line"}) for row in report.rows]
    payload = {"meta": report.meta.model_dump(), "rows": rows}
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
