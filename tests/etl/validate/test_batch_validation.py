"""One GX validation per suite over a batch of reports, attributed back to each file as if validated alone (the
batch as a run gates it: etl.pipeline.gate_and_load.gate_reports)."""

from __future__ import annotations

from etl.models import Report
from etl.pipeline.gate_and_load import gate_reports
from etl.validate import QualityGate
from tests.conftest import validate_report


def _drop_phone_and_duplicate_row(report: Report) -> Report:
    rows = list(report.rows)
    rows[2] = rows[2].model_copy(update={"phone": "12345"})  # a warning
    rows[5] = rows[4]  # the same task and plan type twice: critical
    raw = report.raw.model_copy(update={"source_file": "bad.txt", "source_sha256": "bad"})
    return Report(meta=report.meta, raw=raw, rows=tuple(rows), metrics=report.metrics)


def _comparable(outcome: object) -> list[tuple[object, ...]]:
    return [(r.suite, r.expectation, r.column, r.severity, r.success, r.observed_json) for r in outcome.results]  # type: ignore[attr-defined]


def test_a_batch_gives_each_report_the_outcome_it_gets_alone(gate: QualityGate, real_report: Report) -> None:
    bad = _drop_phone_and_duplicate_row(real_report)
    other = real_report.model_copy(update={"raw": real_report.raw.model_copy(update={"source_sha256": "other"})})
    batch = gate_reports(gate, [real_report, bad, other])
    alone = [validate_report(gate, r) for r in (real_report, bad, other)]
    assert [_comparable(o) for o in batch] == [_comparable(o) for o in alone]
    assert [o.passed_critical for o in batch] == [True, False, True]
    failed = {(r.expectation, r.column) for r in batch[1].failures}
    assert failed == {
        ("expect_compound_columns_to_be_unique", "task_no, plan_type"),
        ("expect_column_values_to_be_in_set", "plan_types"),  # that task lost its other row kind
    }
    assert [w.column for w in batch[1].warnings] == ["phone"]
    # rows of different files never collide: the same task numbers in three reports are not duplicates
    assert batch[0].success and batch[2].success


def test_an_empty_batch_validates_nothing(gate: QualityGate) -> None:
    assert gate_reports(gate, []) == []
