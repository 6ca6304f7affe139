"""Step 4 of a run: the parse batches submitted to threads driving guarded children, or to a Dask cluster, and
taken back in order, a few ahead of the loading (parsed reports do not pile up in memory)."""

from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor as FuturesExecutor
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Protocol

from etl.extract.guarded import MAX_WORKERS, ExtractLimits, ExtractorPool
from etl.models import DeclaredMeta
from etl.pipeline.options import RunOptions
from etl.pipeline.read import read_batch
from etl.pipeline.results import ParsedFile

log = logging.getLogger(__name__)


def parse_batches(
    batches: list[list[Path]], options: RunOptions, limits: ExtractLimits, stack: ExitStack
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
