"""Connections to the DuckDB warehouse and the transactional load of one parsed report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from etl.load.storage import create_database, writer_config
from etl.models import COLUMN_LABELS, COLUMN_NAMES, RawReport, Report
from etl.parse.report import content_sha256
from etl.settings import get_settings
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
    path: Path, *, read_only: bool = False, storage_version: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse file, closed on exit. Read-only connections never create the file.

    A writable connection creates a missing file with ``storage_version`` (default: the setting, ``v1.1.0``) so
    that older DuckDB clients can open it; an existing file keeps the version it was created with. (The pipeline
    passes it explicitly; the fallback reads the environment for callers such as tests and `etl init`.)
    """
    if read_only and not path.exists():
        from etl.load.rebuild import missing_warehouse_message

        raise FileNotFoundError(missing_warehouse_message(path))
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            create_database(path, storage_version or get_settings().storage_version)
    conn = duckdb.connect(str(path), read_only=read_only, config={} if read_only else writer_config())
    try:
        yield conn
    finally:
        conn.close()


class WarehouseCorruptError(RuntimeError):
    """The warehouse file exists but DuckDB cannot read it: rebuild it from the archived inputs."""


_CHECKED_TABLES = ("raw.source_file", "raw.extracted_cell", "core.report", "core.task_row", "core.metric")


def check_warehouse(path: Path) -> None:
    """Raise WarehouseCorruptError if an existing warehouse file cannot be read whole; a missing file is fine.

    Opens read-only and reads every row of the main tables, so a truncated or overwritten file is found at the
    start of a run, before anything is staged. A file locked by a writer is not corrupt: that error propagates.
    """
    if not path.exists():
        return
    try:
        with closing(duckdb.connect(str(path), read_only=True)) as conn:
            present = {
                f"{schema}.{name}"
                for schema, name in conn.execute("select schema_name, table_name from duckdb_tables()").fetchall()
            }
            for table in _CHECKED_TABLES:
                if table in present:
                    conn.execute(f"select * from {table}").fetchall()
    except duckdb.IOException as exc:
        if "could not set lock" in str(exc).lower():  # held by a writer: not damage
            raise
        raise WarehouseCorruptError(_corrupt_message(path, exc)) from exc
    except (duckdb.SerializationException, duckdb.InternalException, duckdb.CatalogException) as exc:
        raise WarehouseCorruptError(_corrupt_message(path, exc)) from exc


def _corrupt_message(path: Path, exc: Exception) -> str:
    return (
        f"warehouse {path} is not a readable DuckDB file ({exc}). Nothing was loaded and the inputs were left in "
        f"place. Recover with `etl rebuild --warehouse {path}`: it moves the damaged file aside and replays every "
        "archived input in order (see RELIABILITY.md)."
    )


def is_loaded(conn: duckdb.DuckDBPyConnection, source_sha256: str) -> bool:
    row = conn.execute("select 1 from raw.source_file where source_sha256 = ?", [source_sha256]).fetchone()
    return row is not None


def load_report(conn: duckdb.DuckDBPyConnection, report: Report, *, run_id: str | None = None) -> LoadResult:
    """Insert one report (raw file and cells, core report and rows) in one transaction.

    Idempotent by content: a file whose bytes were already loaded changes nothing. On any error the
    transaction is rolled back, so the warehouse never holds half a report.
    """
    raw = report.raw
    if is_loaded(conn, raw.source_sha256):
        return LoadResult(raw.source_sha256, "unchanged", 0)
    content = content_sha256(report)
    duplicate = _same_content(conn, report, content)
    if duplicate is not None:
        return LoadResult(raw.source_sha256, "unchanged", 0, duplicate_of=duplicate)
    now = datetime.now(UTC)
    conn.execute("begin transaction")
    try:
        _insert_raw(conn, report, now, run_id)
        _insert_core(conn, report, content, now)
        _insert_metrics(conn, report)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return LoadResult(raw.source_sha256, "loaded", len(report.rows))


def _same_content(conn: duckdb.DuckDBPyConnection, report: Report, content: str) -> str | None:
    """The file name of an already loaded report with the same content (e.g. the PDF of a loaded text dump)."""
    meta = report.meta
    row = conn.execute(
        "select source_file from core.report where issuer = ? and year = ? and quarter = ? and content_sha256 = ?",
        [meta.issuer, meta.year, meta.quarter, content],
    ).fetchone()
    return str(row[0]) if row else None


def _insert_raw(conn: duckdb.DuckDBPyConnection, report: Report, now: datetime, run_id: str | None) -> None:
    raw = report.raw
    conn.execute(
        "insert into raw.source_file (source_sha256, file_name, source_format, byte_size, page_count, title, "
        "quarter_header, ingested_at, run_id, template, sheet) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            raw.source_sha256,
            raw.source_file,
            raw.source_format,
            raw.byte_size,
            raw.page_count,
            raw.title,
            raw.quarter_header,
            now,
            run_id,
            raw.template,
            raw.sheet,
        ],
    )
    conn.executemany(
        "insert into raw.extracted_cell (source_sha256, row_no, pages, column_index, column_name, column_label, "
        "cell_text, source_column, source_header, ocr_confidence) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _raw_cells(raw),
    )


def _raw_cells(raw: RawReport) -> list[list[Any]]:
    """raw.extracted_cell's rows: the nine canonical cells with the source column each came from (the template's
    mapping; a one-column status fills 已完成 and 未完成 from one column), then the extra columns' cells; each with
    its OCR confidence when the file was a scan (RawRow.confidence: the nine columns, then the extra ones)."""
    source: dict[str, tuple[int, str]] = {}
    extras: list[tuple[int, str]] = []
    for column in raw.columns:
        if column.field is None:
            extras.append((column.position, column.header))
        for name in ("done", "not_done") if column.field == "status" else (column.field,):
            if name is not None:
                source[name] = (column.position, column.header)
    out: list[list[Any]] = []
    for row in raw.rows:
        pages = list(row.pages)
        scores = row.confidence or ()
        for index, name in enumerate(COLUMN_NAMES):
            position, header = source.get(name, (None, None))
            score = scores[index] if index < len(scores) else None
            out.append([raw.source_sha256, row.line, pages, index, name, COLUMN_LABELS[name], row.cells[index],
                        position, header, score])  # fmt: skip
        for k, text in enumerate(row.extra):
            position, header = extras[k] if k < len(extras) else (None, raw.extra_headers[k])
            score = scores[len(COLUMN_NAMES) + k] if len(COLUMN_NAMES) + k < len(scores) else None
            out.append([raw.source_sha256, row.line, pages, len(COLUMN_NAMES) + k, "extra", header, text,
                        position, header, score])  # fmt: skip
    return out


def _insert_core(conn: duckdb.DuckDBPyConnection, report: Report, content: str, now: datetime) -> None:
    meta, raw = report.meta, report.raw
    conn.execute(
        "insert into core.report values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            raw.source_sha256,
            meta.issuer,
            meta.year,
            meta.quarter,
            meta.title,
            meta.revision_label,
            raw.source_sha256,
            content,
            raw.source_file,
            raw.page_count,
            report.task_count,
            len(report.rows),
            now,
        ],
    )
    rows = [
        [
            raw.source_sha256,
            row.task_no,
            row.plan_type,
            row.plan_type_label,
            row.task_title,
            list(row.responsible_units),
            row.lead_office,
            row.phone,
            row.plan_text,
            row.status,
            row.status_text,
            row.progress_text,
            list(row.source_pages),
            row.source_line,
        ]
        for row in report.rows
    ]
    conn.executemany("insert into core.task_row values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _insert_metrics(conn: duckdb.DuckDBPyConnection, report: Report) -> None:
    if not report.metrics:
        return
    rows = [
        [
            report.raw.source_sha256,
            m.metric_no,
            m.task_no,
            m.plan_type,
            m.kind,
            m.value,
            m.unit,
            m.unit_normalized,
            m.value_normalized,
            m.comparator,
            m.direction,
            m.subject,
            m.period_text,
            m.clause,
            m.source_text,
            m.source_line,
        ]
        for m in report.metrics
    ]
    conn.executemany("insert into core.metric values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def record_outcome(
    conn: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    file_name: str,
    outcome: Outcome,
    source_sha256: str | None = None,
    message: str | None = None,
    report: Report | None = None,
    row_count: int | None = None,
) -> None:
    """Note in ops.ingest_file what happened to one file in one run."""
    meta = report.meta if report else None
    conn.execute(
        "insert into ops.ingest_file values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            file_name,
            source_sha256,
            outcome,
            message,
            meta.issuer if meta else None,
            meta.year if meta else None,
            meta.quarter if meta else None,
            row_count,
            datetime.now(UTC),
        ],
    )


@dataclass(frozen=True)
class WarehouseCounts:
    reports: int
    current_reports: int
    tasks: int
    task_rows: int
    open_warnings: int


def warehouse_counts(conn: duckdb.DuckDBPyConnection) -> WarehouseCounts:
    """Headline counts for the end-of-run summary."""
    row = conn.execute(
        """
        select
            (select count(*) from core.report),
            (select count(*) from staging.current_report),
            (select count(*) from (select distinct issuer, year, task_no from mart.task_progress)),
            (select count(*) from mart.task_progress),
            (select count(*) from mart.open_warnings)
        """
    ).fetchone()
    assert row is not None
    return WarehouseCounts(*(int(value) for value in row))
