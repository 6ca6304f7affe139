"""What the report shows, read from the warehouse's mart views by the named queries of ``sql/report/``.

Periods are keyed by year and end month (三季度 and 1-9月 are one period) and shown by their words (2024年三季度,
2021年半年度); a period whose current report is synthetic demo data is marked so wherever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from etl.periods import Period, declared_period, period_spec
from etl.report.queries import run_named_query
from etl.vocabulary import PERIOD_KINDS, STATUS_LABELS, PeriodKind

__all__ = [
    "ASSESSMENT_LABELS",
    "STATUS_LABELS",
    "PeriodKey",
    "ReportData",
    "period_name",
    "read_report_data",
    "status_label",
]

# How a target stands (mart.target_attainment.assessment), as the page prints it, in the page's order.
ASSESSMENT_LABELS: dict[str, str] = {
    "achieved": "已完成目标",
    "on_track": "达到序时进度",
    "behind": "落后序时进度",
    "no_actual_reported": "未报告实际值",
    "not_comparable": "无法比较",
}
NO_STATUS = "无状态栏"  # a table without a status column: nothing is guessed
SYNTHETIC_MARK = "（合成）"


def status_label(status: str | None) -> str:
    """已完成 / 未完成 / 正在推进 … for a status (etl.vocabulary), 无状态栏 for none, the value itself if unknown."""
    if status is None:
        return NO_STATUS
    labels: dict[str, str] = {str(key): label for key, label in STATUS_LABELS.items()}
    return labels.get(status, status)


@dataclass(frozen=True, order=True)
class PeriodKey:
    """A period of a year: January to ``end_month`` (reports are cumulative)."""

    year: int
    end_month: int


def period_name(year: int, end_month: int, kind: str | None, label: str | None) -> str:
    """2024年三季度, 2021年半年度, 2022年截至10月31日: the year and the period's words (for a declared period, which
    has none written, the word an office would use: 三季度, 上半年, 1-11月, 全年)."""
    if not label:
        word_kind: PeriodKind = next((k for k in PERIOD_KINDS if k == kind), "months")
        label = declared_period(period_spec(year, Period(word_kind, end_month, "")))[1].label
    return f"{year}年{label}"


@dataclass(frozen=True)
class Headline:
    period: PeriodKey | None  # the period the page leads with
    name: str | None  # its words: 2024年三季度
    reports: int
    current_reports: int
    revisions: int  # files that are a re-issue (（修订）): "修订版取代原版" is said only when there is one
    last_loaded_at: datetime | None
    first: str | None
    last: str | None
    tasks_by_issuer: list[int]  # per issuer of the period led with: its distinct tasks of that year (one list each)
    issuers: list[str]

    @property
    def tasks_this_year(self) -> int:
        return sum(self.tasks_by_issuer)


@dataclass(frozen=True)
class Completion:
    issuer: str
    period: PeriodKey
    name: str
    tasks: int
    tasks_completed: int
    completion_rate: float | None  # NULL for a table without status column
    is_synthetic: bool  # the period's current report is synthetic demo data, not a real report


@dataclass(frozen=True)
class OfficeCompletion:
    issuer: str
    period: PeriodKey
    name: str
    office: str
    tasks: int
    tasks_completed: int
    completion_rate: float | None


@dataclass(frozen=True)
class StatusCount:
    period: PeriodKey
    name: str
    status: str | None
    tasks: int


@dataclass(frozen=True)
class StatusChange:
    issuer: str
    period: PeriodKey
    name: str
    task_no: int
    task_title: str
    lead_office: str | None
    prev_name: str  # the previous period's words: 二季度
    prev_status: str
    status: str


@dataclass(frozen=True)
class ProgressRow:
    """One row of an open task (进度安排 or 施工图, or the task's only row): its plan and what was done (落实情况)."""

    plan_type_label: str  # empty for a table of one row per task
    status: str | None
    status_text: str
    plan_text: str
    progress_text: str


@dataclass(frozen=True)
class OpenTask:
    issuer: str
    period: PeriodKey
    task_no: int
    task_title: str
    lead_office: str | None
    status: str
    rows: list[ProgressRow]


@dataclass(frozen=True)
class YearOverYear:
    issuer: str
    period: PeriodKey
    name_of_period: str
    indicator: str
    name: str
    unit: str
    value: float
    prev_year_value: float
    yoy_difference: float  # value - prev_year_value, in the indicator's unit
    change_kind: str  # percentage_points (a rate: the difference in points) or relative (a quantity: percent)
    yoy_change: float | None  # points for percentage_points, percent for relative; NULL when prev is 0
    synthetic: tuple[str, ...] = ()  # which of the two periods compared is synthetic: 本期 / 上年同期

    @property
    def change_text(self) -> str:
        if self.yoy_change is None:
            return "—"
        if self.change_kind == "percentage_points":
            return f"{self.yoy_change:+.1f} 个百分点"
        return f"{self.yoy_change:+.1f}%"


@dataclass(frozen=True)
class Target:
    """A target of a task title, measured or not, with its assessment and the reason for it."""

    issuer: str
    period: PeriodKey
    task_no: int
    target_no: int
    task_title: str
    lead_office: str | None
    indicator: str | None  # NULL when no catalog indicator takes the target figure
    name: str  # indicator name, or the figure as written when no indicator takes it
    measure: str | None  # cumulative (序时进度 applies), level or rate (judged against the target itself)
    unit: str
    target_text: str  # as written, e.g. 260户以上
    target_value: float
    actual_text: str | None
    actual_value: float | None
    attainment: float | None
    elapsed_share: float | None  # end month / 12 for cumulative targets only
    expected_value: float | None  # what the actual is compared with
    assessment: str
    assessment_reason: str

    @property
    def assessment_label(self) -> str:
        return ASSESSMENT_LABELS.get(self.assessment, self.assessment)


@dataclass(frozen=True)
class ReportData:
    headline: Headline
    completion: list[Completion]
    office_completion: list[OfficeCompletion]
    status_counts: list[StatusCount]
    status_changes: list[StatusChange]
    open_tasks: list[OpenTask]
    year_over_year: list[YearOverYear]
    targets: list[Target]
    synthetic: frozenset[tuple[str, PeriodKey]] = field(default_factory=frozenset)  # (issuer, period) synthetic

    def _latest(self, period: PeriodKey) -> bool:
        return period == self.headline.period

    @property
    def latest_targets(self) -> list[Target]:
        """Every target of the period the page leads with: measured, unmeasured and not comparable alike."""
        return [t for t in self.targets if self._latest(t.period)]

    @property
    def behind(self) -> list[Target]:
        """Targets of that period behind the elapsed share of the year (序时进度)."""
        return [t for t in self.latest_targets if t.assessment == "behind"]

    @property
    def latest_status_changes(self) -> list[StatusChange]:
        return [c for c in self.status_changes if self._latest(c.period)]

    @property
    def latest_completion(self) -> list[Completion]:
        return [c for c in self.completion if self._latest(c.period)]

    @property
    def synthetic_periods(self) -> list[str]:
        """Periods whose current report is synthetic demo data (labelled so on the page)."""
        ordered = sorted(self.completion, key=lambda c: c.period)
        return [c.name.removesuffix(SYNTHETIC_MARK) for c in ordered if c.is_synthetic]


class UnknownPeriodError(LookupError):
    """The period asked for (``etl report --period``) has no current report in the warehouse."""


def read_report_data(conn: duckdb.DuckDBPyConnection, sql_dir: Path, period: PeriodKey | None = None) -> ReportData:
    """Everything the page shows; it leads with ``period`` (default: the latest period loaded)."""
    completion_rows = run_named_query(conn, sql_dir, "issuer_completion")
    synthetic = frozenset((str(i), PeriodKey(int(y), int(m))) for i, y, m, *_, s in completion_rows if s)
    names = _Names(synthetic)
    completion = [
        Completion(str(i), PeriodKey(int(y), int(m)), names(i, y, m, k, lb), int(t), int(c), _float(r), bool(s))
        for i, y, m, k, lb, t, c, r, s in completion_rows
    ]
    if period is not None and all(c.period != period for c in completion):
        loaded = "、".join(c.name for c in sorted(completion, key=lambda c: c.period)) or "none"
        raise UnknownPeriodError(
            f"no current report for {period.year} ending in month {period.end_month} in the warehouse; "
            f"periods loaded: {loaded}"
        )
    latest = run_named_query(conn, sql_dir, "latest_period")
    lead = period or (PeriodKey(int(latest[0][0]), int(latest[0][1])) if latest else None)
    params = {"year": lead.year if lead else None, "period_end_month": lead.end_month if lead else None}
    return ReportData(
        headline=_headline(run_named_query(conn, sql_dir, "headline", params)[0], lead, completion, names),
        completion=completion,
        office_completion=[
            OfficeCompletion(str(i), PeriodKey(int(y), int(m)), names(i, y, m, k, lb), str(o), int(t), int(c),
                             _float(r))
            for i, y, m, k, lb, o, t, c, r in run_named_query(conn, sql_dir, "office_completion")
        ],
        status_counts=[
            StatusCount(PeriodKey(int(y), int(m)), names(None, y, m, k, lb), _str(s), int(n))
            for y, m, k, lb, s, n in run_named_query(conn, sql_dir, "status_counts")
        ],
        status_changes=[
            StatusChange(str(i), PeriodKey(int(y), int(m)), names(i, y, m, k, lb), int(n), str(t), _str(o),
                         names(i, y, pm, k, plb).removeprefix(f"{y}年"), str(ps), str(s))
            for i, y, m, k, lb, n, t, o, pm, plb, ps, s in run_named_query(conn, sql_dir, "status_changes")
        ],
        open_tasks=[
            OpenTask(str(i), PeriodKey(int(y), int(m)), int(n), str(t), _str(o), str(s),
                     [_progress_row(r) for r in rows])
            for i, y, m, _k, _lb, n, t, o, s, rows in (
                run_named_query(conn, sql_dir, "open_tasks", params) if lead else []
            )
        ],
        year_over_year=[
            YearOverYear(str(i), PeriodKey(int(y), int(m)), names(i, y, m, k, lb), str(c), str(n), str(u), float(v),
                         float(p), float(d), str(ck), _float(ch), names.compared(i, y, m))
            for i, y, m, k, lb, c, n, u, v, p, d, ck, ch in run_named_query(conn, sql_dir, "year_over_year")
        ],
        targets=_targets(run_named_query(conn, sql_dir, "target_attainment")),
        synthetic=synthetic,
    )  # fmt: skip


class _Names:
    """Period names as the page shows them: 2024年三季度, with （合成） for a synthetic report's period (of the issuer,
    or of any issuer where the figure adds issuers up)."""

    def __init__(self, synthetic: frozenset[tuple[str, PeriodKey]]) -> None:
        self.synthetic = synthetic

    def is_synthetic(self, issuer: str | None, period: PeriodKey) -> bool:
        return any(p == period and issuer in (None, i) for i, p in self.synthetic)

    def __call__(self, issuer: str | None, year: int, month: int, kind: str | None, label: str | None) -> str:
        mark = SYNTHETIC_MARK if self.is_synthetic(issuer, PeriodKey(year, month)) else ""
        return period_name(year, month, kind, label) + mark

    def compared(self, issuer: str, year: int, month: int) -> tuple[str, ...]:
        """Which of a year-over-year pair is synthetic: 本期 (this period), 上年同期 (the period a year before)."""
        pairs = (("本期", PeriodKey(year, month)), ("上年同期", PeriodKey(year - 1, month)))
        return tuple(word for word, period in pairs if self.is_synthetic(issuer, period))


def _targets(rows: list[tuple[Any, ...]]) -> list[Target]:
    return [
        Target(
            str(i), PeriodKey(int(y), int(m)), int(n), int(no), str(t), _str(o), _str(c), str(nm), _str(me), str(u),
            str(tt), float(tv), _str(at), _float(av), _float(a), _float(e), _float(ev), str(s), str(r),
        )
        for i, y, m, _k, _lb, n, no, t, o, c, nm, me, u, tt, tv, at, av, a, e, ev, s, r in rows
    ]  # fmt: skip


def _headline(row: tuple[Any, ...], lead: PeriodKey | None, completion: list[Completion], named: _Names) -> Headline:
    reports, current, revisions, loaded_at, first_key, first_label, last_key, last_label, tasks, issuers = row
    names = {c.period: c.name for c in completion}
    return Headline(
        period=lead,
        name=named(None, lead.year, lead.end_month, None, _label(completion, lead)) if lead else None,
        reports=int(reports),
        current_reports=int(current),
        revisions=int(revisions),
        last_loaded_at=loaded_at,
        first=_name(first_key, first_label, names),
        last=_name(last_key, last_label, names),
        tasks_by_issuer=[int(n) for n in tasks or []],
        issuers=[str(i) for i in issuers or []],
    )


def _label(completion: list[Completion], period: PeriodKey) -> str | None:
    """The words of a period (of its first issuer's report): 三季度."""
    name = next((c.name for c in completion if c.period == period), None)
    return name.removeprefix(f"{period.year}年").removesuffix(SYNTHETIC_MARK) if name else None


def _name(key: int | None, label: str | None, names: dict[PeriodKey, str]) -> str | None:
    if key is None:
        return None
    period = PeriodKey(int(key) // 100, int(key) % 100)
    return names.get(period) or period_name(period.year, period.end_month, None, label or None)


def _progress_row(row: dict[str, Any]) -> ProgressRow:
    return ProgressRow(
        plan_type_label=str(row["plan_type_label"] or ""),
        status=_str(row["status"]),
        status_text=str(row["status_text"] or ""),
        plan_text=str(row["plan_text"] or ""),
        progress_text=str(row["progress_text"] or ""),
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
