"""What a bulletin says, read from the marts by the named queries of ``sql/bulletin/`` (read-only).

The counts are mart.supervision_summary's, the targets mart.target_attainment's (with mart.targets_behind's gap),
the open tasks mart.task_units', the sources mart.report_versions': the bulletin computes no figure of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from etl.report.data import period_name
from etl.report.queries import load_query, run_named_query

FOLDER = "bulletin"
# One figure of mart.target_attainment.considered_figures: "500家 企业数字化诊断工作 (诊断: counts …)".
_CONSIDERED = re.compile(r"^(?P<figure>\S+)(?: (?P<subject>.*?))? \((?P<reason>.*)\)$")


class BulletinError(LookupError):
    """No bulletin can be written: no such period or issuer in the warehouse, or an issuer must be chosen."""


@dataclass(frozen=True)
class IssuerPeriod:
    """A period one issuer has a current report for (sql/bulletin/periods.sql); not etl.periods.Period, which is
    only what a report covers."""

    issuer: str
    year: int
    end_month: int
    kind: str
    label: str | None
    is_synthetic: bool


@dataclass(frozen=True)
class Considered:
    """A figure of the task that was looked at as a target's actual and not used, and why (a figure_scope code)."""

    figure: str
    subject: str
    scope: str | None  # applications, diagnoses, one_quarter …; None when the reason is not a scope's


@dataclass(frozen=True)
class TargetLine:
    task_no: int
    target_no: int
    task_title: str
    lead_office: str | None
    units: str
    name: str  # the indicator's name, or the figure as written when no indicator takes it
    indicator: str | None
    measure: str | None
    unit: str
    comparator: str | None
    target_text: str
    actual_text: str | None
    attainment: float | None
    elapsed_share: float
    assessment: str
    considered: tuple[Considered, ...]
    gap: float | None
    gap_unit: str | None
    gap_text: str | None
    source_file: str
    source_pages: str


@dataclass(frozen=True)
class UnitOpenTask:
    """An open task as one responsible unit holds it (a row per unit); the report's OpenTask is the task whole."""

    unit: str | None  # one responsible unit; None when the table names none
    unit_no: int
    task_no: int
    task_title: str
    lead_office: str | None
    status: str
    status_text: str | None
    source_file: str
    source_pages: str


@dataclass(frozen=True)
class Source:
    file: str
    report_id: str
    format: str
    title: str
    revision_label: str | None
    loaded_at: datetime
    is_current: bool
    is_synthetic: bool


@dataclass(frozen=True)
class BulletinData:
    period: IssuerPeriod
    summary: dict[str, Any]  # the row of mart.supervision_summary, by column name
    targets: list[TargetLine]
    open_tasks: list[UnitOpenTask]
    sources: list[Source]


def read_bulletin_data(
    conn: duckdb.DuckDBPyConnection, sql_dir: Path, *, year: int | None, end_month: int | None, issuer: str | None
) -> BulletinData:
    """The bulletin of ``issuer`` for the period (default: the issuer's latest); BulletinError when there is none
    or, without ``issuer``, when the period has several."""
    period = _choose(periods(conn, sql_dir), year=year, end_month=end_month, issuer=issuer)
    params = {"issuer": period.issuer, "year": period.year, "period_end_month": period.end_month}
    scopes = dict(run_named_query(conn, sql_dir, "figure_scopes", folder=FOLDER))
    return BulletinData(
        period=period,
        summary=_summary(conn, sql_dir, params),
        targets=[_target(row, scopes) for row in _rows(conn, sql_dir, "targets", params)],
        open_tasks=[UnitOpenTask(**row) for row in _renamed(_rows(conn, sql_dir, "open_tasks", params))],
        sources=[Source(**_source(row)) for row in _rows(conn, sql_dir, "sources", params)],
    )


def periods(conn: duckdb.DuckDBPyConnection, sql_dir: Path) -> list[IssuerPeriod]:
    return [IssuerPeriod(str(i), int(y), int(m), str(k), lb, bool(s)) for i, y, m, k, lb, s in
            run_named_query(conn, sql_dir, "periods", folder=FOLDER)]  # fmt: skip


def _choose(found: list[IssuerPeriod], *, year: int | None, end_month: int | None, issuer: str | None) -> IssuerPeriod:
    if not found:
        raise BulletinError("the warehouse holds no report: ingest one first")
    issuers = sorted({p.issuer for p in found})
    if issuer is not None and issuer not in issuers:
        raise BulletinError(f"no report of issuer {issuer!r} in the warehouse; issuers: {'、'.join(issuers)}")
    candidates = [p for p in found if issuer in (None, p.issuer)]
    if year is not None:
        candidates = [p for p in candidates if (p.year, p.end_month) == (year, end_month)]
        if not candidates:
            mine = sorted({(p.year, p.end_month, p.kind, p.label) for p in found if issuer in (None, p.issuer)})
            loaded = "、".join(period_name(*period) for period in mine)
            raise BulletinError(f"no current report for {year} ending in month {end_month}; periods loaded: {loaded}")
    chosen = {p.issuer for p in candidates}
    if len(chosen) > 1:
        raise BulletinError(f"several issuers have this period: {'、'.join(sorted(chosen))}; choose one with --issuer")
    return candidates[0]  # newest first: the issuer's latest period when none was asked for


def _rows(conn: duckdb.DuckDBPyConnection, sql_dir: Path, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    text = load_query(sql_dir, name, FOLDER)
    relation = conn.execute(text, {key: value for key, value in params.items() if f"${key}" in text})
    names = [d[0] for d in relation.description]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def _summary(conn: duckdb.DuckDBPyConnection, sql_dir: Path, params: dict[str, Any]) -> dict[str, Any]:
    rows = _rows(conn, sql_dir, "summary", params)
    if len(rows) != 1:
        raise BulletinError(f"mart.supervision_summary has {len(rows)} rows for {params}, expected one")
    return rows[0]


def considered_figures(text: str | None, scopes: dict[str, str]) -> tuple[Considered, ...]:
    """The figures of mart.target_attainment.considered_figures, each with the scope code its reason stands for."""
    found = []
    for part in (text or "").split("; "):
        match = _CONSIDERED.match(part.strip())
        if match:
            reason = match.group("reason")
            found.append(Considered(match.group("figure"), match.group("subject") or "", scopes.get(reason)))
    return tuple(found)


def _target(row: dict[str, Any], scopes: dict[str, str]) -> TargetLine:
    return TargetLine(
        task_no=int(row["task_no"]),
        target_no=int(row["target_no"]),
        task_title=str(row["task_title"]),
        lead_office=row["lead_office"],
        units=str(row["responsible_units_text"] or ""),
        name=str(row["indicator_name"]),
        indicator=row["indicator"],
        measure=row["measure"],
        unit=str(row["unit"] or ""),
        comparator=row["comparator"],
        target_text=str(row["target_text"]),
        actual_text=row["actual_text"],
        attainment=row["attainment"],
        elapsed_share=float(row["elapsed_share"]),
        assessment=str(row["assessment"]),
        considered=considered_figures(row["considered_figures"], scopes),
        gap=row["gap"],
        gap_unit=row["gap_unit"],
        gap_text=row["gap_text"],
        source_file=str(row["source_file"] or ""),
        source_pages=str(row["source_pages_text"] or ""),
    )


def _renamed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "unit": r["responsible_unit"],
            "unit_no": int(r["unit_no"]),
            "task_no": int(r["task_no"]),
            "task_title": str(r["task_title"]),
            "lead_office": r["lead_office"],
            "status": str(r["status"]),
            "status_text": r["status_text"],
            "source_file": str(r["source_file"] or ""),
            "source_pages": str(r["source_pages_text"] or ""),
        }
        for r in rows
    ]


def _source(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "file": str(row["source_file"]),
        "report_id": str(row["report_id"]),
        "format": str(row["source_format"]),
        "title": str(row["title"] or ""),
        "revision_label": row["revision_label"],
        "loaded_at": row["loaded_at"],
        "is_current": bool(row["is_current"]),
        "is_synthetic": bool(row["is_synthetic"]),
    }
