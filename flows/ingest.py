"""Prefect flows over the library pipeline (etl.pipeline): one task per step, retries declared by step name.

The order of the steps lives in ``etl.pipeline.run.run_pipeline``, each step defined once in the library; a flow
hands the library one hook, :func:`as_prefect_task`, that runs each step as a Prefect task, and the parse batches on
Prefect's task runner (threads driving guarded children, or Dask): :func:`prefect_steps`. Every flow
has the same body (:func:`_run`): ``ingest-reports``, ``ingest-report`` (one file), ``backfill`` (flows/backfill.py)
and ``poll-inbox`` (the inbox poll around it).

A run in which any file was rejected ends **Failed** — after the good files are loaded and published — with a
message naming the rejected files, so Prefect automations and notifications can alert on it; the run summary is
the state's data (``state.result(raise_on_failure=False)`` gives the RejectedFiles exception, whose ``summary``
is the run's). Called as a plain function, such a flow raises RejectedFiles.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

import duckdb
from prefect import State, Task, flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.logging.handlers import APILogHandler
from prefect.runtime import flow_run
from prefect.states import Completed, Failed
from prefect.tasks import exponential_backoff

from etl.extract.guarded import ExtractLimits, ExtractorPool
from etl.flows import ensure_prefect_home
from etl.flows.runners import api_url_for_workers, task_runner_for
from etl.load.versions import DroppedTasksAccepted
from etl.markdown_text import md_text
from etl.models import DeclaredMeta
from etl.pipeline import RunOptions, RunSummary, Steps, discover_files, inbox_poll, run_context, run_pipeline
from etl.pipeline.parallel import extractor_pool_for, parsed_in_order
from etl.pipeline.processes import exit_with_parent
from etl.pipeline.read import read_batch
from etl.pipeline.results import ParsedFile
from etl.pipeline.run import READ_AND_PARSE
from etl.settings import Executor, get_settings

P = ParamSpec("P")
R = TypeVar("R")

# The flows run on Prefect: its state folder must exist before a temporary server starts in it.
ensure_prefect_home()


def _is_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only what may pass by itself: I/O errors and a warehouse file locked by another process."""
    try:
        state.result()
    except (OSError, duckdb.IOException):
        return True
    except Exception:
        return False
    return False


BACKOFF = exponential_backoff(backoff_factor=1)


# Each step's task options, by the name the library gives the step (etl.pipeline.run.Steps). Transient failures are
# retried with backoff (1, 2, 4 s); inputs include connections and the gate, so no task's inputs are hashed for
# caching (NO_CACHE).
RETRIED: dict[str, Any] = {"retries": 3, "retry_delay_seconds": BACKOFF, "retry_condition_fn": _is_transient}
STEP_TASKS: dict[str, dict[str, Any]] = {
    "check-warehouse": RETRIED,
    "hash-files": RETRIED,
    READ_AND_PARSE: RETRIED,
    "prepare-warehouse": RETRIED,
    # No retries: the batch's reports are committed round by round, so a second attempt would find the first ones
    # loaded and call them unchanged. A failure here fails the run with nothing published; the next run does it again.
    "gate-and-load": {"retries": 0},
    "check-published": {"retries": 0},
    "data-docs-and-report": RETRIED,
}


@functools.cache
def step_task(name: str, step: Callable[P, R]) -> Task[P, R]:
    """The Prefect task of a library step, named as the library names it, with that step's retries (made once)."""
    return Task(step, name=name, cache_policy=NO_CACHE, **STEP_TASKS[name])


def as_prefect_task(name: str, step: Callable[P, R]) -> Callable[P, R]:
    """The hook the library's steps run through in a flow (etl.pipeline.run.StepWrap): each step its Prefect task."""
    return cast("Callable[P, R]", step_task(name, step))


def _read_and_parse(
    paths: list[str],
    limits: ExtractLimits,
    pool: ExtractorPool | None = None,
    stop: threading.Event | None = None,
    declared: DeclaredMeta | None = None,
) -> list[ParsedFile]:
    exit_with_parent()  # in a Dask worker process: end with the flow's process
    return read_batch(paths, limits, pool, stop, declared)


def parse_on_task_runner(
    batches: list[list[Path]], options: RunOptions, limits: ExtractLimits, stack: ExitStack
) -> Iterator[list[ParsedFile]]:
    """The library's parse step with each batch a Prefect task on the task runner (entered on ``stack``, in this
    thread and context: the settings it changes are reset where they were set)."""
    paths = [[str(p) for p in batch] for batch in batches]
    runner = task_runner_for(options)
    stack.enter_context(api_url_for_workers())
    stack.enter_context(runner)
    children = extractor_pool_for(options, stack)
    local = options.executor != "dask"  # a Dask worker reads in its own children; an Event does not pickle
    parse_task = step_task(READ_AND_PARSE, _read_and_parse)

    def submit(batch: list[str], stop: threading.Event) -> Any:
        parameters = {
            "paths": batch,
            "limits": limits,
            "pool": children,
            "stop": stop if local else None,
            "declared": options.declared,
        }
        return runner.submit(parse_task, parameters)

    return parsed_in_order(paths, submit, options, limits, stack)


def prefect_steps() -> Steps:
    """The library's steps as a flow runs them: each a Prefect task, parse batches on Prefect's task runner."""
    return Steps(wrap=as_prefect_task, parse=parse_on_task_runner)


class RejectedFiles(Exception):
    """A run that loaded what it could and rejected some files: the data of its Failed state."""

    def __init__(self, summary: RunSummary) -> None:
        self.summary = summary
        super().__init__(summary.failure_message())

    def __reduce__(self) -> tuple[Any, ...]:  # kept whole through Prefect's result storage
        return (RejectedFiles, (self.summary,))


class _RejectionWithoutTraceback(logging.Filter):
    """A deployed run that rejected files ends Failed with its message; Prefect's engine then raises the state's
    exception and logs it with a ~40-line traceback in the worker's log. A rejection is an outcome, not a crash:
    the record keeps its line and the message, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, RejectedFiles):
            record.msg, record.args = f"{record.getMessage()}: ended Failed: {exc}", ()
            record.exc_info, record.exc_text = None, None
        return True


for _name in ("prefect.engine", "prefect.flow_runs"):  # the engine's own logger and the run's (error_logger)
    logging.getLogger(_name).addFilter(_RejectionWithoutTraceback())


def _send_logs_now() -> None:
    """Send the run's queued log lines to the API before its state changes: `--watch` stops at the final state."""
    for handler in logging.getLogger("prefect.flow_runs").handlers:
        if isinstance(handler, APILogHandler):
            handler.flush()


def final_state(summary: RunSummary) -> State[Any]:
    """Completed with the summary, or Failed naming the rejected files (after the good ones were published); the
    rejections are logged on the run, so `prefect deployment run --watch` and the UI show why."""
    if summary.failed or summary.after_publish_errors:
        logger = get_run_logger()
        logger.error(summary.failure_message())
        for rejected in summary.failed:
            logger.error("%s", (rejected.message or rejected.file).splitlines()[0])
        _send_logs_now()
        return Failed(message=summary.failure_message(), data=RejectedFiles(summary))
    return Completed(message=f"{len(summary.files)} file(s): {_counts(summary)}", data=summary)


def summary_of(state: State[Any]) -> RunSummary:
    """The run summary of a finished flow-run state (Completed or Failed with rejected files); else raises."""
    result = state.result(raise_on_failure=False)
    if isinstance(result, RejectedFiles):
        return result.summary
    if isinstance(result, RunSummary):
        return result
    if isinstance(result, BaseException):
        raise result
    raise TypeError(f"unexpected result of a flow run: {result!r}")


def _counts(summary: RunSummary) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(summary.counts().items())) or "nothing to do"


def publish_run_artifacts(summary: RunSummary, *, kind: str) -> None:
    """The run's Prefect artifacts: a markdown summary (counts, absolute links, rejected files) and a file table."""
    create_markdown_artifact(summary_markdown(summary, kind), key=f"{kind}-summary", description=f"{kind} run summary")
    create_table_artifact(
        [f.model_dump(exclude={"message", "path"}) for f in summary.files],
        key=f"{kind}-files",
        description="Outcome of each file",
    )


def summary_markdown(summary: RunSummary, kind: str) -> str:
    """The run summary as Markdown; file names, paths and messages as text (md_text), never as markup or links."""
    failed = summary.failed
    lines = [
        f"# {kind.capitalize()} run {md_text(summary.run_id)}",
        "",
        f"- warehouse: {md_text(_shown_warehouse(summary.warehouse))}",
        f"- files: {len(summary.files)} ({_counts(summary)})",
        f"- already loaded, not read again: {summary.skipped}",
        f"- parsed with {summary.executor} ({summary.workers} worker(s)) in {summary.parse_seconds:.1f} s; "
        f"whole run {summary.total_seconds:.1f} s",
        f"- reports in warehouse: {summary.reports_in_warehouse} ({summary.current_reports} current)",
        f"- task rows in warehouse: {summary.task_rows_in_warehouse}",
        f"- open data-quality warnings: {summary.open_warnings} (`select * from mart.open_warnings`)",
    ]
    if not summary.published:
        lines.append("- nothing new: the warehouse was not written")
    for label, target in (("HTML report", summary.report), ("Great Expectations Data Docs", summary.data_docs)):
        if target:
            lines.append(f"- {label}: [{md_text(target)}](<{Path(target).resolve().as_uri()}>)")
    if failed:
        lines += ["", "## Rejected files", ""]
        lines += [f"- **{md_text(f.file)}**: {md_text((f.message or '').replace(chr(10), '; '))}" for f in failed]
    return "\n".join(lines)


def _shown_warehouse(warehouse: str) -> str:
    """The warehouse file's absolute path, or the lake as described (etl.load.lake.LakeSpec.describe)."""
    return warehouse if warehouse.startswith("ducklake:") else str(Path(warehouse).resolve())


def _run(
    paths: list[str],
    warehouse: str | None,
    *,
    kind: str,
    executor: Executor | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    batch_size: int | None = None,
    rebuild: bool = False,
    declared: DeclaredMeta | None = None,
    accept_dropped_tasks: list[str] | None = None,
) -> State[Any]:
    """The one flow body: discover, run the library pipeline with Prefect steps, artifacts, final state."""
    settings = get_settings(warehouse=warehouse)
    accept = DroppedTasksAccepted.of(accept_dropped_tasks)
    options = RunOptions.resolve(
        settings, executor, workers, dask_address, batch_size=batch_size, rebuild=rebuild, declared=declared,
        accept_dropped=accept,
    )
    files = discover_files([Path(p) for p in paths])
    run_id = str(flow_run.get_id() or "") or None
    summary = run_pipeline(files, run_context(settings, options), run_id=run_id, steps=prefect_steps())
    publish_run_artifacts(summary, kind=kind)
    return final_state(summary)


@flow(name="ingest-reports", log_prints=True)
def ingest_reports(
    paths: list[str],
    warehouse: str | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    batch_size: int | None = None,
    rebuild: bool = False,
    issuer: str | None = None,
    period: str | None = None,
    accept_dropped_tasks: list[str] | None = None,
) -> State[Any]:
    """Ingest report files and folders (searched recursively) into the warehouse; files stay where they are.

    ``rebuild``: the replay of `etl rebuild`, the one run that may create a warehouse an interrupted rebuild moved
    aside (every other run refuses: etl.load.rebuild.InterruptedRebuildError). ``issuer``, ``period``: declared
    metadata for every file (etl.declared), as `etl ingest --issuer --period`. ``accept_dropped_tasks``: SHA-256s
    of files (``["*"]``: every file) that may drop tasks of the version they replace (etl.load.versions)."""
    declared = DeclaredMeta(issuer=issuer, period=period) if issuer or period else None
    return _run(
        paths, warehouse, kind="ingest", executor=executor, workers=workers, dask_address=dask_address,
        batch_size=batch_size, rebuild=rebuild, declared=declared, accept_dropped_tasks=accept_dropped_tasks,
    )  # fmt: skip


@flow(name="ingest-report", log_prints=True)
def ingest_report(path: str, warehouse: str | None = None) -> State[Any]:
    """Ingest one report file."""
    return _run([path], warehouse, kind="ingest", executor="serial")


@flow(name="poll-inbox", log_prints=True)
def poll_inbox(
    inbox: str | None = None,
    archive: str | None = None,
    quarantine: str | None = None,
    warehouse: str | None = None,
    settle_seconds: float | None = None,
    accept_dropped_tasks: bool = False,
) -> State[Any]:
    """Ingest the inbox's settled files once each, then archive them (or quarantine the rejected ones).

    A folder, the warehouse or ``settle_seconds`` not given is the setting's (ETL_INBOX_DIR, ETL_ARCHIVE_DIR,
    ETL_QUARANTINE_DIR, ETL_WAREHOUSE, ETL_SETTLE_SECONDS): the defaults live in etl.settings only.
    ``accept_dropped_tasks``: a version that drops tasks of the current one is loaded (and the acceptance recorded
    in the archive for `etl rebuild`) instead of refused."""
    settings = get_settings(
        warehouse=warehouse,
        inbox_dir=Path(inbox) if inbox else None,
        archive_dir=Path(archive) if archive else None,
        quarantine_dir=Path(quarantine) if quarantine else None,
        settle_seconds=settle_seconds,
    )
    accept = DroppedTasksAccepted(everything=accept_dropped_tasks)
    ctx = run_context(settings, RunOptions.resolve(settings, "serial", accept_dropped=accept))
    summary, _ = inbox_poll(ctx, run_id=str(flow_run.get_id() or "") or None, steps=prefect_steps())
    publish_run_artifacts(summary, kind="poll")
    return final_state(summary)
