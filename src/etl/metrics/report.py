"""Metrics of a whole report: targets from task titles, plans from period plans, actuals from progress texts."""

from __future__ import annotations

from collections.abc import Iterable

from etl.metrics.grammar import extract_metrics
from etl.models import MetricKind, TaskMetric, TaskRow


def report_metrics(rows: Iterable[TaskRow]) -> tuple[TaskMetric, ...]:
    """Every metric of the report's rows, numbered in reading order.

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
