"""Flows that ingest report files into the warehouse: one file, or every report file of a folder (inbox).

Each task is one step of the library (extract → parse → quality gate and load). Bad input (ReportError) is
never retried; transient I/O failures such as a warehouse file locked by another writer are retried with
backoff. A file that fails is reported with its reason and the run goes on with the next file.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.tasks import exponential_backoff
from pydantic import BaseModel

from etl.errors import ReportError
from etl.extract.guarded import read_source_guarded
from etl.extract.source import is_report_file
from etl.inbox import archive_file, quarantine_file, ready_files
from etl.load.publish import staged_warehouse, writer_lock
from etl.load.schema import apply_schema
from etl.load.seeds import seed_indicator_catalog
from etl.load.validation import record_validation
from etl.load.warehouse import (
    LoadResult,
    check_warehouse,
    connect,
    is_loaded,
    load_report,
    record_outcome,
    warehouse_counts,
)
from etl.metrics.catalog import load_catalog
from etl.models import RawReport, Report
from etl.parse.report import parse_report
from etl.report import write_report
from etl.settings import get_settings
from etl.validate.gate import QualityGate


class FileOutcome(BaseModel):
    """What happened to one file in one run."""

    file: str
    outcome: str  # loaded | unchanged | failed
    issuer: str | None = None
    year: int | None = None
    quarter: int | None = None
    tasks: int = 0
    rows: int = 0
    seconds: float = 0.0
    message: str | None = None


class IngestSummary(BaseModel):
    """The result of an ingest run, as the CLI prints it and the artifact shows it."""

    run_id: str
    warehouse: str
    files: list[FileOutcome]
    reports_in_warehouse: int
    current_reports: int
    tasks_in_warehouse: int
    task_rows_in_warehouse: int
    open_warnings: int = 0
    data_docs: str = ""
    report: str = ""

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.outcome == "failed"]


def _is_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only what may pass by itself: I/O errors and a warehouse locked by another process."""
    try:
        state.result()
    except (ReportError, QualityGateFailed):
        return False
    except (OSError, duckdb.IOException):
        return True
    except Exception:
        return False
    return False


@task(retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=1), retry_condition_fn=_is_transient)
def extract_report(path: Path) -> RawReport:
    # PDFs are read in a reused child process bounded in memory and time (hostile files: decompression bombs …)
    return read_source_guarded(path)


@task
def parse_raw_report(raw: RawReport) -> Report:
    return parse_report(raw)


@task(retries=4, retry_delay_seconds=exponential_backoff(backoff_factor=1), retry_condition_fn=_is_transient)
def prepare_warehouse(warehouse: Path, sql_dir: Path, indicators_file: Path) -> None:
    catalog = load_catalog(indicators_file)
    with connect(warehouse) as conn:
        apply_schema(conn, sql_dir)
        seed_indicator_catalog(conn, catalog)


class QualityGateFailed(Exception):
    """A report failed a critical expectation: it is not loaded (its validation results are recorded)."""


# The gate holds a Great Expectations context: it is passed through, never hashed for caching (NO_CACHE).
@task(
    retries=4,
    retry_delay_seconds=exponential_backoff(backoff_factor=1),
    retry_condition_fn=_is_transient,
    cache_policy=NO_CACHE,
)
def validate_and_load(report: Report, warehouse: Path, run_id: str, gate: QualityGate) -> LoadResult:
    """Quality gate, then load, on one connection: a critical failure leaves core untouched."""
    with connect(warehouse) as conn:
        if not is_loaded(conn, report.raw.source_sha256):
            outcome = gate.validate_report(report).merge(gate.validate_warehouse(conn, report))
            record_validation(conn, run_id, report, outcome)
            if not outcome.passed_critical:
                raise QualityGateFailed(f"{report.raw.source_file}: quality gate failed\n{outcome.summary()}")
            for warning in outcome.warnings:
                get_run_logger().warning("%s: %s", report.raw.source_file, warning.describe())
        result = load_report(conn, report, run_id=run_id)
        record_outcome(
            conn,
            run_id=run_id,
            file_name=report.raw.source_file,
            outcome=result.outcome,
            source_sha256=report.raw.source_sha256,
            message=result.note,
            report=report,
            row_count=result.row_count,
        )
    return result


@task(
    retries=4,
    retry_delay_seconds=exponential_backoff(backoff_factor=1),
    retry_condition_fn=_is_transient,
    cache_policy=NO_CACHE,
)
def check_published(warehouse: Path, run_id: str, gate: QualityGate) -> list[str]:
    """Warehouse-wide expectations after loading (e.g. one current version per quarter); returns failures."""
    with connect(warehouse) as conn:
        outcome = gate.validate_published(conn)
        record_validation(conn, run_id, None, outcome)
    return [failure.describe() for failure in outcome.failures]


@task(retries=4, retry_delay_seconds=exponential_backoff(backoff_factor=1), retry_condition_fn=_is_transient)
def record_failure(warehouse: Path, run_id: str, file_name: str, message: str) -> None:
    with connect(warehouse) as conn:
        record_outcome(conn, run_id=run_id, file_name=file_name, outcome="failed", message=message)


@task
def summarize_warehouse(warehouse: Path, run_id: str, files: list[FileOutcome]) -> IngestSummary:
    with connect(warehouse) as conn:
        counts = warehouse_counts(conn)
    return IngestSummary(
        run_id=run_id,
        warehouse=str(warehouse),
        files=files,
        reports_in_warehouse=counts.reports,
        current_reports=counts.current_reports,
        tasks_in_warehouse=counts.tasks,
        task_rows_in_warehouse=counts.task_rows,
        open_warnings=counts.open_warnings,
    )


def _ingest_one(path: Path, warehouse: Path, run_id: str, gate: QualityGate) -> FileOutcome:
    """Extract, parse, validate and load one file; a bad file becomes a failed outcome, not an exception."""
    logger = get_run_logger()
    started = time.perf_counter()
    try:
        raw = extract_report(path)
        report = parse_raw_report(raw)
        result = validate_and_load(report, warehouse, run_id, gate)
    except (ReportError, QualityGateFailed) as exc:
        logger.error("%s: rejected\n%s", path.name, exc)
        record_failure(warehouse, run_id, path.name, str(exc))
        return FileOutcome(file=path.name, outcome="failed", message=str(exc), seconds=time.perf_counter() - started)
    seconds = time.perf_counter() - started
    note = result.note
    logger.info(
        "%s: %s (%d rows) in %.2fs%s", path.name, result.outcome, result.row_count, seconds, f"; {note}" if note else ""
    )
    return load_outcome(path.name, report, result, seconds)


def load_outcome(file_name: str, report: Report, result: LoadResult, seconds: float) -> FileOutcome:
    """The outcome of a file whose report went through the gate and the load (loaded or unchanged)."""
    meta = report.meta
    return FileOutcome(
        file=file_name,
        outcome=result.outcome,
        issuer=meta.issuer,
        year=meta.year,
        quarter=meta.quarter,
        tasks=report.task_count,
        rows=result.row_count,
        seconds=round(seconds, 3),
        message=result.note,
    )


def report_files(paths: list[Path]) -> list[Path]:
    """The report files named, with folders expanded to their report files, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if is_report_file(p)))
        else:
            found.append(path)
    return found


def publish_run_artifacts(
    summary: IngestSummary, *, kind: str = "ingest", title: str = "Ingest run", details: tuple[str, ...] = ()
) -> None:
    """The run's Prefect artifacts: a markdown summary (counts, links, failed files with reasons) and a file table."""
    failed = summary.failed
    lines = [
        f"# {title} {summary.run_id}",
        "",
        f"- warehouse: `{summary.warehouse}`",
        f"- files: {len(summary.files)} ({len(failed)} failed)",
        *details,
        f"- reports in warehouse: {summary.reports_in_warehouse} ({summary.current_reports} current)",
        f"- task rows in warehouse: {summary.task_rows_in_warehouse}",
        f"- open data-quality warnings: {summary.open_warnings} (`select * from mart.open_warnings`)",
    ]
    if summary.report:
        lines.append(f"- HTML report: [{summary.report}](file://{summary.report})")
    if summary.data_docs:
        lines.append(f"- Great Expectations Data Docs: [{summary.data_docs}](file://{summary.data_docs})")
    if failed:
        lines += ["", "## Failed files", ""]
        lines += [f"- **{f.file}**: {(f.message or '').replace(chr(10), '; ')}" for f in failed]
    create_markdown_artifact("\n".join(lines), key=f"{kind}-summary", description=f"{title} summary")
    create_table_artifact(
        [f.model_dump(exclude={"message"}) for f in summary.files],
        key=f"{kind}-files",
        description="Outcome of each file",
    )


def _ingest_files(files: list[Path], warehouse: Path | None, *, lock_held: bool = False) -> IngestSummary:
    """The body shared by the flows: stage, gate and load each file, check, publish, report.

    All writes go to a staging copy beside the published warehouse, which replaces it atomically at the end
    (etl.load.publish): readers and BI tools never see a half-loaded run and never block it.
    """
    settings = get_settings(warehouse=warehouse)
    run_id = str(flow_run.get_id() or "local")
    check_warehouse(settings.warehouse)  # a damaged file stops the run before anything moves
    gate = QualityGate(data_docs_dir=settings.data_docs_dir)  # one Great Expectations context per flow run
    with staged_warehouse(
        settings.warehouse,
        storage_version=settings.storage_version,
        lock_timeout=settings.lock_timeout,
        lock_held=lock_held,
    ) as staging:
        prepare_warehouse(staging, settings.sql_dir, settings.indicators_file)
        outcomes = [_ingest_one(path, staging, run_id, gate) for path in files]
        for failure in check_published(staging, run_id, gate):
            get_run_logger().error("warehouse check failed: %s", failure)
        summary = summarize_warehouse(staging, run_id, outcomes)
    summary.warehouse = str(settings.warehouse)
    summary.data_docs = str(gate.build_data_docs() or "")
    summary.report = str(write_report(settings.warehouse, settings.report_file, sql_dir=settings.sql_dir).path)
    publish_run_artifacts(summary)
    return summary


@flow(name="ingest-reports", log_prints=True)
def ingest_reports(paths: list[str], warehouse: str | None = None) -> IngestSummary:
    """Ingest report files and folders into the warehouse; failures do not stop the others. Files stay put."""
    return _ingest_files(report_files([Path(p) for p in paths]), Path(warehouse) if warehouse else None)


@flow(name="ingest-report")
def ingest_report(path: str, warehouse: str | None = None) -> IngestSummary:
    """Ingest one report file (extract → parse → validate → load)."""
    return ingest_reports([path], warehouse)


@task
def file_away(path: Path, outcome: FileOutcome, archive: Path, quarantine: Path) -> str:
    """Move an ingested file to the archive (by content hash) or, if it failed, to quarantine with the reason."""
    if outcome.outcome == "failed":
        return str(quarantine_file(path, quarantine, outcome.message or "failed"))
    return str(archive_file(path, archive))


@flow(name="poll-inbox", log_prints=True)
def poll_inbox(
    inbox: str = "data/inbox",
    archive: str = "data/archive",
    quarantine: str = "data/quarantine",
    warehouse: str | None = None,
    settle_seconds: float = 10.0,
) -> IngestSummary:
    """Ingest the inbox's settled files once each, then archive them (or quarantine the failures).

    The warehouse's writer lock is held from listing the inbox to moving the files, so two runs at once (a
    schedule overlapping a manual run) take turns: the second finds only what the first left.
    """
    inbox_dir = Path(inbox)
    inbox_dir.mkdir(parents=True, exist_ok=True)
    settings = get_settings(warehouse=warehouse)
    with writer_lock(settings.warehouse, settings.lock_timeout):
        files = ready_files(inbox_dir, settle_seconds=settle_seconds)
        summary = _ingest_files(files, settings.warehouse, lock_held=True)
        for path, outcome in zip(files, summary.files, strict=True):
            file_away(path, outcome, Path(archive), Path(quarantine))
    return summary
