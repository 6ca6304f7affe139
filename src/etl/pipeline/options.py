"""How a run parses: the executor (serial, process, dask), workers and batch size, resolved once from the
arguments and the settings (etl.pipeline.run takes them as given)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

from etl.load.versions import DroppedTasksAccepted
from etl.models import DeclaredMeta
from etl.settings import Executor, Settings


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
