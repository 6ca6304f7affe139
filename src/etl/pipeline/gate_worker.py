"""The quality gate as a run uses it: in this process, or in a worker process started when the run starts.

``import great_expectations`` and building the context take about 2.5 s here, more than reading and parsing one
report. :class:`GateWorker` starts a process at launch that imports GX and builds every suite's checkpoint while
this process hashes, reads and parses; validations are then sent to it as DataFrames (picklable) and answered
with ValidationOutcomes. Data Docs are built there too (the context lives there). A run that turns out to have
nothing to validate (a no-op) never waits for it and never starts it if it knows early enough.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Protocol

from etl.pipeline.processes import process_pool
from etl.validate.gate import QualityGate, SuiteFrames, ValidationOutcome


class Validator(Protocol):
    """What gating a batch needs of a quality gate (etl.pipeline.gate_and_load): a QualityGate is one."""

    def validate_batch(
        self, batch: list[SuiteFrames], *, run_names: list[str] | None = None
    ) -> list[ValidationOutcome]: ...


class Gate(Validator, Protocol):
    """What a run needs of its quality gate (etl.pipeline.run): a GateWorker or an InProcessGate."""

    def warm_up(self) -> None: ...

    def build_data_docs(self) -> Path | None: ...

    def start_data_docs(self) -> Future[Path | None]: ...

    def close(self) -> None: ...


_GATE: QualityGate | None = None


def _start(data_docs_dir: Path | None) -> bool:
    """In the worker: create the gate and pay GX's import and set-up now."""
    global _GATE
    _GATE = QualityGate(data_docs_dir=data_docs_dir)
    _GATE.warm_up()
    return True


def _validate(batch: list[SuiteFrames], run_names: list[str] | None) -> list[ValidationOutcome]:
    assert _GATE is not None, "the gate worker was not started"
    return _GATE.validate_batch(batch, run_names=run_names)


def _build_docs() -> Path | None:
    assert _GATE is not None, "the gate worker was not started"
    return _GATE.build_data_docs()


class GateWorker:
    """A QualityGate in a process of its own, warming up from the moment it is created."""

    def __init__(self, data_docs_dir: Path | None) -> None:
        self.data_docs_dir = data_docs_dir.resolve() if data_docs_dir is not None else None
        self._pool = process_pool(1)
        self._ready: Future[Any] = self._pool.submit(_start, self.data_docs_dir)
        self.used = False
        self.waited = 0.0  # seconds this process waited for the worker to be ready

    def warm_up(self) -> None:
        """Nothing here: the worker process warms itself up from the moment it is created."""

    def validate_batch(
        self, batch: list[SuiteFrames], *, run_names: list[str] | None = None
    ) -> list[ValidationOutcome]:
        if not batch:
            return []
        if not self._ready.done():
            started = time.perf_counter()
            self._ready.result()
            self.waited += time.perf_counter() - started
        self._ready.result()
        self.used = True
        return self._pool.submit(_validate, batch, run_names).result()

    def build_data_docs(self) -> Path | None:
        return self.start_data_docs().result()

    def start_data_docs(self) -> Future[Path | None]:
        """Build the Data Docs in the worker while this process goes on (e.g. rendering the HTML report)."""
        if not self.used:
            done: Future[Path | None] = Future()
            done.set_result(None)
            return done
        return self._pool.submit(_build_docs)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> GateWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InProcessGate:
    """The same interface on a QualityGate in this process (tests, serial runs, one-off checks)."""

    def __init__(self, data_docs_dir: Path | None, gate: QualityGate | None = None) -> None:
        self.gate = gate or QualityGate(data_docs_dir=data_docs_dir)
        self.used = False

    def warm_up(self) -> None:
        """GX's import and set-up now (a run calls it on its background thread; a validation waits for it)."""
        self.gate.warm_up()

    def validate_batch(
        self, batch: list[SuiteFrames], *, run_names: list[str] | None = None
    ) -> list[ValidationOutcome]:
        if batch:
            self.used = True
        return self.gate.validate_batch(batch, run_names=run_names)

    def build_data_docs(self) -> Path | None:
        return self.gate.build_data_docs() if self.used else None

    def start_data_docs(self) -> Future[Path | None]:
        done: Future[Path | None] = Future()
        done.set_result(self.build_data_docs())
        return done

    def close(self) -> None:
        return None

    def __enter__(self) -> InProcessGate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
