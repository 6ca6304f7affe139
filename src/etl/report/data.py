"""What the report shows, read from the warehouse's mart views by the named queries of ``sql/report/``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from etl.report.queries import run_query
from etl.vocabulary import STATUS_LABELS

__all__ = ["ASSESSMENT_LABELS", "STATUS_LABELS", "ReportData", "quarter_label", "read_report_data", "status_label"]

# How a target stands (mart.target_attainment.assessment), as the page prints it, in the page's order.
ASSESSMENT_LABELS: dict[str, str] = {
    "achieved": "已完成目标",
    "on_track": "达到序时进度",
    "behind": "落后序时进度",
    "no_actual_reported": "未报告实际值",
    "not_comparable": "无法比较",
}


def status_label(status: str) -> str:
    """已完成 / 未完成 / 正在推进 for a status (etl.vocabulary), the value itself for an unknown one."""
    labels: dict[str, str] = {str(key): label for key, label in STATUS_LABELS.items()}
    return labels.get(status, status)


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}年Q{quarter}"


def _year_quarter(value: int | None) -> str | None:
    return None if value is None else quarter_label(value // 10, value % 10)


@dataclass(frozen=True)
class Headline:
    year: int | None  # the latest quarter: the one the page leads with
    quarter: int | None
    reports: int
    current_reports: int
    last_loaded_at: datetime | None
    first: str | None
    last: str | None
    tasks_by_issuer: list[int]  # per issuer of the latest quarter: its distinct tasks of that year (one list each)
    issuers: list[str]

    @property
    def tasks_this_year(self) -> int:
        return sum(self.tasks_by_issuer)

    @property
    def latest_label(self) -> str | None:
        return None if self.year is None or self.quarter is None else quarter_label(self.year, self.quarter)


@dataclass(frozen=True)
class Completion:
    issuer: str
    year: int
    quarter: int
    tasks: int
    tasks_completed: int
    completion_rate: float
    is_synthetic: bool  # the quarter's current report is synthetic demo data, not a real report


@dataclass(frozen=True)
class OfficeCompletion:
    issuer: str
    year: int
    quarter: int
    office: str
    tasks: int
    tasks_completed: int
    completion_rate: float


@dataclass(frozen=True)
class StatusCount:
    year: int
    quarter: int
    status: str
    tasks: int


@dataclass(frozen=True)
class StatusChange:
    issuer: str
    year: int
    quarter: int
    task_no: int
    task_title: str
    lead_office: str | None
    prev_quarter: int
    prev_status: str
    status: str


@dataclass(frozen=True)
class ProgressRow:
    """One row (进度安排 or 施工图) of an open task: its plan and what was done (落实情况)."""

    plan_type_label: str
    status: str
    status_text: str
    plan_text: str
    progress_text: str


@dataclass(frozen=True)
class OpenTask:
    issuer: str
    year: int
    quarter: int
    task_no: int
    task_title: str
    lead_office: str | None
    status: str
    rows: list[ProgressRow]


@dataclass(frozen=True)
class YearOverYear:
    issuer: str
    year: int
    quarter: int
    indicator: str
    name: str
    unit: str
    value: float
    prev_year_value: float
    yoy_difference: float  # value - prev_year_value, in the indicator's unit
    change_kind: str  # percentage_points (a rate: the difference in points) or relative (a quantity: percent)
    yoy_change: float | None  # points for percentage_points, percent for relative; NULL when prev is 0

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
    year: int
    quarter: int
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
    elapsed_share: float | None  # quarter / 4 for cumulative targets only
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

    def _latest(self, year: int, quarter: int) -> bool:
        return (year, quarter) == (self.headline.year, self.headline.quarter)

    @property
    def latest_targets(self) -> list[Target]:
        """Every target of the latest quarter: measured, unmeasured and not comparable alike."""
        return [t for t in self.targets if self._latest(t.year, t.quarter)]

    @property
    def behind(self) -> list[Target]:
        """Targets of the latest quarter behind the elapsed share of the year (序时进度)."""
        return [t for t in self.latest_targets if t.assessment == "behind"]

    @property
    def latest_status_changes(self) -> list[StatusChange]:
        return [c for c in self.status_changes if self._latest(c.year, c.quarter)]

    @property
    def latest_completion(self) -> list[Completion]:
        return [c for c in self.completion if self._latest(c.year, c.quarter)]

    @property
    def synthetic_quarters(self) -> list[str]:
        """Quarters whose current report is synthetic demo data (labelled so on the page)."""
        return sorted({quarter_label(c.year, c.quarter) for c in self.completion if c.is_synthetic})


def read_report_data(conn: duckdb.DuckDBPyConnection, sql_dir: Path) -> ReportData:
    latest = run_query(conn, sql_dir, "latest_quarter")
    year, quarter = (int(latest[0][0]), int(latest[0][1])) if latest else (None, None)
    params = {"year": year, "quarter": quarter}
    return ReportData(
        headline=_headline(run_query(conn, sql_dir, "headline", params)[0], year, quarter),
        completion=[
            Completion(str(i), int(y), int(q), int(t), int(c), float(r), bool(s))
            for i, y, q, t, c, r, s in run_query(conn, sql_dir, "issuer_completion")
        ],
        office_completion=[
            OfficeCompletion(str(i), int(y), int(q), str(o), int(t), int(c), float(r))
            for i, y, q, o, t, c, r in run_query(conn, sql_dir, "office_completion")
        ],
        status_counts=[
            StatusCount(int(y), int(q), str(s), int(n)) for y, q, s, n in run_query(conn, sql_dir, "status_counts")
        ],
        status_changes=[
            StatusChange(str(i), int(y), int(q), int(n), str(t), _str(o), int(pq), str(ps), str(s))
            for i, y, q, n, t, o, pq, ps, s in run_query(conn, sql_dir, "status_changes")
        ],
        open_tasks=[
            OpenTask(str(i), int(y), int(q), int(n), str(t), _str(o), str(s), [_progress_row(r) for r in rows])
            for i, y, q, n, t, o, s, rows in (run_query(conn, sql_dir, "open_tasks", params) if latest else [])
        ],
        year_over_year=[
            YearOverYear(
                str(i), int(y), int(q), str(c), str(n), str(u), float(v), float(p), float(d), str(k), _float(ch)
            )
            for i, y, q, c, n, u, v, p, d, k, ch in run_query(conn, sql_dir, "year_over_year")
        ],
        targets=[
            Target(
                str(i), int(y), int(q), int(n), int(no), str(t), _str(o), _str(c), str(m), _str(me), str(u), str(tt),
                float(tv), _str(at), _float(av), _float(a), _float(e), _float(ev), str(s), str(r),
            )
            for i, y, q, n, no, t, o, c, m, me, u, tt, tv, at, av, a, e, ev, s, r
            in run_query(conn, sql_dir, "target_attainment")
        ],
    )  # fmt: skip


def _headline(row: tuple[Any, ...], year: int | None, quarter: int | None) -> Headline:
    reports, current, loaded_at, first, last, tasks, issuers = row
    return Headline(
        year=year,
        quarter=quarter,
        reports=int(reports),
        current_reports=int(current),
        last_loaded_at=loaded_at,
        first=_year_quarter(first),
        last=_year_quarter(last),
        tasks_by_issuer=[int(n) for n in tasks or []],
        issuers=[str(i) for i in issuers or []],
    )


def _progress_row(row: dict[str, Any]) -> ProgressRow:
    return ProgressRow(
        plan_type_label=str(row["plan_type_label"] or ""),  # empty for a table of one row per task
        status=str(row["status"] or ""),
        status_text=str(row["status_text"] or ""),
        plan_text=str(row["plan_text"] or ""),
        progress_text=str(row["progress_text"] or ""),
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
