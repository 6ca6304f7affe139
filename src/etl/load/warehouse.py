"""Connections to the DuckDB warehouse and the transactional load of one parsed report."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the environment

from etl.load.storage import create_database, writer_config
from etl.models import COLUMN_LABELS, COLUMN_NAMES, RawReport, Report, TaskMetric
from etl.named_queries import query
from etl.parse.report import content_sha256
from etl.settings import DEFAULT_STORAGE_VERSION
from etl.vocabulary import OutcomeKind

Outcome = OutcomeKind  # the name this module used before etl.vocabulary


@dataclass(frozen=True)
class LoadResult:
    """What loading one report did: loaded (new rows) or unchanged (same bytes were already loaded)."""

    report_id: str
    outcome: Outcome
    row_count: int
    duplicate_of: str | None = None

    @property
    def note(self) -> str | None:
        """What a person should know about an `unchanged` outcome that the outcome alone does not say."""
        return f"same content as {self.duplicate_of}" if self.duplicate_of else None


@contextmanager
def connect(
    path: Path, *, read_only: bool = False, storage_version: str = DEFAULT_STORAGE_VERSION
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse file, closed on exit. Read-only connections never create the file.

    A writable connection creates a missing file with ``storage_version`` (default: the setting's default,
    ``v1.1.0``) so that older DuckDB clients can open it; an existing file keeps the version it was created with.
    (The library reads no settings: the caller passes the configured version, ETL_STORAGE_VERSION.)
    """
    if read_only and not path.exists():
        from etl.load.rebuild import missing_warehouse_message

        raise FileNotFoundError(missing_warehouse_message(path))
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            create_database(path, storage_version)
    conn = duckdb.connect(str(path), read_only=read_only, config={} if read_only else writer_config())
    try:
        yield conn
    finally:
        conn.close()


class WarehouseCorruptError(RuntimeError):
    """The warehouse file exists but DuckDB cannot read it: rebuild it from the archived inputs."""


# A sidecar written after every publish by etl.pipeline: the published file's size and modification time. A file
# that still matches it is the file we wrote, and only its header and catalog are read at start-up; any other file
# (no sidecar, changed by someone else, restored from a backup) gets the full read of every table.
FINGERPRINT_SUFFIX = ".published.json"
_CHECKED_TABLES = ("raw.source_file", "raw.extracted_cell", "core.report", "core.task_row", "core.metric")


def fingerprint_path(path: Path) -> Path:
    return path.with_name(path.name + FINGERPRINT_SUFFIX)


def _fingerprint(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inode": stat.st_ino}


def record_fingerprint(path: Path) -> None:
    """Note the published file's size, modification time and inode, so the next start-up check can be cheap.

    Best effort: a fingerprint that cannot be written only makes the next check read the whole file.
    """
    target = fingerprint_path(path)
    temporary = target.with_name(target.name + ".tmp")
    try:
        temporary.write_text(json.dumps(_fingerprint(path)), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:  # e.g. the disk filled up just now: without a fingerprint the next check is a full one
        for stale in (temporary, target):
            stale.unlink(missing_ok=True)


def _matches_fingerprint(path: Path) -> bool:
    try:
        recorded = json.loads(fingerprint_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(recorded == _fingerprint(path))


def check_warehouse(path: Path) -> None:
    """Raise WarehouseCorruptError if an existing warehouse file cannot be read; a missing file is fine.

    Opens it read-only, which reads the header and the catalog. A file that is not the one the last publish wrote
    (its size, modification time or inode differ from ``<warehouse>.published.json``) is read whole as well, every
    row of the main tables, so a truncated or overwritten file is found at the start of a run, before anything is
    staged. The file we published ourselves is not re-read: that cost would grow with the warehouse, and its
    blocks are checksummed by DuckDB whenever they are read. A file locked by a writer is not corrupt: that error
    propagates.
    """
    if not path.exists():
        return
    full = not _matches_fingerprint(path)
    try:
        with closing(duckdb.connect(str(path), read_only=True)) as conn:
            present = {
                f"{schema}.{name}"
                for schema, name in conn.execute("select schema_name, table_name from duckdb_tables()").fetchall()
            }
            if full:
                for table in _CHECKED_TABLES:
                    if table in present:
                        conn.execute(f"select * from {table}").fetchall()
    except duckdb.IOException as exc:
        if "could not set lock" in str(exc).lower():  # held by a writer: not damage
            raise
        raise WarehouseCorruptError(_corrupt_message(path, exc)) from exc
    except (duckdb.SerializationException, duckdb.InternalException, duckdb.CatalogException) as exc:
        raise WarehouseCorruptError(_corrupt_message(path, exc)) from exc


def loaded_hashes(path: Path) -> set[str]:
    """SHA-256 of every file in the published warehouse (read-only; none if there is no warehouse yet)."""
    if not path.exists():
        return set()
    try:
        with connect(path, read_only=True) as conn:
            return {str(row[0]) for row in conn.execute("select source_sha256 from raw.source_file").fetchall()}
    except duckdb.CatalogException:  # a warehouse file without tables yet
        return set()


def _corrupt_message(path: Path, exc: Exception) -> str:
    return (
        f"warehouse {path} is not a readable DuckDB file ({exc}). Nothing was loaded and the inputs were left in "
        f"place. Recover with `etl rebuild --warehouse {path}`: it moves the damaged file aside and replays every "
        "archived input in order (see RELIABILITY.md)."
    )


def loaded_among(conn: duckdb.DuckDBPyConnection, hashes: Sequence[str]) -> set[str]:
    """Which of these SHA-256 are files already in the warehouse (one query for a whole batch)."""
    if not hashes:
        return set()
    rows = conn.execute(
        "select source_sha256 from raw.source_file where list_contains(?, source_sha256)", [list(hashes)]
    ).fetchall()
    return {str(row[0]) for row in rows}


def load_reports(
    conn: duckdb.DuckDBPyConnection,
    reports: Sequence[Report],
    *,
    run_id: str | None = None,
    loaded_at: Sequence[datetime] | None = None,
) -> list[LoadResult]:
    """Insert reports (raw file and cells, core report, rows and metrics) in one transaction: the same rows and
    results as loading each in turn.

    Idempotent by bytes and by content against the warehouse and against the reports earlier in the list: a file
    whose bytes were already loaded, or a file with the same content as a loaded report of the same issuer, year and
    period (the PDF of a loaded text dump), changes nothing. The point lookups are one query each for the whole
    list, and each table gets one insert by column name from one DataFrame. On any error the transaction is rolled
    back and the error raised: none of the reports is loaded (the warehouse never holds half a report).
    ``loaded_at``: each report's load time (default: now, as each is prepared).
    (The history a report is checked against is the caller's concern: etl.pipeline.gate_and_load groups reports so
    that no two of a group share an issuer and year.)
    """
    known = loaded_among(conn, [r.raw.source_sha256 for r in reports])
    contents = [content_sha256(r) for r in reports]
    duplicates = _same_content_many(conn, reports, contents)
    results: list[LoadResult] = []
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in _LOAD_TABLES}
    taken: dict[tuple[str, int, int, str], str] = {}  # content of the reports loaded by this call: their file
    for number, (report, content) in enumerate(zip(reports, contents, strict=True)):
        raw, meta = report.raw, report.meta
        key = (meta.issuer, meta.year, meta.period_end_month, content)
        duplicate = duplicates.get(number) or taken.get(key)
        if raw.source_sha256 in known:
            results.append(LoadResult(raw.source_sha256, "unchanged", 0))
        elif duplicate is not None:
            results.append(LoadResult(raw.source_sha256, "unchanged", 0, duplicate_of=duplicate))
        else:
            now = loaded_at[number] if loaded_at is not None else datetime.now(UTC)
            for table, table_rows in report_rows(report, content, now, run_id).items():
                rows[table].extend(table_rows)
            known.add(raw.source_sha256)
            taken[key] = raw.source_file
            results.append(LoadResult(raw.source_sha256, "loaded", len(report.rows)))
    if not any(rows.values()):
        return results
    metrics = rows.pop("core.metric")
    conn.execute("begin transaction")
    try:
        insert_frames(conn, {table: pd.DataFrame(table_rows) for table, table_rows in rows.items()})
        _insert_metrics(conn, pd.DataFrame(metrics))
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return results


def _same_content_many(
    conn: duckdb.DuckDBPyConnection, reports: Sequence[Report], contents: Sequence[str]
) -> dict[int, str]:
    """The already loaded reports with the same content as these (e.g. the PDF of a loaded text dump), in one query:
    {position in the list: the file name of the loaded report with that content}."""
    if not reports:
        return {}
    targets = [
        {
            "target_no": number,
            "issuer": r.meta.issuer,
            "year": r.meta.year,
            "period_end_month": r.meta.period_end_month,
            "content_sha256": content,
        }
        for number, (r, content) in enumerate(zip(reports, contents, strict=True))
    ]
    found = conn.execute(query("load_same_content"), {"targets": targets}).fetchall()
    return {int(number): str(name) for number, name in found}


def _raw_cells(raw: RawReport) -> list[list[Any]]:
    """raw.extracted_cell's rows: a cell per field the table has (the bureau's nine always, for lineage of the
    files loaded before other templates) with the source column it came from (the template's mapping), then the
    extra columns' cells; each with its OCR confidence when the file was a scan (RawRow.confidence: the fields,
    then the extra ones)."""
    source: dict[str, tuple[int, str]] = {}
    extras: list[tuple[int, str]] = []
    for column in raw.columns:
        if column.field is None:
            extras.append((column.position, column.header))
        else:
            source[column.field] = (column.position, column.header)
    out: list[list[Any]] = []
    for row in raw.rows:
        pages = list(row.pages)
        scores = row.confidence or ()
        for index, name in enumerate(COLUMN_NAMES):
            if index >= 9 and name not in source:
                continue  # a field of other issuers' tables that this table has no column for
            position, header = source.get(name, (None, None))
            score = scores[index] if index < len(scores) else None
            out.append([raw.source_sha256, row.line, pages, index, name, COLUMN_LABELS[name], row.cell(name),
                        position, header, score])  # fmt: skip
        for k, text in enumerate(row.extra):
            position, header = extras[k] if k < len(extras) else (None, raw.extra_headers[k])
            score = scores[len(COLUMN_NAMES) + k] if len(COLUMN_NAMES) + k < len(scores) else None
            out.append([raw.source_sha256, row.line, pages, len(COLUMN_NAMES) + k, "extra", header, text,
                        position, header, score])  # fmt: skip
    return out


def insert_frames(conn: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """``insert into <table> by name`` from each DataFrame (within the caller's transaction); empty ones skipped."""
    for table, frame in frames.items():
        if len(frame):
            conn.register("_etl_frame", frame)
            try:
                conn.execute(f"insert into {table} by name select * from _etl_frame")
            finally:
                conn.unregister("_etl_frame")


def _insert_metrics(conn: duckdb.DuckDBPyConnection, metrics: pd.DataFrame) -> None:
    """The report's metrics, last in its transaction (a separate step so the kill tests can stop right here)."""
    insert_frames(conn, {"core.metric": metrics})


def report_rows(report: Report, content: str, now: datetime, run_id: str | None) -> dict[str, list[dict[str, Any]]]:
    """One report's rows for raw.source_file, raw.extracted_cell, core.report, core.task_row and core.metric, as lists
    of rows (column name: value), to put many reports into one DataFrame per table."""
    meta, raw = report.meta, report.raw
    sha = raw.source_sha256
    source_file = {
        "source_sha256": sha,
        "file_name": raw.source_file,
        "source_format": raw.source_format,
        "byte_size": raw.byte_size,
        "page_count": raw.page_count,
        "title": raw.title,
        "period_header": raw.period_header,
        "ingested_at": now,
        "run_id": run_id,
        "template": raw.template,
        "sheet": raw.sheet,
    }
    cells = [dict(zip(_CELL_COLUMNS, values, strict=True)) for values in _raw_cells(raw)]
    core_report = {
        "report_id": sha,
        "issuer": meta.issuer,
        "year": meta.year,
        "quarter": meta.quarter,
        "period_kind": meta.period_kind,
        "period_end_month": meta.period_end_month,
        "period_label": meta.period_label,
        "is_synthetic": meta.synthetic,
        "title": meta.title,
        "revision_label": meta.revision_label,
        "source_sha256": sha,
        "content_sha256": content,
        "source_file": raw.source_file,
        "page_count": raw.page_count,
        "task_count": report.task_count,
        "row_count": len(report.rows),
        "loaded_at": now,
    }
    rows = [
        {
            "report_id": sha,
            **row.model_dump(include=_TASK_ROW_FIELDS),
            "responsible_units": list(row.responsible_units),
            "responsible_people": list(row.responsible_people),
            "source_pages": list(row.source_pages),
        }
        for row in report.rows
    ]
    return {
        "raw.source_file": [source_file],
        "raw.extracted_cell": cells,
        "core.report": [core_report],
        "core.task_row": rows,
        "core.metric": metric_rows(sha, report.metrics),
    }


def metric_rows(report_id: str, metrics: Iterable[TaskMetric]) -> list[dict[str, Any]]:
    """core.metric's rows for a report's figures."""
    # TaskMetric.source_text is the figure as written: core.metric.figure_text (migration 0031)
    return [
        {"report_id": report_id, **m.model_dump(include=_METRIC_FIELDS), "figure_text": m.source_text}
        for m in metrics
    ]


# The tables a report is loaded into, in insert order (core.metric last: see _insert_metrics).
_LOAD_TABLES = ("raw.source_file", "raw.extracted_cell", "core.report", "core.task_row", "core.metric")
_CELL_COLUMNS = (
    "source_sha256", "row_no", "pages", "column_index", "column_name", "column_label", "cell_text", "source_column",
    "source_header", "ocr_confidence",
)  # fmt: skip
# Model fields stored as columns of the same name (core.task_row, core.metric).
_TASK_ROW_FIELDS = {
    "task_no", "plan_type", "plan_type_label", "task_title", "lead_office", "phone", "plan_text", "annual_target",
    "status", "status_text", "progress_text", "source_line",
}  # fmt: skip
_METRIC_FIELDS = {
    "metric_no", "task_no", "plan_type", "kind", "value", "unit", "unit_normalized", "value_normalized",
    "comparator", "direction", "subject", "period_text", "clause", "source_line",
}  # fmt: skip


class OutcomeRecord(Protocol):
    """What ops.ingest_file keeps of a file's outcome (etl.pipeline.results.FileOutcome has these fields)."""

    file: str
    outcome: Outcome
    sha256: str | None
    message: str | None
    issuer: str | None
    year: int | None
    quarter: int | None
    period_end_month: int | None
    rows: int


def record_outcomes(conn: duckdb.DuckDBPyConnection, run_id: str, outcomes: Sequence[OutcomeRecord]) -> None:
    """Note in ops.ingest_file what happened to each file of a run (one insert; within the caller's transaction)."""
    now = datetime.now(UTC)
    rows = [
        {
            "run_id": run_id,
            "file_name": o.file,
            "source_sha256": o.sha256,
            "outcome": o.outcome,
            "message": o.message,
            "issuer": o.issuer,
            "year": o.year,
            "quarter": o.quarter,
            "period_end_month": o.period_end_month,
            "row_count": o.rows if o.outcome != "failed" else None,
            "recorded_at": now,
        }
        for o in outcomes
    ]
    if rows:
        insert_frames(conn, {"ops.ingest_file": pd.DataFrame(rows)})


@dataclass(frozen=True)
class WarehouseCounts:
    reports: int
    current_reports: int
    tasks: int
    task_rows: int
    open_warnings: int


def warehouse_counts(conn: duckdb.DuckDBPyConnection) -> WarehouseCounts:
    """Headline counts for the end-of-run summary."""
    row = conn.execute(query("warehouse_counts")).fetchone()
    assert row is not None
    return WarehouseCounts(*(int(value) for value in row))
