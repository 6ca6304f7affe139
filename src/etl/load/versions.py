"""A new version of a report against the current version of its period, before it is loaded (issue 22).

A version replaces the current one of the same issuer and period when it is a re-issue (修订 …) or the current one
is not (:func:`replaces`, the order of staging.report_version). Two things are checked then:

- **Dropped tasks: held.** The bureau's text dump cut at 90 % of its bytes loaded as the current 2024 Q3 with 15 of
  its 17 tasks, silently. A file cut short loses its last tasks, so a new version that drops any task of the version
  it would replace is refused, naming them, and the current version stays (the inbox quarantines the file with the
  reason). If the issuer did withdraw the tasks, the version is loaded with ``--accept-dropped-tasks``
  (`etl ingest`, `etl poll`): then it replaces the current one, with a warning naming the tasks; the archive
  record keeps that acceptance so `etl rebuild` replays it the same way.
- **A second version without （修订）: a warning naming what changed.** "Latest load wins" stays, but a version that
  replaces the current one without calling itself a re-issue gets a warning (suite ``history_versions``) listing
  the tasks and columns that changed, added and dropped tasks: in ``mart.open_warnings`` and the run's summary.

The period compared is the one staging.report_version ranks versions in: issuer × year × period_end_month (三季度,
1-9月 and 前三季度 are one period; 上半年 and 三季度 are not), here and in sql/queries/gate_current_version.sql.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from etl.models import Report
from etl.named_queries import query
from etl.parse.report import content_sha256
from etl.validate.gate import ExpectationResult, ValidationOutcome
from etl.validate.suites import WARNING

SUITE = "history_versions"
# The columns compared between versions, with the names people know them by.
COMPARED = {
    "task_title": "目标任务",
    "lead_office": "牵头科室",
    "status": "完成情况",
    "plan_text": "计划",
    "progress_text": "落实情况",
}
MAX_LISTED = 10


@dataclass(frozen=True)
class DroppedTasksAccepted:
    """Which files of a run may drop tasks of the version they replace: every file (``--accept-dropped-tasks``), or
    the files with these SHA-256 (a rebuild replaying what a poll accepted)."""

    everything: bool = False
    files: frozenset[str] = frozenset()

    def __contains__(self, sha256: object) -> bool:
        return self.everything or sha256 in self.files

    @classmethod
    def of(cls, values: Sequence[str] | None) -> DroppedTasksAccepted:
        """From a flow parameter: SHA-256s, or ``["*"]`` for every file."""
        values = list(values or ())
        return cls(everything="*" in values, files=frozenset(v for v in values if v != "*"))

    def as_list(self) -> list[str]:
        return ["*"] if self.everything else sorted(self.files)


@dataclass
class Replaced:
    """The current version a new report would replace, and how the new one differs from it."""

    report_id: str
    source_file: str
    revision_label: str | None
    content_sha256: str
    rows: dict[tuple[int, str | None], dict[str, Any]] = field(default_factory=dict)  # (task_no, plan_type): columns
    titles: dict[int, str] = field(default_factory=dict)

    def dropped(self, report: Report) -> list[int]:
        """Task numbers of this version that the new report does not have."""
        kept = {row.task_no for row in report.rows}
        return sorted(set(self.titles) - kept)

    def changes(self, report: Report) -> list[str]:
        """One phrase per task that changed: 'task 5: 落实情况, 完成情况'; added tasks too."""
        mine: dict[int, set[str]] = {}
        seen = set()
        for row in report.rows:
            key = (row.task_no, row.plan_type)
            seen.add(row.task_no)
            old = self.rows.get(key)
            if old is None:
                mine.setdefault(row.task_no, set()).add("added" if row.task_no not in self.titles else "a new row")
                continue
            for column, label in COMPARED.items():
                if (getattr(row, column) or None) != (old.get(column) or None):
                    mine.setdefault(row.task_no, set()).add(label)
        return [f"task {number}: {', '.join(sorted(labels))}" for number, labels in sorted(mine.items())]


def replaces(new_revision: str | None, current_revision: str | None) -> bool:
    """Whether a report loaded now becomes current over the current version of its period: a re-issue outranks an
    original, and among the same kind the latest load wins (staging.report_version's order)."""
    return new_revision is not None or current_revision is None


def replaced_versions(conn: duckdb.DuckDBPyConnection, reports: Sequence[Report]) -> list[Replaced | None]:
    """For each report, the current version of its period that loading it would replace (None: none, or the report
    would not become current, or it says what the current version says)."""
    if not reports:
        return []
    targets = [
        {"target_no": n, "issuer": r.meta.issuer, "year": r.meta.year,
         "period_end_month": r.meta.period_end_month,
         "report_id": r.raw.source_sha256}
        for n, r in enumerate(reports)
    ]  # fmt: skip
    found: dict[int, Replaced] = {}
    cursor = conn.execute(query("gate_current_version"), {"targets": targets})
    for number, report_id, source_file, revision, content, task_no, plan_type, *values in cursor.fetchall():
        current = found.setdefault(int(number), Replaced(str(report_id), str(source_file), revision, str(content)))
        columns = dict(zip(COMPARED, values, strict=True))
        current.rows[(int(task_no), plan_type)] = columns
        current.titles.setdefault(int(task_no), str(columns["task_title"]))
    out: list[Replaced | None] = []
    for number, report in enumerate(reports):
        replaced = found.get(number)
        if replaced is None or not replaces(report.meta.revision_label, replaced.revision_label):
            out.append(None)
        elif replaced.content_sha256 == content_sha256(report):
            out.append(None)  # the same content in another file: loading says `unchanged`
        else:
            out.append(replaced)
    return out


def _period(report: Report) -> str:
    return f"{report.meta.issuer} {report.meta.year} {report.meta.period_name}"


def dropped_refusal(report: Report, current: Replaced, dropped: list[int]) -> str:
    """Why a version that drops tasks is not loaded, naming the tasks and how to confirm them."""
    listed = "; ".join(f"task {n} ({_short(current.titles[n])})" for n in dropped[:MAX_LISTED])
    more = f"; and {len(dropped) - MAX_LISTED} more" if len(dropped) > MAX_LISTED else ""
    return (
        f"{report.raw.source_file}: not loaded: this version of {_period(report)} would replace the current one "
        f"({current.source_file}) but drops {len(dropped)} of its {len(current.titles)} tasks: {listed}{more}. A file "
        "cut short loses its last tasks, so the current version stays. If the issuer did withdraw these tasks, load "
        "this file with `etl ingest --accept-dropped-tasks` (or `etl poll --accept-dropped-tasks` from the inbox)"
    )


def version_warning(report: Report, current: Replaced, accepted_drops: list[int]) -> ValidationOutcome | None:
    """The warning a replacing version gets: without （修订）, naming what changed; with dropped tasks accepted,
    naming them. None for a re-issue that drops nothing."""
    unmarked = report.meta.revision_label is None
    if not unmarked and not accepted_drops:
        return None
    changes = current.changes(report)
    what = []
    if unmarked:
        what.append("a second version without （修订） replaces the current one")
    if accepted_drops:
        what.append(f"tasks {', '.join(map(str, accepted_drops))} dropped (accepted)")
    more = [f"and {len(changes) - MAX_LISTED} more"] if len(changes) > MAX_LISTED else []
    observed = {"replaces": current.source_file, "changed": changes[:MAX_LISTED] + more, "dropped": accepted_drops}
    result = ExpectationResult(
        suite=SUITE,
        expectation="replaces_the_current_version",
        column=None,
        severity=WARNING,
        description="; ".join(what),
        success=False,
        observed=observed,
    )
    return ValidationOutcome(results=(result,), started_at=datetime.now(UTC))


def warning_note(outcome: ValidationOutcome) -> str:
    """The version warning as one line for the run summary."""
    result = outcome.results[0]
    changed = "; ".join(result.observed.get("changed") or []) or "nothing in the compared columns"
    return f"{result.description} ({result.observed['replaces']}): {changed}"


def _short(text: str) -> str:
    return text if len(text) <= 30 else text[:29] + "…"
