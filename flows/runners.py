"""Prefect task runners for the parse batches, and the API address their worker processes must use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from etl.pipeline import RunOptions


def task_runner_for(options: RunOptions) -> TaskRunner[Any]:
    """Threads driving guarded children (one when serial), or a Dask cluster (given or temporary)."""
    if options.executor == "serial":
        return ThreadPoolTaskRunner(max_workers=1)  # one parse task at a time, a batch ahead of the loading
    if options.executor == "dask":
        from prefect_dask.task_runners import DaskTaskRunner  # optional extra `dask`: pip install -e '.[dask]'

        if options.dask_address:
            return DaskTaskRunner(address=options.dask_address)
        # A temporary LocalCluster for this run: processes (parsing holds the GIL), on loopback, no dashboard.
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": options.workers,
                "threads_per_worker": 1,
                "processes": True,
                "host": "127.0.0.1",
                "dashboard_address": None,
            }
        )
    # Threads: each parse task reads and parses its files in a guarded child process (etl.extract.guarded), so a
    # thread only waits on it; a process pool would add a Python process per worker (and its memory) to relay.
    return ThreadPoolTaskRunner(max_workers=options.workers)


@contextmanager
def api_url_for_workers() -> Iterator[None]:
    """Make the API the flow talks to explicit in the settings that task-runner processes inherit.

    Without PREFECT_API_URL the flow's process talks to a temporary server it started itself; a worker process of
    the pool, which inherits only settings and environment, would start its own (8-11 s each).
    """
    if PREFECT_API_URL.value():
        yield
        return
    with get_client(sync_client=True) as client:
        url = str(client.api_url).rstrip("/")
    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield
