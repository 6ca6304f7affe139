"""A whole run: discover → hash → read and parse (parallel) → gate and load per batch → one publish → report.

The same run serves every entry point (``etl ingest``, ``etl backfill``, ``etl poll``, the Prefect flows, the
deployments); only where the parsing runs differs (``Executor``: one guarded child, several driven by threads, a Dask
cluster). Each step is a method of :class:`Steps`, so that ``flows/`` can run each one as a Prefect task (with its
retries) by overriding the method, while the order of the steps — this module — stays in one place.

1. ``check``: the published warehouse is checked (a damaged file stops the run before anything moves; the check
   reads the header and catalog only, see ``etl.load.warehouse.check_warehouse``), and the SHA-256 of every file
   it holds is read.
2. ``hash``: every input is hashed. Files whose bytes are loaded already are ``unchanged`` and are not read. When
   no file is left, the run ends here: nothing is written, no Great Expectations, no Data Docs, no report (a
   no-op costs the hashing).
3. The quality gate starts (``etl.pipeline.gate``): a worker process for a serial run, which imports GX there
   while this process parses; for parallel parsing, in this process, GX imported by the run's warm-up thread.
4. ``parse``: batches of files are read and parsed, in parallel unless serial; any failure is that file's
   rejection.
5. Under the writer lock, a staging copy of the warehouse is prepared (``prepare``: schema, catalog seed) and each
   parsed batch is gated and loaded in file order as it arrives (``load``: etl.pipeline.load).
6. ``check_published``: the warehouse-wide suites; then the staging copy replaces the published file (one
   publish per run) and its fingerprint is recorded.
7. ``finish``: Data Docs and the HTML report, once per run (etl.pipeline.finish). A failure after the publish never
   reads as "nothing was published": it is kept in the summary (``after_publish_errors``) and nothing is raised.
   Before the publish, DuckDB's errors are named for what they mean (etl.load.publish.database_errors_named: a
   full disk, a damaged warehouse).
"""

from __future__ import annotations

import importlib
import itertools
import logging
import math
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor as FuturesExecutor
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import duckdb

from etl.digest import sha256_file
from etl.extract.guarded import MAX_WORKERS, ExtractLimits, ExtractorPool
from etl.load.publish import database_errors_named, staged_warehouse, writer_lock
from etl.load.rebuild import refuse_interrupted_rebuild
from etl.load.schema import apply_schema
from etl.load.seeds import seed_indicator_catalog
from etl.load.validation import record_validations
from etl.load.versions import DroppedTasksAccepted
from etl.load.warehouse import (
    check_warehouse,
    connect,
    loaded_hashes,
    record_fingerprint,
    record_outcomes,
    warehouse_counts,
)
from etl.metrics.catalog import load_catalog
from etl.models import DeclaredMeta
from etl.pipeline.discover import inbox_files
from etl.pipeline.finish import Finished, finish
from etl.pipeline.gate import Gate, GateWorker, InProcessGate
from etl.pipeline.load import already_loaded, load_batch, rejected
from etl.pipeline.read import read_batch
from etl.pipeline.results import FileOutcome, ParsedFile, RunSummary
from etl.settings import Executor, Settings

log = logging.getLogger(__name__)


# --- options -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunOptions:
    """How a run parses: ``executor`` (serial / process / dask), ``workers``, a Dask scheduler, files per batch."""

    executor: Executor = "serial"
    workers: int = 1
    dask_address: str | None = None
    batch_size: int | None = None
    # Where the quality gate runs: True, in a process started at launch (GX's ~3 s import then overlaps the
    # reading, on the other core); False, in this process, GX imported by a thread at launch. None: a worker for
    # serial runs, this process when parsing is parallel (the cores are busy parsing anyway, and a process of its
    # own would hold a second copy of pandas and pyarrow: ~150 MB).
    gate_in_worker: bool | None = None
    write_report: bool = True
    rebuild: bool = False  # `etl rebuild`'s replay: may create the warehouse an interrupted rebuild moved aside
    declared: DeclaredMeta | None = None  # --issuer/--period of `etl ingest FILE`, for every file of the run
    # Files that may drop tasks of the version they replace (etl.load.versions): --accept-dropped-tasks, or a
    # rebuild replaying what a poll accepted.
    accept_dropped: DroppedTasksAccepted = field(default_factory=DroppedTasksAccepted)

    @classmethod
    def resolve(
        cls,
        settings: Settings,
        executor: Executor | None = None,
        workers: int | None = None,
        dask_address: str | None = None,
        **other: Any,
    ) -> RunOptions:
        """Arguments first, then the settings (ETL_BACKFILL_TASK_RUNNER, ETL_BACKFILL_WORKERS, ETL_DASK_ADDRESS).

        Without either: serial for one file, else CPU-count parsing processes (dask with an address).
        """
        address = dask_address or settings.dask_address
        kind: Executor | None = executor or settings.backfill_task_runner or ("dask" if address else None)
        count = workers or settings.backfill_workers or os.cpu_count() or 1
        if kind is None:
            kind = "process" if count > 1 else "serial"
        if kind == "serial":
            count = 1
        return cls(executor=kind, workers=count, dask_address=address, **other)

    def batch_size_for(self, files: int) -> int:
        """Files per parse batch: as given, else about four batches per worker, 1 to 50 files each.

        A batch is also the unit of the quality gate (one GX validation per suite) and of the bulk load; GX costs
        about 0.1 s per suite and call whatever the size, so 50 files cost 23 ms a file where 25 cost 33 ms (gate
        and load, CPU, measured on the derived 12-page PDFs). Larger batches add little and lengthen the tail (the
        last batch is loaded after all parsing is done)."""
        if self.batch_size:
            return max(1, self.batch_size)
        return max(1, min(50, math.ceil(files / (self.workers * 4))))


# --- progress events (the CLI's progress bar listens) ------------------------------------------------------------


@dataclass(frozen=True)
class RunEvent:
    """``start`` (``total`` files), ``parsed`` per file, then one of ``loaded`` / ``unchanged`` / ``failed``."""

    kind: str
    file: str = ""
    total: int = 0
    detail: str = ""


Listener = Callable[[RunEvent], None]
_listeners: list[Listener] = []


class listening:
    """Call ``listener`` with the events of runs in this process while the block runs."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener

    def __enter__(self) -> None:
        _listeners.append(self.listener)

    def __exit__(self, *exc: object) -> None:
        _listeners.remove(self.listener)


def emit(event: RunEvent) -> None:
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:  # a broken progress display must not break a load
            log.debug("progress listener failed", exc_info=True)


def _emit_outcome(outcome: FileOutcome) -> None:
    detail = (outcome.message or "").split("\n")[0] if outcome.outcome == "failed" else f"{outcome.rows} rows"
    if outcome.message and outcome.outcome == "unchanged":
        detail = outcome.message
    emit(RunEvent(outcome.outcome, outcome.file, detail=detail))


# --- the steps -------------------------------------------------------------------------------------------------


@dataclass
class Hashed:
    """The inputs of a run after hashing: what is to be read, and what is loaded already."""

    todo: list[tuple[Path, str]] = field(default_factory=list)
    loaded: list[tuple[Path, str]] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # (path, error)


def check(warehouse: Path) -> set[str]:
    """Step 1: a damaged published warehouse stops the run; the SHA-256 of the files it holds."""
    check_warehouse(warehouse)
    return loaded_hashes(warehouse)


def hash_files(files: Sequence[Path], loaded: set[str]) -> Hashed:
    """Step 2: hash every input; split into files to read, files loaded already and files that cannot be read."""
    hashed = Hashed()
    for path in files:
        try:
            digest = sha256_file(path)
        except FileNotFoundError:
            hashed.unreadable.append((path, f"{path.name}: file not found: {path}"))
            continue
        except OSError as exc:
            hashed.unreadable.append((path, f"{path.name}: cannot read the file: {exc.strerror or exc}"))
            continue
        (hashed.loaded if digest in loaded else hashed.todo).append((path, digest))
    return hashed


def prepare(staging: Path, settings: Settings) -> None:
    """Step 5a: the staging copy's schema and the indicator catalog seed."""
    catalog = load_catalog(settings.indicators_file)
    with connect(staging) as conn:
        apply_schema(conn, settings.sql_dir)
        seed_indicator_catalog(conn, catalog)


def check_published(conn: duckdb.DuckDBPyConnection, gate: Gate, run_id: str) -> list[str]:
    """Step 6: warehouse-wide expectations after loading (e.g. one current version per quarter); the failures."""
    from etl.validate.gate import published_frames

    outcome = gate.validate_batch([published_frames(conn)], run_names=["published"])[0]
    conn.execute("begin transaction")
    try:
        record_validations(conn, run_id, [(None, outcome)])
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    for failure in outcome.failures:
        log.error("warehouse check failed: %s", failure.describe())
    return [failure.describe() for failure in outcome.failures]


class Steps:
    """The steps of a run, as plain calls. ``flows/`` subclasses it to run each step as a Prefect task."""

    def check(self, warehouse: Path) -> set[str]:
        return check(warehouse)

    def hash_files(self, files: list[Path], loaded: set[str]) -> Hashed:
        return hash_files(files, loaded)

    def start_gate(self, settings: Settings, options: RunOptions) -> Gate:
        in_worker = options.gate_in_worker
        if in_worker is None:
            in_worker = options.executor == "serial"
        if in_worker:
            return GateWorker(settings.data_docs_dir)
        return InProcessGate(settings.data_docs_dir)

    def parse(
        self, batches: list[list[Path]], options: RunOptions, limits: ExtractLimits, stack: ExitStack
    ) -> Iterator[list[ParsedFile]]:
        """Step 4: the batches read and parsed, in order as they are done; the first ones are submitted at once
        (reading starts while the warehouse copy is staged), the others a little ahead of the loading.

        Every file is read and parsed in a guarded child process (etl.extract.guarded), so the local executors need
        no process pool of their own: ``workers`` threads each drive one child (a thread waits on its child's
        socket without holding the GIL), and this process meanwhile prepares the staging copy, gates and loads.
        Dask sends the batches to its workers, each reading in a guarded child of its own. What is started here is
        stopped by ``stack``: when the run ends early, files not yet begun are not read.
        """
        paths = [[str(p) for p in batch] for batch in batches]
        if options.executor == "dask":
            client = stack.enter_context(_dask_client(options))
            return parsed_in_order(
                paths,
                lambda batch, stop: client.submit(read_batch, batch, limits, None, None, options.declared),
                options,
                limits,
                stack,
            )
        children = extractor_pool_for(options, stack)
        threads = stack.enter_context(ThreadPoolExecutor(parse_threads(options), thread_name_prefix="parse"))
        return parsed_in_order(
            paths,
            lambda batch, stop: threads.submit(read_batch, batch, limits, children, stop, options.declared),
            options,
            limits,
            stack,
        )

    def prepare(self, staging: Path, settings: Settings) -> None:
        prepare(staging, settings)

    def load(
        self,
        conn: duckdb.DuckDBPyConnection,
        parsed: list[ParsedFile],
        gate: Gate,
        run_id: str,
        accept: DroppedTasksAccepted | None = None,
    ) -> list[FileOutcome]:
        return load_batch(conn, parsed, gate, run_id, accept)

    def check_published(self, conn: duckdb.DuckDBPyConnection, gate: Gate, run_id: str) -> list[str]:
        return check_published(conn, gate, run_id)

    def finish(self, settings: Settings, gate: Gate | None, *, write_report: bool) -> Finished:
        return finish(settings, gate, write_report=write_report)


def _dask_client(options: RunOptions) -> Any:
    """A Dask client (concurrent.futures-style) on the scheduler given, or on a temporary LocalCluster."""
    from distributed import Client, LocalCluster  # optional extra `dask`

    if options.dask_address:
        return Client(options.dask_address)  # type: ignore[no-untyped-call]
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=options.workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    return _ClusterClient(cluster, Client(cluster))  # type: ignore[no-untyped-call]


class BatchFuture(Protocol):
    """A submitted parse batch: a concurrent.futures Future, a Dask future or a Prefect task's future."""

    def result(self) -> list[ParsedFile]: ...


def parse_threads(options: RunOptions) -> int:
    """Threads (so guarded children) parsing at once: one when serial, else ``workers``."""
    return 1 if options.executor == "serial" else options.workers


def extractor_pool_for(options: RunOptions, stack: ExitStack) -> ExtractorPool | None:
    """The guarded children to parse in: the process-wide pool (kept for the next run of a long-lived process),
    unless more children than it allows are asked for; then a pool of their own, closed with ``stack``."""
    if options.executor == "dask" or parse_threads(options) <= MAX_WORKERS:
        return None
    pool = ExtractorPool(parse_threads(options))
    stack.callback(pool.close)
    return pool


class ParsedInOrder:
    """Parse batches taken in order, at most ``ahead`` submitted and not yet taken (parsed reports do not pile up
    in memory); the first ones are submitted when it is made. ``close`` stops: batches not begun are cancelled,
    and ``stop`` is set, which read_batch checks between files."""

    def __init__(
        self,
        batches: list[list[str]],
        submit: Callable[[list[str], threading.Event], BatchFuture],
        *,
        ahead: int,
        limits: ExtractLimits,
        declared: DeclaredMeta | None = None,
    ) -> None:
        self.stop = threading.Event()
        self._submit, self._limits, self._declared = submit, limits, declared
        self._queued = iter(batches)
        self._pending: deque[tuple[list[str], BatchFuture]] = deque()
        for batch in itertools.islice(self._queued, ahead):
            self._pending.append((batch, submit(batch, self.stop)))

    def __iter__(self) -> Iterator[list[ParsedFile]]:
        return self

    def __next__(self) -> list[ParsedFile]:
        if not self._pending:
            raise StopIteration
        batch, future = self._pending.popleft()
        done = _batch_result(batch, future, self._limits, self._declared)
        following = next(self._queued, None)
        if following is not None and not self.stop.is_set():
            self._pending.append((following, self._submit(following, self.stop)))
        return done

    def close(self) -> None:
        self.stop.set()
        for _, future in self._pending:
            cancel = getattr(future, "cancel", None)
            if cancel is not None:
                cancel()
        self._pending.clear()


def parsed_in_order(
    batches: list[list[str]],
    submit: Callable[[list[str], threading.Event], BatchFuture],
    options: RunOptions,
    limits: ExtractLimits,
    stack: ExitStack,
) -> ParsedInOrder:
    """A ParsedInOrder for a run's parse step, a few batches ahead of the loading, closed with ``stack``."""
    parsed = ParsedInOrder(
        batches, submit, ahead=parse_threads(options) + 1, limits=limits, declared=options.declared
    )
    stack.callback(parsed.close)
    return parsed


class _ClusterClient:
    """A Dask client on a temporary LocalCluster, both closed on exit."""

    def __init__(self, cluster: Any, client: Any) -> None:
        self.cluster, self.client = cluster, client

    def __enter__(self) -> FuturesExecutor:
        return self.client  # type: ignore[no-any-return]

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.cluster.close()


def _batch_result(
    batch: list[str], future: BatchFuture, limits: ExtractLimits, declared: DeclaredMeta | None = None
) -> list[ParsedFile]:
    """A batch's parsed files; if the batch failed as a whole (a worker process died), its files are read again
    here one by one, so each gets its own outcome and message."""
    try:
        return list(future.result())
    except Exception as exc:
        log.warning("parse batch of %d file(s) failed (%s); reading them here one by one", len(batch), exc)
        return [read_batch([path], limits, declared=declared)[0] for path in batch]


# --- the run -----------------------------------------------------------------------------------------------------


class _Clock:
    """From the first batch submitted until the last one parsed."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.finished = self.started
        self._lock = threading.Lock()

    def done(self) -> None:
        with self._lock:
            self.finished = time.perf_counter()

    def seconds(self) -> float:
        return self.finished - self.started


def run_pipeline(
    files: Sequence[Path],
    settings: Settings,
    options: RunOptions | None = None,
    *,
    run_id: str | None = None,
    steps: Steps | None = None,
    lock_held: bool = False,
) -> RunSummary:
    """Ingest ``files`` (already discovered: etl.pipeline.discover) into ``settings.warehouse``; see the module doc.

    Bad files never raise: each becomes a ``failed`` outcome naming it. What raises is what stops the whole run
    with nothing published and the inputs untouched: a damaged warehouse (WarehouseCorruptError), the writer lock
    not obtained in time, a full disk or a read-only folder (OSError, duckdb.IOException).
    """
    options = options or RunOptions()
    steps = steps or Steps()
    run_id = run_id or f"local-{uuid.uuid4()}"  # a run outside Prefect: its own id in ops.* all the same
    started = time.perf_counter()
    timer = _StepTimer()
    files = list(files)
    if not options.rebuild:  # before any work: a killed `etl rebuild` left no warehouse, only the moved-aside one
        refuse_interrupted_rebuild(settings.warehouse)
    emit(RunEvent("start", total=len(files), detail=f"{options.executor} x{options.workers}"))
    with timer("check"):
        loaded = steps.check(settings.warehouse)
    with timer("hash"):
        hashed = steps.hash_files(files, loaded)
    outcomes: dict[Path, FileOutcome] = {}
    for path, digest in hashed.loaded:
        outcomes[path] = already_loaded(str(path), path.name, digest)
    for path, error in hashed.unreadable:
        outcomes[path] = rejected(ParsedFile(path=str(path)), error)
    summary = RunSummary(
        run_id=run_id,
        warehouse=str(settings.warehouse),
        files=[],
        executor=options.executor,
        workers=options.workers,
        skipped=len(hashed.loaded),
    )
    if not hashed.todo and not hashed.unreadable:
        for outcome in outcomes.values():
            _emit_outcome(outcome)
        summary.files = [outcomes[path] for path in files]
        with timer("counts"):
            _fill_counts(summary, settings.warehouse, staging=None)
        summary.total_seconds = round(time.perf_counter() - started, 3)
        summary.steps = dict(timer.seconds)
        log.info("nothing new: %d file(s) already loaded; the warehouse was not written", len(files))
        return summary

    limits = ExtractLimits.from_settings(settings)
    todo = [path for path, _ in hashed.todo]
    if len(todo) <= 1 and options.executor == "process":  # a pool's start-up for one file costs more than it saves
        options = replace(options, executor="serial", workers=1)
        summary.executor, summary.workers = options.executor, options.workers
    size = options.batch_size_for(len(todo))
    batches = [todo[i : i + size] for i in range(0, len(todo), size)]
    clock = _Clock()
    gate: Gate | None = steps.start_gate(settings, options) if todo else None
    # One thread imports what the run needs later while this process mostly waits: GX for a gate in this process
    # (~3 s), then plotly and the report's modules (~1 s). One thread, not two: GX's circular imports can deadlock
    # (importlib's _DeadlockError) when another thread imports overlapping modules at the same time.
    threading.Thread(target=_warm_up, args=(gate, options.write_report), name="warm-up", daemon=True).start()
    try:
        with database_errors_named(settings.warehouse), ExitStack() as stack:
            parsed_batches = steps.parse(batches, options, limits, stack)  # reading starts now
            with timer("stage"):
                staging = stack.enter_context(
                    staged_warehouse(
                        settings.warehouse,
                        storage_version=settings.storage_version,
                        lock_timeout=settings.lock_timeout,
                        lock_held=lock_held,
                        rebuilding=options.rebuild,
                    )
                )
            with timer("prepare"):
                steps.prepare(staging, settings)
            with connect(staging) as conn:
                early = [outcomes[path] for path in files if path in outcomes]
                conn.execute("begin transaction")
                record_outcomes(conn, run_id, early)
                conn.execute("commit")
                for outcome in early:
                    _emit_outcome(outcome)
                while True:
                    with timer("parse (waiting for it)"):
                        batch = next(parsed_batches, None)
                    if batch is None:
                        break
                    clock.done()
                    for item in batch:
                        emit(RunEvent("parsed", item.name))
                    assert gate is not None
                    with timer("gate + load"):
                        for outcome in steps.load(conn, batch, gate, run_id, options.accept_dropped):
                            outcomes[Path(outcome.path or outcome.file)] = outcome
                            _emit_outcome(outcome)
                with timer("check published"):
                    if gate is not None:
                        summary.published_failures = steps.check_published(conn, gate, run_id)
                summary.files = [outcomes[path] for path in files]
                with timer("counts"):
                    _fill_counts(summary, None, staging=conn)
            publishing = time.perf_counter()  # leaving the block seals the staging copy and renames it
        timer.seconds["publish"] = round(time.perf_counter() - publishing, 4)
        record_fingerprint(settings.warehouse)
        summary.published = True
        summary.parse_seconds = round(clock.seconds(), 3)
        with timer("data docs + report"):
            _finish(steps, settings, gate, options, summary)
    finally:
        if gate is not None:
            waited = getattr(gate, "waited", 0.0)
            if waited:
                timer.seconds["of which: waiting for the gate worker"] = round(waited, 3)
            gate.close()
    summary.total_seconds = round(time.perf_counter() - started, 3)
    summary.steps = dict(timer.seconds)
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.counts().items()))
    log.info("run %s: %d file(s): %s; %.1f s", run_id, len(files), counts, summary.total_seconds)
    return summary


def _finish(steps: Steps, settings: Settings, gate: Gate | None, options: RunOptions, summary: RunSummary) -> None:
    """Step 7 after the publish: its links, or what it could not do, in the summary (never raised: see finish)."""
    try:
        done = steps.finish(settings, gate, write_report=options.write_report)
    except Exception as exc:  # e.g. the Prefect task itself failed
        log.debug("the steps after the publish failed", exc_info=True)
        done = Finished(problems=(f"the HTML report and Data Docs were not written ({exc})",))
    summary.data_docs, summary.report = done.data_docs, done.report
    summary.after_publish_errors.extend(done.problems)


def _warm_up(gate: Gate | None, report: bool) -> None:
    """The run's background imports (see run_pipeline); a failure here is met again, and raised, where it is used."""
    try:
        if gate is not None:
            gate.warm_up()
        if report:
            importlib.import_module("etl.report")
    except Exception:
        log.warning("warming up the quality gate or the report failed; the run meets the error where it uses them",
                    exc_info=True)  # fmt: skip


class _StepTimer:
    """Wall time per step of a run, added up (a step may run once per batch)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - started, 4)


def _fill_counts(summary: RunSummary, published: Path | None, *, staging: duckdb.DuckDBPyConnection | None) -> None:
    """The warehouse's headline counts: from the staging connection, or read-only from the published file."""
    if staging is not None:
        counts = warehouse_counts(staging)
    elif published is not None and published.exists():
        with connect(published, read_only=True) as conn:
            counts = warehouse_counts(conn)
    else:
        return
    summary.reports_in_warehouse = counts.reports
    summary.current_reports = counts.current_reports
    summary.tasks_in_warehouse = counts.tasks
    summary.task_rows_in_warehouse = counts.task_rows
    summary.open_warnings = counts.open_warnings


# --- the inbox ---------------------------------------------------------------------------------------------------


def poll_inbox(
    settings: Settings, options: RunOptions | None = None, *, run_id: str | None = None, steps: Steps | None = None
) -> tuple[RunSummary, list[Path | None]]:
    """One inbox poll: the settled files of ``settings.inbox_dir``, ingested, then archived (by content hash, with
    their arrival recorded) or quarantined with the reason; returns the summary and where each file went (None: it
    could not be moved, said in ``summary.after_publish_errors``). Links that leave the inbox are refused unread.

    The writer lock is held from listing the inbox to moving the files, so two polls at once (a schedule
    overlapping a manual run) take turns: the second finds only what the first left.
    """
    from etl.inbox import Processed, file_away, quarantine_file, refused_links

    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    with writer_lock(settings.warehouse, settings.lock_timeout):
        files = inbox_files(settings.inbox_dir, settle_seconds=settings.settle_seconds)
        summary = run_pipeline(files, settings, options, run_id=run_id, steps=steps, lock_held=True)
        done = [Processed(p, o.outcome, o.message, o.accepted_drops) for p, o in zip(files, summary.files, strict=True)]
        moved, problems = file_away(done, settings.archive_dir, settings.quarantine_dir)
        summary.after_publish_errors.extend(problems)
        for link, reason in refused_links(settings.inbox_dir):  # after the run: refused whatever it did
            summary.files.append(FileOutcome(file=link.name, outcome="failed", path=str(link), message=reason))
            try:
                moved.append(quarantine_file(link, settings.quarantine_dir, reason, read=False))
            except OSError as exc:
                moved.append(None)
                summary.after_publish_errors.append(f"{link.name}: refused, but not moved to quarantine ({exc})")
    return summary, moved
