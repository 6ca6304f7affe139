"""Several writers in one run: parsed batches gated and loaded by ``workers`` threads at once (the lake only).

A lake loads each report in a transaction of its own under the lock of its issuer and year (etl.load.lake_locks),
so writers need nothing else to keep out of each other's way, whether they are runs on other machines or threads
of this run. Each thread has a connection of its own (DuckDB runs their queries and Parquet writes in parallel, off
the GIL); the quality gate takes one batch at a time (a GX context is not shared between threads). A file
warehouse keeps one connection: its staging copy has one writer.

At most ``2 × workers`` batches are queued or loading, so parsed reports do not pile up in memory; outcomes are
handed back as batches finish (file order holds within a batch and, per issuer and year, through the lock).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, ExitStack
from typing import Protocol

import duckdb

from etl.load.backend import WriteTarget
from etl.load.versions import DroppedTasksAccepted
from etl.pipeline.results import FileOutcome, ParsedFile
from etl.validate.gate import SuiteFrames, ValidationOutcome

# Steps.load: (connection, batch, gate, run id, dropped tasks accepted, the target's per-report writes) → outcomes
LoadStep = Callable[..., list[FileOutcome]]


class GateLike(Protocol):
    """What the load needs of a gate (etl.pipeline.run.Gate)."""

    def validate_batch(
        self, batch: list[SuiteFrames], *, run_names: list[str] | None = None
    ) -> list[ValidationOutcome]: ...


class OneAtATimeGate:
    """A gate that validates one batch at a time, whichever thread asks."""

    def __init__(self, gate: GateLike) -> None:
        self._gate, self._lock = gate, threading.Lock()

    def validate_batch(
        self, batch: list[SuiteFrames], *, run_names: list[str] | None = None
    ) -> list[ValidationOutcome]:
        with self._lock:
            return self._gate.validate_batch(batch, run_names=run_names)


class ParallelLoads:
    """Batches loaded by a pool of threads, a connection each (see the module docstring)."""

    def __init__(
        self,
        target: WriteTarget,
        load: LoadStep,
        gate: GateLike,
        run_id: str,
        workers: int,
        stack: ExitStack,
        accept: DroppedTasksAccepted | None = None,
    ) -> None:
        self.target, self.load, self.run_id, self.workers, self.accept = target, load, run_id, workers, accept
        self.gate = OneAtATimeGate(gate)
        self._local = threading.local()
        self._opened: list[AbstractContextManager[duckdb.DuckDBPyConnection]] = []
        self._guard = threading.Lock()
        stack.callback(self._close)  # after the pool below has shut down (callbacks run last in, first out)
        self._pool = stack.enter_context(ThreadPoolExecutor(workers, thread_name_prefix="load"))
        self._pending: set[Future[list[FileOutcome]]] = set()

    def submit(self, batch: list[ParsedFile]) -> list[list[FileOutcome]]:
        """Queue a batch; the outcomes of the batches finished meanwhile (waiting while the queue is full)."""
        context = contextvars.copy_context()  # a Prefect task called in the thread sees the flow run
        self._pending.add(self._pool.submit(context.run, self._load, batch))
        finished = self._finished(block=len(self._pending) >= 2 * self.workers)
        return finished

    def drain(self) -> list[list[FileOutcome]]:
        """Wait for every queued batch; their outcomes."""
        out: list[list[FileOutcome]] = []
        while self._pending:
            out += self._finished(block=True)
        return out

    def _finished(self, *, block: bool) -> list[list[FileOutcome]]:
        if block:
            done, _ = wait(self._pending, return_when=FIRST_COMPLETED)
        else:
            done = {future for future in self._pending if future.done()}
        self._pending -= done
        return [future.result() for future in done]

    def _load(self, batch: list[ParsedFile]) -> list[FileOutcome]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            opening = self.target.connect()
            conn = opening.__enter__()
            with self._guard:
                self._opened.append(opening)
            self._local.conn = conn
        return self.load(conn, batch, self.gate, self.run_id, self.accept, self.target.per_report)

    def _close(self) -> None:
        for opening in self._opened:
            opening.__exit__(None, None, None)


def parallel_loads(
    target: WriteTarget,
    load: LoadStep,
    gate: GateLike | None,
    run_id: str,
    workers: int,
    stack: ExitStack,
    accept: DroppedTasksAccepted | None = None,
) -> ParallelLoads | None:
    """Parallel loads for a lake run with several workers; None (one connection, in this thread) otherwise."""
    if target.per_report is None or workers <= 1 or gate is None:
        return None
    return ParallelLoads(target, load, gate, run_id, workers, stack, accept)


__all__ = ["OneAtATimeGate", "ParallelLoads", "parallel_loads"]
