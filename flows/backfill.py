"""Backfill: the ingest flow's body under the name its deployment has (``backfill/backfill``).

Same discovery, steps and outcomes as ``ingest-reports``; the parse executor comes from the parameters, else
ETL_BACKFILL_TASK_RUNNER / ETL_BACKFILL_WORKERS / ETL_DASK_ADDRESS, else CPU-count threads each driving a
guarded child process that reads and parses (Dask when an address is given). Files already loaded are hashed, not
parsed.
"""

from __future__ import annotations

from typing import Any

from prefect import State, flow

from etl.flows.ingest import _run
from etl.settings import Executor


@flow(name="backfill", log_prints=True)
def backfill(
    paths: list[str],
    warehouse: str | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    batch_size: int | None = None,
) -> State[Any]:
    """Ingest folders of past reports (searched recursively), parsing in parallel; files are not moved."""
    return _run(
        paths, warehouse, kind="backfill", executor=executor, workers=workers,
        dask_address=dask_address, batch_size=batch_size,
    )  # fmt: skip
