"""Metrics of a whole report: targets from task titles, plans from period plans, actuals from progress texts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from etl.metrics.grammar import extract_metrics
from etl.models import MetricKind, PlanType, TaskMetric


class MetricSource(Protocol):
    """The texts of a task row figures are read from (a TaskRow, or a core.task_row row read back)."""

    @property
    def task_no(self) -> int: ...
    @property
    def task_title(self) -> str: ...
    @property
    def plan_type(self) -> PlanType | None: ...
    @property
    def plan_text(self) -> str | None: ...
    @property
    def progress_text(self) -> str | None: ...
    @property
    def source_line(self) -> int: ...


def report_metrics(rows: Iterable[MetricSource]) -> tuple[TaskMetric, ...]:
    """Every metric of the report's rows (in reading order), numbered in that order.

    A task's title is repeated on its rows, so its targets are taken once, from the task's first row.
    """
    found: list[TaskMetric] = []
    titled: set[int] = set()
    for row in rows:
        sources: list[tuple[MetricKind, str | None, str | None]] = []
        if row.task_no not in titled:
            titled.add(row.task_no)
            sources.append(("target", row.task_title, None))
        sources.append(("plan", row.plan_text, row.plan_type))
        sources.append(("actual", row.progress_text, row.plan_type))
        for kind, text, plan_type in sources:
            if text is None:  # the table has no such column
                continue
            for metric in extract_metrics(text):
                found.append(
                    TaskMetric(
                        metric_no=len(found) + 1,
                        task_no=row.task_no,
                        plan_type=plan_type,
                        kind=kind,
                        value=metric.value,
                        unit=metric.unit,
                        unit_normalized=metric.unit_normalized,
                        value_normalized=metric.value_normalized,
                        comparator=metric.comparator,
                        direction=metric.direction,
                        subject=metric.subject,
                        period_text=metric.period_text,
                        clause=metric.clause,
                        source_text=metric.source_text,
                        source_line=row.source_line,
                    )
                )
    return tuple(found)
