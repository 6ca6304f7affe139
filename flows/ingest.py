"""Prefect flows over the library pipeline (etl.pipeline): one task per step, retries declared on the tasks.

The order of the steps lives in ``etl.pipeline.run.run_pipeline``; :class:`PrefectSteps` only runs each step as a
Prefect task, and the parse batches on Prefect's task runner (threads driving guarded children, or Dask). Every flow
has the same body (:func:`_run`): ``ingest-reports``, ``ingest-report`` (one file), ``backfill`` (flows/backfill.py)
and ``poll-inbox`` (the inbox poll around it).

A run in which any file was rejected ends **Failed** — after the good files are loaded and published — with a
message naming the rejected files, so Prefect automations and notifications can alert on it; the run summary is
the state's data (``state.result(raise_on_failure=False)`` gives the RejectedFiles exception, whose ``summary``
is the run's). Called as a plain function, such a flow raises RejectedFiles.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import duckdb
from prefect import State, flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed, Failed
from prefect.tasks import exponential_backoff

from etl.extract.guarded import ExtractLimits, ExtractorPool
from etl.flows import ensure_prefect_home
from etl.flows.runners import api_url_for_workers, task_runner_for
from etl.load.backend import ReportWrites, Warehouse, WriteTarget
from etl.load.versions import DroppedTasksAccepted
from etl.models import DeclaredMeta
from etl.pipeline import RunOptions, RunSummary, Steps, discover_files, run_pipeline
from etl.pipeline import poll_inbox as poll_inbox_once
from etl.pipeline.finish import Finished
from etl.pipeline.finish import finish as finish_step
from etl.pipeline.gate import Gate
from etl.pipeline.load import load_batch as load_step
from etl.pipeline.parallel import extractor_pool_for, parsed_in_order
from etl.pipeline.processes import exit_with_parent
from etl.pipeline.read import read_batch
from etl.pipeline.results import FileOutcome, ParsedFile
from etl.pipeline.run import Hashed
from etl.pipeline.run import check as check_step
from etl.pipeline.run import check_published as check_published_step
from etl.pipeline.run import hash_files as hash_step
from etl.pipeline.run import prepare as prepare_step
from etl.settings import Executor, Settings, get_settings

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


# Transient failures are retried with backoff (1, 2, 4 s); inputs include connections and the gate, so no task's
# inputs are hashed for caching (NO_CACHE).
BACKOFF = exponential_backoff(backoff_factor=1)


@task(
    name="check-warehouse",
    retries=3,
    retry_delay_seconds=BACKOFF,
    retry_condition_fn=_is_transient,
    cache_policy=NO_CACHE,
)
def check_task(warehouse: Warehouse) -> set[str]:
    return check_step(warehouse)


@task(
    name="hash-files", retries=3, retry_delay_seconds=BACKOFF, retry_condition_fn=_is_transient, cache_policy=NO_CACHE
)
def hash_task(files: list[Path], loaded: set[str]) -> Hashed:
    return hash_step(files, loaded)


@task(
    name="read-and-parse",
    retries=3,
    retry_delay_seconds=BACKOFF,
    retry_condition_fn=_is_transient,
    cache_policy=NO_CACHE,
)
def parse_task(
    paths: list[str],
    limits: ExtractLimits,
    pool: ExtractorPool | None = None,
    stop: threading.Event | None = None,
    declared: DeclaredMeta | None = None,
) -> list[ParsedFile]:
    exit_with_parent()  # in a Dask worker process: end with the flow's process
    return read_batch(paths, limits, pool, stop, declared)


@task(
    name="prepare-warehouse",
    retries=3,
    retry_delay_seconds=BACKOFF,
    retry_condition_fn=_is_transient,
    cache_policy=NO_CACHE,
)
def prepare_task(target: WriteTarget, settings: Settings) -> None:
    prepare_step(target, settings)


# No retries: the batch's reports are committed round by round, so a second attempt would find the first ones
# loaded and call them unchanged. A failure here fails the run with nothing published; the next run does it again.
@task(name="gate-and-load", retries=0, cache_policy=NO_CACHE)
def load_task(
    conn: duckdb.DuckDBPyConnection,
    parsed: list[ParsedFile],
    gate: Gate,
    run_id: str,
    accept: DroppedTasksAccepted | None = None,
    writes: ReportWrites | None = None,
) -> list[FileOutcome]:
    return load_step(conn, parsed, gate, run_id, accept, writes=writes)


@task(name="check-published", retries=0, cache_policy=NO_CACHE)
def check_published_task(conn: duckdb.DuckDBPyConnection, gate: Gate, run_id: str) -> list[str]:
    return check_published_step(conn, gate, run_id)


@task(
    name="data-docs-and-report",
    retries=3,
    retry_delay_seconds=BACKOFF,
    retry_condition_fn=_is_transient,
    cache_policy=NO_CACHE,
)
def finish_task(settings: Settings, gate: Gate | None, write_report: bool) -> Finished:
    return finish_step(settings, gate, write_report=write_report)


class PrefectSteps(Steps):
    """The library's steps, each as a Prefect task; parse batches on Prefect's task runner."""

    def check(self, warehouse: Warehouse) -> set[str]:
        return check_task(warehouse)

    def hash_files(self, files: list[Path], loaded: set[str]) -> Hashed:
        return hash_task(files, loaded)

    def parse(
        self, batches: list[list[Path]], options: RunOptions, limits: ExtractLimits, stack: ExitStack
    ) -> Iterator[list[ParsedFile]]:
        """The library's parse step with each batch a Prefect task on the task runner (entered on ``stack``, in
        this thread and context: the settings it changes are reset where they were set)."""
        paths = [[str(p) for p in batch] for batch in batches]
        runner = task_runner_for(options)
        stack.enter_context(api_url_for_workers())
        stack.enter_context(runner)
        children = extractor_pool_for(options, stack)
        local = options.executor != "dask"  # a Dask worker reads in its own children; an Event does not pickle

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

    def prepare(self, target: WriteTarget, settings: Settings) -> None:
        prepare_task(target, settings)

    def load(
        self,
        conn: duckdb.DuckDBPyConnection,
        parsed: list[ParsedFile],
        gate: Gate,
        run_id: str,
        accept: DroppedTasksAccepted | None = None,
        writes: ReportWrites | None = None,
    ) -> list[FileOutcome]:
        return load_task(conn, parsed, gate, run_id, accept, writes)

    def check_published(self, conn: duckdb.DuckDBPyConnection, gate: Gate, run_id: str) -> list[str]:
        return check_published_task(conn, gate, run_id)

    def finish(self, settings: Settings, gate: Gate | None, *, write_report: bool) -> Finished:
        return finish_task(settings, gate, write_report)


class RejectedFiles(Exception):
    """A run that loaded what it could and rejected some files: the data of its Failed state."""

    def __init__(self, summary: RunSummary) -> None:
        self.summary = summary
        super().__init__(summary.failure_message())

    def __reduce__(self) -> tuple[Any, ...]:  # kept whole through Prefect's result storage
        return (RejectedFiles, (self.summary,))


def final_state(summary: RunSummary) -> State[Any]:
    """Completed with the summary, or Failed naming the rejected files (after the good ones were published)."""
    if summary.failed or summary.after_publish_errors:
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


_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md_text(text: str) -> str:
    """Text shown as itself in Markdown: every ASCII punctuation character backslash-escaped (CommonMark: no tag,
    link, emphasis or code span can start), line breaks as spaces."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.splitlines()))


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
    summary = run_pipeline(files, settings, options, run_id=str(flow_run.get_id() or "") or None, steps=PrefectSteps())
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
    options = RunOptions.resolve(settings, "serial", accept_dropped=accept)
    summary, _ = poll_inbox_once(settings, options, run_id=str(flow_run.get_id() or "") or None, steps=PrefectSteps())
    publish_run_artifacts(summary, kind="poll")
    return final_state(summary)
