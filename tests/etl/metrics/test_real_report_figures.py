"""Every figure of the real report is either extracted as listed or deliberately not a metric, for a reason.

The table (tests/fixtures/real_report_figures.tsv) was generated once and reviewed line by line; a change in the
grammar that changes any figure of the real report shows up here as a difference to review.
"""

from __future__ import annotations

import csv
from pathlib import Path

from etl.metrics.grammar import figures
from etl.models import Report

TABLE = Path(__file__).parents[2] / "fixtures" / "real_report_figures.tsv"


def _actual_rows(report: Report) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    titled: set[int] = set()
    for row in report.rows:
        sources = []
        if row.task_no not in titled:
            titled.add(row.task_no)
            sources.append(("target", row.task_title, ""))
        sources += [("plan", row.plan_text, row.plan_type), ("actual", row.progress_text, row.plan_type)]
        for kind, text, plan_type in sources:
            for figure in figures(text):
                metric = figure.metric
                rows.append(
                    {
                        "task_no": str(row.task_no),
                        "plan_type": plan_type,
                        "kind": kind,
                        "figure": figure.text,
                        "value": f"{metric.value:g}" if metric else "",
                        "unit": metric.unit if metric else "",
                        "comparator": metric.comparator if metric else "",
                        "direction": (metric.direction or "") if metric else "",
                        "subject": metric.subject if metric else "",
                        "period": (metric.period_text or "") if metric else "",
                        "reason": figure.reason or "",
                    }
                )
    return rows


def test_every_figure_of_the_real_report_is_classified_as_reviewed(real_report: Report) -> None:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        expected = list(csv.DictReader(handle, delimiter="\t"))
    actual = _actual_rows(real_report)
    differences = [(i, e, a) for i, (e, a) in enumerate(zip(expected, actual, strict=False)) if e != a]
    assert not differences, (
        f"first difference at row {differences[0][0] + 2}: {differences[0][1]} != {differences[0][2]}"
    )
    assert len(actual) == len(expected)


def test_the_table_covers_the_key_figures(real_report: Report) -> None:
    metrics = {(m.task_no, m.kind, m.source_text): m for m in real_report.metrics}
    assert metrics[(25, "actual", "1152个")].subject == "5G基站"
    assert metrics[(23, "target", "260户以上")].comparator == ">="
    assert metrics[(31, "target", "3.2%")].direction == "decrease"
    assert metrics[(8, "actual", "31.3%")].period_text == "1-8月份"
    assert metrics[(5, "actual", "1316.79亿元")].unit_normalized == "亿元"
    assert metrics[(8, "actual", "5.2个百分点")].unit_normalized == "pp"
    # Every metric is traceable to a source row and its value appears in the source text.
    rows = {row.source_line: row for row in real_report.rows}
    for metric in real_report.metrics:
        row = rows[metric.source_line]
        assert metric.source_text in (row.task_title + row.plan_text + row.progress_text)
    assert len(real_report.metrics) == 68  # 70 before issue 23: task 18's 20亿元 (title, plan) is a size, not a figure
