"""What the report shows, read from the warehouse's mart views (over a read-only connection)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

STATUS_LABELS = {"completed": "已完成", "in_progress": "正在推进", "not_completed": "未完成"}
ALL_OFFICES = "全部科室"


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}年Q{quarter}"


@dataclass(frozen=True)
class Completion:
    issuer: str
    year: int
    quarter: int
    office: str  # ALL_OFFICES for the row of all offices
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
    prev_quarter: int
    prev_status: str
    status: str


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
    yoy_change: float
    yoy_pct: float | None


@dataclass(frozen=True)
class Attainment:
    issuer: str
    year: int
    quarter: int
    task_no: int
    indicator: str
    name: str
    unit: str
    target_value: float
    actual_value: float
    attainment: float
    elapsed_share: float
    on_track: bool


@dataclass(frozen=True)
class Headline:
    reports: int
    current_reports: int
    tasks: int
    first: str | None
    last: str | None


@dataclass(frozen=True)
class ReportData:
    headline: Headline
    completion: list[Completion]
    status_counts: list[StatusCount]
    status_changes: list[StatusChange]
    year_over_year: list[YearOverYear]
    attainment: list[Attainment]

    @property
    def behind(self) -> list[Attainment]:
        """Targets whose attainment is below the elapsed share of the year (序时进度)."""
        return [a for a in self.attainment if not a.on_track]


def read_report_data(conn: duckdb.DuckDBPyConnection) -> ReportData:
    return ReportData(
        headline=headline(conn),
        completion=completion(conn),
        status_counts=status_counts(conn),
        status_changes=status_changes(conn),
        year_over_year=year_over_year(conn),
        attainment=attainment(conn),
    )


def headline(conn: duckdb.DuckDBPyConnection) -> Headline:
    row = conn.execute(
        """
        select
            (select count(*) from mart.report_versions),
            (select count(*) from mart.report_versions where is_current),
            (select count(*) from (select distinct issuer, year, task_no from mart.task_progress)),
            (select min(year * 10 + quarter) from mart.task_progress),
            (select max(year * 10 + quarter) from mart.task_progress)
        """
    ).fetchone()
    assert row is not None
    first, last = row[3], row[4]
    return Headline(
        reports=int(row[0]),
        current_reports=int(row[1]),
        tasks=int(row[2]),
        first=quarter_label(first // 10, first % 10) if first else None,
        last=quarter_label(last // 10, last % 10) if last else None,
    )


def completion(conn: duckdb.DuckDBPyConnection) -> list[Completion]:
    rows = conn.execute(
        "select issuer, year, quarter, coalesce(lead_office, ?), tasks, tasks_completed, completion_rate "
        "from mart.quarterly_completion order by issuer, year, quarter, lead_office nulls first",
        [ALL_OFFICES],
    ).fetchall()
    return [Completion(str(i), int(y), int(q), str(o), int(t), int(c), float(r)) for i, y, q, o, t, c, r in rows]


def status_counts(conn: duckdb.DuckDBPyConnection) -> list[StatusCount]:
    rows = conn.execute(
        "select year, quarter, status, count(*) from mart.task_history group by all order by all"
    ).fetchall()
    return [StatusCount(int(y), int(q), str(s), int(n)) for y, q, s, n in rows]


def status_changes(conn: duckdb.DuckDBPyConnection) -> list[StatusChange]:
    rows = conn.execute(
        "select issuer, year, quarter, task_no, task_title, prev_quarter, prev_status, status "
        "from mart.task_history where status_changed order by issuer, year, quarter, task_no"
    ).fetchall()
    return [
        StatusChange(str(i), int(y), int(q), int(n), str(t), int(pq), str(ps), str(s))
        for i, y, q, n, t, pq, ps, s in rows
    ]


def year_over_year(conn: duckdb.DuckDBPyConnection) -> list[YearOverYear]:
    """Indicators with a value for the same quarter of the previous year."""
    rows = conn.execute(
        """
        select y.issuer, y.year, y.quarter, y.indicator, coalesce(i.indicator_name, y.indicator), y.unit,
               y.value, y.prev_year_value, y.yoy_change, y.yoy_pct
        from mart.indicator_yoy as y
        left join core.indicator as i on i.indicator = y.indicator
        where y.prev_year_value is not null
        order by y.issuer, y.year, y.quarter, i.priority, y.indicator
        """
    ).fetchall()
    return [
        YearOverYear(str(i), int(y), int(q), str(c), str(n), str(u), float(v), float(p), float(d), _float(pct))
        for i, y, q, c, n, u, v, p, d, pct in rows
    ]


def attainment(conn: duckdb.DuckDBPyConnection) -> list[Attainment]:
    """Targets with an actual figure, judged against the elapsed share of the year."""
    rows = conn.execute(
        """
        select t.issuer, t.year, t.quarter, t.task_no, t.indicator, coalesce(i.indicator_name, t.indicator), t.unit,
               t.target_value, t.actual_value, t.attainment, t.elapsed_share, t.on_track
        from mart.target_attainment as t
        left join core.indicator as i on i.indicator = t.indicator
        where t.attainment is not null
        order by t.issuer, t.year, t.quarter, t.task_no, t.indicator
        """
    ).fetchall()
    return [
        Attainment(
            str(i), int(y), int(q), int(n), str(c), str(m), str(u), float(tv), float(av), float(a), float(e), bool(o)
        )
        for i, y, q, n, c, m, u, tv, av, a, e, o in rows
    ]


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
