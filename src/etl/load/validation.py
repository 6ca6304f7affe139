"""Record the quality gate's outcomes (etl.validate) in ops.validation_run and ops.validation_result."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import duckdb

from etl.models import Report

if TYPE_CHECKING:  # importing etl.validate at run time would import pandas for a type annotation
    from etl.validate.gate import ValidationOutcome


def record_validations(
    conn: duckdb.DuckDBPyConnection, run_id: str, items: Sequence[tuple[Report | None, ValidationOutcome]]
) -> list[str]:
    """Insert the validations of some reports and all their expectation results, one insert per table, within the
    caller's transaction; return their validation_id, in order.

    A report is None for warehouse-wide checks (etl.pipeline.run.check_published).
    """
    import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the environment

    now = datetime.now(UTC)
    runs: list[dict[str, object]] = []
    results: list[dict[str, object]] = []
    for report, outcome in items:
        validation_id = str(uuid.uuid4())
        report_id = report.raw.source_sha256 if report else None
        file_name = report.raw.source_file if report else None
        runs.append(_run_row(validation_id, run_id, report, outcome, now))
        results.extend(
            {
                "validation_id": validation_id,
                "run_id": run_id,
                "report_id": report_id,
                "file_name": file_name,
                "suite": result.suite,
                "expectation": result.expectation,
                "column_name": result.column,
                "severity": result.severity,
                "description": result.description,
                "success": result.success,
                "observed_value": result.observed_json,
                "recorded_at": now,
            }
            for result in outcome.results
        )
    for table, rows in (("ops.validation_run", runs), ("ops.validation_result", results)):
        if rows:
            conn.register("_etl_validation", pd.DataFrame(rows))
            try:
                conn.execute(f"insert into {table} by name select * from _etl_validation")
            finally:
                conn.unregister("_etl_validation")
    return [str(run["validation_id"]) for run in runs]


def _run_row(
    validation_id: str, run_id: str, report: Report | None, outcome: ValidationOutcome, now: datetime
) -> dict[str, object]:
    """The ops.validation_run row of one validation."""
    meta = report.meta if report else None
    return {
        "validation_id": validation_id,
        "run_id": run_id,
        "report_id": report.raw.source_sha256 if report else None,
        "file_name": report.raw.source_file if report else None,
        "issuer": meta.issuer if meta else None,
        "year": meta.year if meta else None,
        "quarter": meta.quarter if meta else None,
        "period_end_month": meta.period_end_month if meta else None,
        "suites": list(outcome.suites),
        "started_at": outcome.started_at,
        "seconds": outcome.seconds,
        "success": outcome.passed_critical,
        "critical_failures": len(outcome.failures),
        "warnings": len(outcome.warnings),
        "data_docs": str(outcome.data_docs) if outcome.data_docs else None,
        "recorded_at": now,
    }
