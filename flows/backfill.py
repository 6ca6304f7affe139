"""Backfill: parse many report files in parallel (processes), load them one by one (DuckDB has one writer).

Parsing a report (PDF text extraction, normalization, the metrics grammar) is CPU-bound Python, so it runs in
processes, never threads: Prefect's ``ProcessPoolTaskRunner`` on this machine by default, or
``prefect-dask``'s ``DaskTaskRunner`` on a ``distributed`` cluster when a scheduler address is given (scale-out
beyond one machine). The parsed reports come back to the flow's process, which loads them serially, in the
order of the file list (so "latest load wins" stays deterministic), through the same tasks as ``ingest-reports``
(``flows.ingest.validate_and_load``: quality gate, transactional idempotent load, ``ops.ingest_file``), into a
staging copy taken under the warehouse's writer lock and published atomically at the end (``etl.load.publish``),
as ``ingest-reports`` does. Parsing starts first and needs no lock; loading starts as soon as the first batch is
parsed, while the pool parses the rest.

Files whose bytes are already in the warehouse (SHA-256, the warehouse's identity of a file) are not parsed
again: they are reported ``unchanged`` straight away. Bad input (``ReportError``) is returned by the parse task
as a failed outcome, never retried and never raised across the process boundary; I/O errors are retried with
backoff.

Settings: parameters of the flow, else environment variables, else defaults —

- ``task_runner``: ``process``, ``dask`` or ``serial`` (in the flow's process) [``ETL_BACKFILL_TASK_RUNNER``;
  default ``dask`` if a scheduler address is set, else ``process``];
- ``workers``: processes of the pool or of a temporary LocalCluster [``ETL_BACKFILL_WORKERS``; CPU count];
- ``dask_address``: a ``distributed`` scheduler, ``tcp://host:8786`` [``ETL_DASK_ADDRESS``; none];
- ``batch_size``: files per parse task [about four batches per worker, 1–25 files each].

``task_runner="dask"`` without an address starts a temporary ``distributed.LocalCluster`` for the run.
Run it from an ``if __name__ == "__main__":`` guard (or the ``etl`` command, a deployment, pytest): worker
processes are spawned, and spawning re-imports the main module.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
from prefect import flow, get_client, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner
from prefect.tasks import exponential_backoff
from pydantic import BaseModel

from etl.errors import ReportError
from etl.extract.guarded import read_source_guarded
from etl.extract.source import is_report_file
from etl.inbox import sha256_of
from etl.load.publish import staged_warehouse
from etl.load.warehouse import check_warehouse, connect, record_outcome
from etl.models import Report
from etl.parse.report import parse_report
from etl.report import write_report
from etl.settings import get_settings
from etl.validate.gate import QualityGate
from flows.ingest import (
    FileOutcome,
    IngestSummary,
    QualityGateFailed,
    _is_transient,
    check_published,
    load_outcome,
    prepare_warehouse,
    publish_run_artifacts,
    record_failure,
    summarize_warehouse,
    validate_and_load,
)

RunnerKind = Literal["process", "dask", "serial"]


class ParsedFile(BaseModel):
    """What the parse task sends back from its process: the report, or why the file is not one."""

    path: str
    report: Report | None = None
    error: str | None = None
    seconds: float = 0.0


class BackfillSummary(IngestSummary):
    """An ingest summary plus how the backfill ran."""

    task_runner: str = ""
    workers: int = 0
    parse_seconds: float = 0.0  # from the first submission until every file is parsed
    total_seconds: float = 0.0
    skipped: int = 0  # files already in the warehouse, not parsed again


# --- progress events, for the CLI's progress bar (in-process listeners only) ------------------------------------


@dataclass(frozen=True)
class BackfillEvent:
    """``start`` (``total`` files), ``parsed``, then one of ``loaded`` / ``unchanged`` / ``failed`` per file."""

    kind: str
    file: str = ""
    total: int = 0
    detail: str = ""


Listener = Callable[[BackfillEvent], None]
_listeners: list[Listener] = []


@contextmanager
def progress_listener(listener: Listener) -> Iterator[None]:
    """Call ``listener`` with the events of backfill runs in this process while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def _emit(event: BackfillEvent) -> None:
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:  # a broken progress display must not break a load
            get_run_logger().debug("progress listener failed", exc_info=True)


# --- files and task runners ----------------------------------------------------------------------------------------


def backfill_files(paths: list[Path], *, recursive: bool = True) -> list[Path]:
    """Report files named or found in the folders named (in sub-folders too if ``recursive``), sorted, unique."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            candidates = path.rglob("*") if recursive else path.iterdir()
            found.extend(sorted(p for p in candidates if is_report_file(p)))
        else:
            found.append(path)
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path.resolve(), None)
    return list(unique)


def resolve_runner(
    task_runner: RunnerKind | None, workers: int | None, dask_address: str | None
) -> tuple[RunnerKind, int, str | None]:
    """Parameters first, then ETL_BACKFILL_TASK_RUNNER / ETL_BACKFILL_WORKERS / ETL_DASK_ADDRESS, then defaults."""
    env = get_settings()
    address = dask_address or env.dask_address
    kind: RunnerKind = task_runner or env.backfill_task_runner or ("dask" if address else "process")
    count = workers or env.backfill_workers or os.cpu_count() or 1
    if kind == "serial":
        count = 1
    return kind, count, address


def make_task_runner(kind: RunnerKind, workers: int, dask_address: str | None) -> TaskRunner[Any] | None:
    """The task runner that parses: a local process pool, a Dask cluster, or none (serial, in the flow)."""
    if kind == "serial":
        return None
    if kind == "dask":
        from prefect_dask.task_runners import DaskTaskRunner  # optional extra `dask`: pip install -e '.[dask]'

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        # A temporary LocalCluster for this run: processes (parsing holds the GIL), on loopback, no dashboard.
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "host": "127.0.0.1",
                "dashboard_address": None,
            }
        )
    return ProcessPoolTaskRunner(max_workers=workers)


# --- tasks ---------------------------------------------------------------------------------------------------------


def parse_one(path: str) -> ParsedFile:
    """Extract and parse one file. Bad input is a result, not an exception; I/O errors are raised."""
    started = time.perf_counter()
    try:
        # bounded like the ingest flow: PDFs are read in a child process limited in memory and time
        report = parse_report(read_source_guarded(Path(path)))
    except ReportError as exc:  # not picklable across processes, and never worth a retry: send the text back
        return ParsedFile(path=path, error=str(exc), seconds=time.perf_counter() - started)
    return ParsedFile(path=path, report=report, seconds=time.perf_counter() - started)


@task(
    retries=2,
    retry_delay_seconds=exponential_backoff(backoff_factor=1),
    retry_condition_fn=_is_transient,
    cache_policy=NO_CACHE,
)
def parse_files(paths: list[str]) -> list[ParsedFile]:
    """Extract and parse a batch of files in one task run (in a worker process of the task runner).

    One task run costs Prefect a few API calls (tenths of a second measured here), about what parsing a whole
    text dump costs; batches keep that overhead small next to the parsing.
    """
    return [parse_one(path) for path in paths]


def batch_size_for(files: int, workers: int, batch_size: int | None = None) -> int:
    """Files per parse task: as given, else about four batches per worker, 1 to 25 files each."""
    if batch_size:
        return max(1, batch_size)
    return max(1, min(25, math.ceil(files / (workers * 4))))


def _loaded_hashes(warehouse: Path) -> set[str]:
    """SHA-256 of every file in the published warehouse (read-only; none if there is no warehouse yet)."""
    if not warehouse.exists():
        return set()
    try:
        with connect(warehouse, read_only=True) as conn:
            return {str(row[0]) for row in conn.execute("select source_sha256 from raw.source_file").fetchall()}
    except duckdb.CatalogException:  # an empty warehouse file: no tables yet
        return set()


def _load_one(parsed: ParsedFile, warehouse: Path, run_id: str, gate: QualityGate) -> FileOutcome:
    """Gate and load one parsed file in the flow's process (the only writer); a bad file becomes an outcome."""
    name = Path(parsed.path).name
    started = time.perf_counter()
    if parsed.report is None:
        message = parsed.error or "not parsed"
        record_failure(warehouse, run_id, name, message)
        return FileOutcome(file=name, outcome="failed", message=message, seconds=round(parsed.seconds, 3))
    report = parsed.report
    try:
        result = validate_and_load(report, warehouse, run_id, gate)
    except QualityGateFailed as exc:
        record_failure(warehouse, run_id, name, str(exc))
        return FileOutcome(file=name, outcome="failed", message=str(exc), seconds=round(parsed.seconds, 3))
    return load_outcome(name, report, result, parsed.seconds + time.perf_counter() - started)


def _record_skipped(warehouse: Path, run_id: str, skipped: list[tuple[Path, str]]) -> None:
    if not skipped:
        return
    with connect(warehouse) as conn:
        for path, digest in skipped:
            record_outcome(
                conn,
                run_id=run_id,
                file_name=path.name,
                outcome="unchanged",
                source_sha256=digest,
                message="already loaded: not parsed again",
                row_count=0,
            )


# --- the flow ------------------------------------------------------------------------------------------------------


@flow(name="backfill", log_prints=True)
def backfill(
    paths: list[str],
    warehouse: str | None = None,
    task_runner: RunnerKind | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    recursive: bool = True,
    batch_size: int | None = None,
) -> BackfillSummary:
    """Ingest report files and folders: parse in parallel processes (or on a Dask cluster), load serially.

    Files stay where they are; loading is idempotent by content, so a backfill can be re-run.
    """
    logger = get_run_logger()
    started = time.perf_counter()
    settings = get_settings(warehouse=Path(warehouse) if warehouse else None)
    run_id = str(flow_run.get_id() or "local")
    kind, count, address = resolve_runner(task_runner, workers, dask_address)
    files = backfill_files([Path(p) for p in paths], recursive=recursive)
    _emit(BackfillEvent("start", total=len(files), detail=f"{kind} x{count}"))

    check_warehouse(settings.warehouse)  # a damaged file stops the run before anything is parsed or staged
    loaded = _loaded_hashes(settings.warehouse)
    digests = {path: sha256_of(path) for path in files if path.is_file()}
    skipped = [(path, digests[path]) for path in files if digests.get(path) in loaded]
    todo = [path for path in files if digests.get(path) not in loaded]
    logger.info(
        "backfill of %d file(s): %d already loaded, %d to parse with %s (%d worker(s)%s)",
        len(files),
        len(skipped),
        len(todo),
        kind,
        count,
        f", scheduler {address}" if address else "",
    )

    gate = QualityGate(data_docs_dir=settings.data_docs_dir)  # one Great Expectations context per run
    size = batch_size_for(len(todo), count, batch_size)
    batches = [todo[i : i + size] for i in range(0, len(todo), size)]
    clock = _ParseClock()
    outcomes: dict[Path, FileOutcome] = {}
    runner = make_task_runner(kind, count, address)
    with ExitStack() as stack:
        # Parsing starts first and needs no lock; the writer lock and the staging copy (etl.load.publish) are
        # taken while the pool works, and held from the first load to the atomic publish at the end.
        futures: list[PrefectFuture[list[ParsedFile]]] = []
        if runner is not None:
            stack.enter_context(_api_url_for_workers())
            stack.enter_context(runner)
            futures = [runner.submit(parse_files, {"paths": [str(p) for p in batch]}) for batch in batches]
            for batch, future in zip(batches, futures, strict=True):
                future.add_done_callback(_parsed_callback(batch, clock))
        staging = stack.enter_context(
            staged_warehouse(
                settings.warehouse, storage_version=settings.storage_version, lock_timeout=settings.lock_timeout
            )
        )
        prepare_warehouse(staging, settings.sql_dir, settings.indicators_file)
        _record_skipped(staging, run_id, skipped)
        for path, _ in skipped:
            outcomes[path] = FileOutcome(file=path.name, outcome="unchanged", message="already loaded: not parsed")
            _emit(BackfillEvent("unchanged", path.name, detail="already loaded"))
        if runner is None:
            for batch in batches:
                parsed = _parse_here(batch)
                clock.done()
                for item in parsed:
                    outcomes[Path(item.path)] = _load_and_emit(item, staging, run_id, gate)
        else:
            for batch, future in zip(batches, futures, strict=True):  # load in file order, as batches arrive
                for item in _results(batch, future):
                    outcomes[Path(item.path)] = _load_and_emit(item, staging, run_id, gate)
        parse_seconds = clock.seconds()
        for failure in check_published(staging, run_id, gate):
            logger.error("warehouse check failed: %s", failure)
        base = summarize_warehouse(staging, run_id, [outcomes[path] for path in files])

    summary = BackfillSummary(
        **base.model_dump(),
        task_runner=kind,
        workers=count,
        parse_seconds=round(parse_seconds, 3),
        skipped=len(skipped),
    )
    summary.warehouse = str(settings.warehouse)
    summary.data_docs = str(gate.build_data_docs() or "")
    summary.report = str(write_report(settings.warehouse, settings.report_file, sql_dir=settings.sql_dir).path)
    summary.total_seconds = round(time.perf_counter() - started, 3)
    _publish(summary)
    logger.info(
        "backfill done: %d file(s), %d failed, %d skipped; parse %.1fs, total %.1fs",
        len(files),
        len(summary.failed),
        len(skipped),
        summary.parse_seconds,
        summary.total_seconds,
    )
    return summary


@contextmanager
def _api_url_for_workers() -> Iterator[None]:
    """Make the API the flow talks to explicit in the settings that task-runner processes inherit.

    Without PREFECT_API_URL (local mode) the flow's process talks to a temporary server it started itself; a
    worker process of the pool, which inherits only settings and environment, would start its own (8-11 s each).
    """
    if PREFECT_API_URL.value():
        yield
        return
    with get_client(sync_client=True) as client:
        url = str(client.api_url).rstrip("/")
    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield


class _ParseClock:
    """When parsing started and when the last batch was parsed (callbacks come from other threads)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.finished = self.started
        self._lock = threading.Lock()

    def done(self) -> None:
        with self._lock:
            self.finished = max(self.finished, time.perf_counter())

    def seconds(self) -> float:
        return self.finished - self.started


def _parse_here(batch: list[Path]) -> list[ParsedFile]:
    """Serial mode: the parse task in the flow's own process."""
    try:
        parsed = parse_files([str(path) for path in batch])
    except Exception as exc:  # I/O errors that outlived their retries: parse the files one by one to name it
        parsed = [_parse_or_error(path) for path in batch]
        get_run_logger().warning("batch of %d file(s) failed (%s); parsed one by one", len(batch), exc)
    for item in parsed:
        _emit(BackfillEvent("parsed", Path(item.path).name))
    return parsed


def _parse_or_error(path: Path) -> ParsedFile:
    try:
        return parse_one(str(path))
    except Exception as exc:
        return ParsedFile(path=str(path), error=f"{path.name}: {type(exc).__name__}: {exc}")


def _parsed_callback(batch: list[Path], clock: _ParseClock) -> Callable[[PrefectFuture[Any]], None]:
    def done(_: PrefectFuture[Any]) -> None:
        clock.done()
        for path in batch:
            _emit(BackfillEvent("parsed", path.name))

    return done


def _results(batch: list[Path], future: PrefectFuture[list[ParsedFile]]) -> list[ParsedFile]:
    """The batch's parsed files; if the batch failed as a whole (I/O errors after retries, a worker process that
    died), its files are parsed again here one by one, so each gets its own outcome and message."""
    try:
        parsed = future.result()
    except Exception as exc:
        get_run_logger().warning("parse batch of %d file(s) failed (%s); parsing them here one by one", len(batch), exc)
        return [_parse_or_error(path) for path in batch]
    return list(parsed)


def _load_and_emit(parsed: ParsedFile, warehouse: Path, run_id: str, gate: QualityGate) -> FileOutcome:
    outcome = _load_one(parsed, warehouse, run_id, gate)
    detail = (outcome.message or "").split("\n")[0] if outcome.outcome == "failed" else f"{outcome.rows} rows"
    _emit(BackfillEvent(outcome.outcome, outcome.file, detail=detail))
    return outcome


def _publish(summary: BackfillSummary) -> None:
    publish_run_artifacts(
        summary,
        kind="backfill",
        title="Backfill run",
        details=(
            f"- already loaded and not parsed: {summary.skipped}",
            f"- parsed with: {summary.task_runner} ({summary.workers} worker(s)) in {summary.parse_seconds:.1f} s; "
            f"whole run {summary.total_seconds:.1f} s",
        ),
    )
