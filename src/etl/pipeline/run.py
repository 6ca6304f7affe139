"""A whole run: discover → hash → read and parse (parallel) → gate and load per batch → one publish → report.

The same run serves every entry point (``etl ingest``, ``etl backfill``, ``etl poll``, the Prefect flows, the
deployments); only where the parsing runs differs (``Executor``: one guarded child, several driven by threads, a Dask
cluster). Each step is named once in :class:`Steps` and runs through its one hook (``wrap``), so that ``flows/`` can
run each as a Prefect task (with its retries) while the order of the steps — this module — stays in one place.
What a run takes from its edge (settings, options, the warehouse, the event sink) comes in one
:class:`~etl.pipeline.context.RunContext`, built once there.

1. ``check``: the published warehouse is checked (a damaged file stops the run before anything moves; the check
   reads the header and catalog only, see ``etl.load.warehouse.check_warehouse``), and the SHA-256 of every file
   it holds is read.
2. ``hash``: every input is hashed. Files whose bytes are loaded already are ``unchanged`` and are not read. When
   no file is left, the run ends here: nothing is written, no Great Expectations, no Data Docs, no report (a
   no-op costs the hashing).
3. The quality gate starts (``etl.pipeline.gate_worker``): a worker process for a serial run, which imports GX there
   while this process parses; for parallel parsing, in this process, GX imported by the run's warm-up thread.
4. ``parse``: batches of files are read and parsed, in parallel unless serial; any failure is that file's
   rejection.
5. Under the writer lock, a staging copy of the warehouse is prepared (``prepare``: schema, catalog seed) and each
   parsed batch is gated and loaded in file order as it arrives (``load``: etl.pipeline.gate_and_load).
6. ``check_published``: the warehouse-wide suites; then the staging copy replaces the published file (one
   publish per run) and its fingerprint is recorded.
7. ``finish``: Data Docs and the HTML report, once per run (etl.pipeline.finish). A failure after the publish never
   reads as "nothing was published": it is kept in the summary (``after_publish_errors``) and nothing is raised.
   Before the publish, DuckDB's errors are named for what they mean (etl.load.publish.database_errors_named: a
   full disk, a damaged warehouse).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ParamSpec, Protocol, TypeVar

import duckdb

from etl.digest import sha256_file
from etl.extract.guarded import ExtractLimits
from etl.load.backend import ReportWrites, Warehouse, WriteTarget
from etl.load.file_lock import wait_until_readable
from etl.load.publish import database_errors_named
from etl.load.rebuild import refuse_interrupted_rebuild
from etl.load.validation import record_validations
from etl.load.versions import DroppedTasksAccepted
from etl.load.warehouse import record_outcomes, warehouse_counts
from etl.metrics.catalog import load_catalog
from etl.pipeline.context import RunContext
from etl.pipeline.discover import inbox_files
from etl.pipeline.events import RunEvent, outcome_event
from etl.pipeline.finish import Finished, finish
from etl.pipeline.gate_and_load import already_loaded, load_batch, rejected
from etl.pipeline.gate_worker import Gate, GateWorker, InProcessGate
from etl.pipeline.options import RunOptions
from etl.pipeline.parallel import parse_batches
from etl.pipeline.parallel_load import parallel_loads
from etl.pipeline.results import FileOutcome, ParsedFile, RunSummary
from etl.settings import Settings

log = logging.getLogger(__name__)


# --- the steps -------------------------------------------------------------------------------------------------


@dataclass
class Hashed:
    """The inputs of a run after hashing: what is to be read, and what is loaded already."""

    todo: list[tuple[Path, str]] = field(default_factory=list)
    loaded: list[tuple[Path, str]] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # (path, error)


def check(warehouse: Warehouse) -> set[str]:
    """Step 1: a damaged published warehouse stops the run; the SHA-256 of the files it holds."""
    return warehouse.check()


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


def prepare(target: WriteTarget, settings: Settings) -> None:
    """Step 5a: the schema (migrations, views) and the indicator catalog seed of the staging copy, or of the lake
    when they changed."""
    target.prepare(settings.sql_dir, load_catalog(settings.indicators_file))


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


P = ParamSpec("P")
R = TypeVar("R")


class StepWrap(Protocol):
    """The hook every named step runs through: ``wrap(name, step)`` gives what runs in the step's place, called
    with the step's arguments (flows/: a Prefect task named ``name``, with that step's retries)."""

    def __call__(self, name: str, step: Callable[P, R]) -> Callable[P, R]: ...


# The name of step 4, read and parse: not run through ``wrap`` (the parse hook submits its batches itself), so named
# here for the hook to use (flows/: each batch a Prefect task of this name).
READ_AND_PARSE = "read-and-parse"


class ParseBatches(Protocol):
    """How parse batches are submitted and taken back in order (etl.pipeline.parallel.parse_batches here; flows/:
    each batch a Prefect task named READ_AND_PARSE on Prefect's task runner)."""

    def __call__(
        self, batches: list[list[Path]], options: RunOptions, limits: ExtractLimits, stack: ExitStack
    ) -> Iterator[list[ParsedFile]]: ...


def as_called(name: str, step: Callable[P, R]) -> Callable[P, R]:
    """The in-process hook: each step is the plain call it is."""
    return step


class Steps:
    """The steps of a run, each defined once above (or in its module: load_batch, finish, parse_batches) and named
    here once. ``wrap`` runs every step through one hook (:func:`as_called` in-process; flows/ makes each a Prefect
    task); ``parse`` is how batches are parsed. Tests subclass it to slow or break a step."""

    def __init__(self, wrap: StepWrap = as_called, parse: ParseBatches = parse_batches) -> None:
        self.wrap, self._parse = wrap, parse

    def check(self, warehouse: Warehouse) -> set[str]:
        return self.wrap("check-warehouse", check)(warehouse)

    def hash_files(self, files: list[Path], loaded: set[str]) -> Hashed:
        return self.wrap("hash-files", hash_files)(files, loaded)

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
        return self._parse(batches, options, limits, stack)

    def prepare(self, target: WriteTarget, settings: Settings) -> None:
        self.wrap("prepare-warehouse", prepare)(target, settings)

    def load(
        self,
        conn: duckdb.DuckDBPyConnection,
        parsed: list[ParsedFile],
        gate: Gate,
        run_id: str,
        accept: DroppedTasksAccepted | None = None,
        writes: ReportWrites | None = None,
    ) -> list[FileOutcome]:
        return self.wrap("gate-and-load", load_batch)(conn, parsed, gate, run_id, accept, writes=writes)

    def check_published(self, conn: duckdb.DuckDBPyConnection, gate: Gate, run_id: str) -> list[str]:
        return self.wrap("check-published", check_published)(conn, gate, run_id)

    def finish(self, settings: Settings, source: Warehouse, gate: Gate | None, *, write_report: bool) -> Finished:
        return self.wrap("data-docs-and-report", finish)(settings, source, gate, write_report=write_report)


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


@dataclass
class _Run:
    """One run as its parts (run_pipeline, _read_and_publish, _load_batches) hand it on: what it was given, and
    each file's outcome and the summary as they are found. ``options`` starts as the context's and may be narrowed
    (one file is parsed serially)."""

    files: list[Path]
    ctx: RunContext
    options: RunOptions
    steps: Steps
    run_id: str
    summary: RunSummary
    outcomes: dict[Path, FileOutcome]
    timer: _StepTimer = field(default_factory=lambda: _StepTimer())
    clock: _Clock = field(default_factory=lambda: _Clock())


def run_pipeline(
    files: Sequence[Path],
    ctx: RunContext,
    *,
    run_id: str | None = None,
    steps: Steps | None = None,
    lock_held: bool = False,
) -> RunSummary:
    """Ingest ``files`` (already discovered: etl.pipeline.discover) into the context's warehouse; see the module
    doc. ``ctx`` was built at the edge (etl.pipeline.context.run_context): its settings, options, warehouse and
    event sink are all the run reads.

    Bad files never raise: each becomes a ``failed`` outcome naming it. What raises is what stops the whole run
    with nothing published and the inputs untouched: a damaged warehouse (WarehouseCorruptError), the writer lock
    not obtained in time, a full disk or a read-only folder (OSError, duckdb.IOException).
    """
    settings, options, warehouse = ctx.settings, ctx.options, ctx.warehouse
    run_id = run_id or f"local-{uuid.uuid4()}"  # a run outside Prefect: its own id in ops.* all the same
    started = time.perf_counter()
    summary = RunSummary(
        run_id=run_id, warehouse=warehouse.describe(), files=[], executor=options.executor, workers=options.workers
    )
    run = _Run(list(files), ctx, options, steps or Steps(), run_id, summary, outcomes={})
    if not options.rebuild and warehouse.kind == "file":  # a killed `etl rebuild` left only the moved-aside file
        refuse_interrupted_rebuild(settings.warehouse)
    ctx.emit(RunEvent("start", total=len(run.files), detail=f"{options.executor} x{options.workers}"))
    with run.timer("check"):
        if warehouse.kind == "file":  # a BI tool holding the file without read-only: wait for it, naming it
            wait_until_readable(settings.warehouse, settings.lock_timeout, on_wait=log.warning)
        loaded = run.steps.check(warehouse)
    with run.timer("hash"):
        hashed = run.steps.hash_files(run.files, loaded)
    for path, digest in hashed.loaded:
        run.outcomes[path] = already_loaded(str(path), path.name, digest)
    for path, error in hashed.unreadable:
        run.outcomes[path] = rejected(ParsedFile(path=str(path)), error)
    summary.skipped = len(hashed.loaded)
    if hashed.todo or hashed.unreadable:
        _read_and_publish(run, [path for path, _ in hashed.todo], lock_held)
    else:
        for outcome in run.outcomes.values():
            ctx.emit(outcome_event(outcome))
        summary.files = [run.outcomes[path] for path in run.files]
        with run.timer("counts"):
            _fill_counts(summary, warehouse, staging=None)
        log.info("nothing new: %d file(s) already loaded; the warehouse was not written", len(run.files))
    summary.total_seconds = round(time.perf_counter() - started, 3)
    summary.steps = dict(run.timer.seconds)
    if summary.published:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.counts().items()))
        log.info("run %s: %d file(s): %s; %.1f s", run_id, len(run.files), counts, summary.total_seconds)
    return summary


def _read_and_publish(run: _Run, todo: list[Path], lock_held: bool) -> None:
    """Steps 3 to 7 for the files ``todo`` (none when every file left was unreadable): parse them in batches while
    a staging copy is prepared, gate and load each batch, publish once, then Data Docs and the report."""
    settings, timer, summary, warehouse = run.ctx.settings, run.timer, run.summary, run.ctx.warehouse
    if len(todo) <= 1 and run.options.executor == "process":  # a pool's start-up for one file costs more than it saves
        run.options = replace(run.options, executor="serial", workers=1)
        summary.executor, summary.workers = run.options.executor, run.options.workers
    size = run.options.batch_size_for(len(todo))
    batches = [todo[i : i + size] for i in range(0, len(todo), size)]
    gate: Gate | None = run.steps.start_gate(settings, run.options) if todo else None
    # One thread imports what the run needs later while this process mostly waits: GX for a gate in this process
    # (~3 s), then plotly and the report's modules (~1 s). One thread, not two: GX's circular imports can deadlock
    # (importlib's _DeadlockError) when another thread imports overlapping modules at the same time.
    threading.Thread(target=_warm_up, args=(gate, run.options.write_report), name="warm-up", daemon=True).start()
    try:
        # A lake's errors are its catalog's or its files' own (etl.load.lake): "rebuild the file" is no advice there.
        named = database_errors_named(settings.warehouse) if warehouse.kind == "file" else nullcontext()
        with named, ExitStack() as stack:
            parsed_batches = run.steps.parse(batches, run.options, run.ctx.limits, stack)  # reading starts now
            with timer("stage"):  # the file: a staging copy under the writer lock; the lake: nothing to stage
                target = stack.enter_context(warehouse.writing(lock_held=lock_held, rebuilding=run.options.rebuild))
            with timer("prepare"):
                run.steps.prepare(target, settings)
            with target.connect() as conn:
                _load_batches(run, conn, parsed_batches, gate, target, stack)
            publishing = time.perf_counter()  # leaving the block seals the staging copy and renames it
        timer.seconds["publish"] = round(time.perf_counter() - publishing, 4)
        warehouse.published()
        summary.published = True
        summary.parse_seconds = round(run.clock.seconds(), 3)
        with timer("data docs + report"):
            _finish(run, gate)
    finally:
        if gate is not None:
            waited = getattr(gate, "waited", 0.0)
            if waited:
                timer.seconds["of which: waiting for the gate worker"] = round(waited, 3)
            gate.close()


def _load_batches(
    run: _Run,
    conn: duckdb.DuckDBPyConnection,
    parsed_batches: Iterator[list[ParsedFile]],
    gate: Gate | None,
    target: WriteTarget,
    stack: ExitStack,
) -> None:
    """Steps 5 and 6 on the staging copy (or the lake): the outcomes known before parsing recorded, each parsed
    batch gated and loaded as it arrives (a lake with several workers: by as many threads, a connection each,
    etl.pipeline.parallel_load), then the warehouse-wide checks and the counts."""
    early = [run.outcomes[path] for path in run.files if path in run.outcomes]
    conn.execute("begin transaction")
    try:
        record_outcomes(conn, run.run_id, early)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    for outcome in early:
        run.ctx.emit(outcome_event(outcome))
    accept = run.options.accept_dropped
    loads = parallel_loads(target, run.steps.load, gate, run.run_id, run.options.workers, stack, accept)
    while True:
        with run.timer("parse (waiting for it)"):
            batch = next(parsed_batches, None)
        if batch is None:
            break
        run.clock.done()
        for item in batch:
            run.ctx.emit(RunEvent("parsed", item.name))
        assert gate is not None
        with run.timer("gate + load"):
            if loads is None:
                _took(run, [run.steps.load(conn, batch, gate, run.run_id, accept, target.per_report)])
            else:
                _took(run, loads.submit(batch))
    with run.timer("gate + load"):
        _took(run, loads.drain() if loads is not None else [])
    with run.timer("check published"):
        if gate is not None:
            run.summary.published_failures = run.steps.check_published(conn, gate, run.run_id)
    run.summary.files = [run.outcomes[path] for path in run.files]
    with run.timer("counts"):
        _fill_counts(run.summary, None, staging=conn)


def _took(run: _Run, batches: list[list[FileOutcome]]) -> None:
    """Note and announce the outcomes of loaded batches."""
    for batch in batches:
        for outcome in batch:
            run.outcomes[Path(outcome.path or outcome.file)] = outcome
            run.ctx.emit(outcome_event(outcome))


def _finish(run: _Run, gate: Gate | None) -> None:
    """Step 7 after the publish: its links, or what it could not do, in the summary (never raised: see finish)."""
    summary = run.summary
    try:
        done = run.steps.finish(run.ctx.settings, run.ctx.warehouse, gate, write_report=run.options.write_report)
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


def _fill_counts(
    summary: RunSummary, published: Warehouse | None, *, staging: duckdb.DuckDBPyConnection | None
) -> None:
    """The warehouse's headline counts: from the run's connection, or read-only from the published warehouse."""
    if staging is not None:
        counts = warehouse_counts(staging)
    elif published is not None and published.exists():
        with published.reading() as conn:
            counts = warehouse_counts(conn)
    else:
        return
    summary.reports_in_warehouse = counts.reports
    summary.current_reports = counts.current_reports
    summary.tasks_in_warehouse = counts.tasks
    summary.task_rows_in_warehouse = counts.task_rows
    summary.open_warnings = counts.open_warnings


# --- the inbox ---------------------------------------------------------------------------------------------------


def inbox_poll(
    ctx: RunContext, *, run_id: str | None = None, steps: Steps | None = None
) -> tuple[RunSummary, list[Path | None]]:
    """One inbox poll: the settled files of the context's inbox folder, ingested, then archived (by content hash,
    with their arrival recorded) or quarantined with the reason; returns the summary and where each file went (None:
    it could not be moved, said in ``summary.after_publish_errors``). Links that leave the inbox are refused unread.

    The writer lock is held from listing the inbox to moving the files, so two polls at once (a schedule
    overlapping a manual run) take turns: the second finds only what the first left.
    """
    from etl.inbox import Processed, file_away, inbox_lock, quarantine_file, refused_links

    settings, warehouse = ctx.settings, ctx.warehouse
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    # the file: its writer lock, as every writer; a lake: the inbox's own lock (no warehouse-wide lock to take)
    held = "file" if warehouse.kind == "file" else "inbox"
    lock = warehouse.run_lock(settings.lock_timeout) if held == "file" else None
    with lock or inbox_lock(settings.inbox_dir, settings.lock_timeout):
        files = inbox_files(settings.inbox_dir, settle_seconds=settings.settle_seconds)
        summary = run_pipeline(files, ctx, run_id=run_id, steps=steps, lock_held=held == "file")
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
