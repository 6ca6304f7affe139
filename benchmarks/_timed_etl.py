"""`etl …` with a stopwatch on every step: the benchmark runs this instead of .venv/bin/etl.

Same entry point (flows.cli:app) and same code; the only difference is that the library functions
flows.ingest calls are wrapped to add their wall time to a per-step total, and the step timestamps are written
as JSON to $ETL_BENCH_TIMINGS when the process ends. Used by benchmarks/single_report.py.
"""

import time

T_FIRST = time.time()  # first line of Python code: interpreter start-up is before this

import atexit  # noqa: E402
import contextlib  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

steps: dict[str, float] = defaultdict(float)
marks: dict[str, float] = {"first_line": T_FIRST}


def timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            steps[label] += time.perf_counter() - started

    return wrapper


def timed_cm(label: str, cm_factory: Callable[..., Any]) -> Callable[..., Any]:
    @contextlib.contextmanager
    @functools.wraps(cm_factory)
    def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
        started = time.perf_counter()
        cm = cm_factory(*args, **kwargs)
        value = cm.__enter__()
        steps[label] += time.perf_counter() - started
        try:
            yield value
        except BaseException:
            if not cm.__exit__(*sys.exc_info()):
                raise
        else:
            started = time.perf_counter()
            cm.__exit__(None, None, None)
            steps[label] += time.perf_counter() - started

    return wrapper


def dump() -> None:
    marks["exit"] = time.time()
    out = os.environ.get("ETL_BENCH_TIMINGS")
    if out:
        with open(out, "w") as fh:
            json.dump({"marks": marks, "steps": steps}, fh)


atexit.register(dump)  # registered first: runs last, after Prefect's own exit handlers stopped its server

import flows.cli  # noqa: E402  (what .venv/bin/etl imports)

marks["cli_imported"] = time.time()
import flows.ingest  # noqa: E402  (the CLI imports it inside `ingest`; the same import, done here to time it)

marks["flow_module_imported"] = time.time()

from etl.validate import gate as gate_module  # noqa: E402

ing = flows.ingest
for name, label in [
    ("read_source_guarded", "extract"),
    ("parse_report", "parse"),
    ("load_report", "load"),
    ("record_validation", "record results"),
    ("record_outcome", "record results"),
    ("apply_schema", "prepare schema"),
    ("seed_indicator_catalog", "prepare schema"),
    ("check_warehouse", "check file"),
    ("write_report", "HTML report"),
    ("_publish_artifacts", "artifacts"),
]:
    setattr(ing, name, timed(label, getattr(ing, name)))
ing.staged_warehouse = timed_cm("publish (stage + seal + rename)", ing.staged_warehouse)


gx_imported = False


def _validate(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    inner = timed(label, fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        global gx_imported
        if not gx_imported:  # the first gate call imports GX: time that import (or the wait for a preload) apart
            started = time.perf_counter()
            import great_expectations  # noqa: F401

            steps["validation: import great_expectations"] += time.perf_counter() - started
            gx_imported = True
        return inner(*args, **kwargs)

    return wrapper


QG = gate_module.QualityGate
QG.__init__ = _validate("validation: gate set-up", QG.__init__)  # type: ignore[method-assign]
QG.validate_report = _validate("validation: report", QG.validate_report)  # type: ignore[method-assign]
QG.validate_warehouse = _validate("validation: report", QG.validate_warehouse)  # type: ignore[method-assign]
QG.validate_published = _validate("validation: warehouse", QG.validate_published)  # type: ignore[method-assign]
QG.build_data_docs = _validate("validation: Data Docs", QG.build_data_docs)  # type: ignore[method-assign]

_flow = ing.ingest_reports
_body = ing._ingest_files


def _timed_flow(*args: Any, **kwargs: Any) -> Any:
    marks["flow_called"] = time.time()
    try:
        return _flow(*args, **kwargs)
    finally:
        marks["flow_returned"] = time.time()


def _timed_body(*args: Any, **kwargs: Any) -> Any:
    marks["body_entered"] = time.time()
    try:
        return _body(*args, **kwargs)
    finally:
        marks["body_left"] = time.time()


ing.ingest_reports = _timed_flow  # type: ignore[assignment]
ing._ingest_files = _timed_body

if __name__ == "__main__":
    if os.environ.get("ETL_BENCH_PRELOAD_GX") == "1":
        # The change under test: import Great Expectations in a background thread while Prefect starts (it waits
        # on its API server / HTTP most of that time), instead of on the first validation.
        import importlib
        import threading

        threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True).start()
    try:
        flows.cli.app(sys.argv[1:])
    finally:
        marks["cli_done"] = time.time()
