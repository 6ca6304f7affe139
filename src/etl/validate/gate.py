"""The quality gate: run the expectation suites (etl.validate.suites) on a report and on the warehouse.

One ``QualityGate`` holds one great-expectations context for a whole flow run. The context is ephemeral and built
in code on first use (suites are Python in etl/validate/suites.py, versioned with the pipeline; nothing is read
from or written to a GX project folder, no cloud account, analytics off, works offline). Each suite validates a
pandas DataFrame through a pandas data source, a whole-dataframe batch definition, a validation definition and a
checkpoint; DuckDB tables are queried with plain SQL into DataFrames first, because the GX SQL data source does not
work on DuckDB (GX #11579).

Costs (great-expectations 1.24.1): ``import great_expectations`` takes 2–4 s, paid on the gate's first
validation, never on import of this module; creating the context with all seven suites about 0.15 s; validating
one report about 0.25 s (report_* suites) plus 0.05 s (history_* suites), most of it GX's per-expectation overhead.
With ``data_docs_dir`` set, Data Docs (static HTML) are built there by ``build_data_docs()`` (or on leaving
``with QualityGate(...)``), once per run (about 0.2 s) rather than by an UpdateDataDocsAction after every
checkpoint, which would add about 0.15 s per suite run.

How a run uses it (etl.pipeline.gate_and_load, per batch of files): ``validate_batch`` on the report frames of the whole
batch (``report_frames``: one validation per suite, results attributed to each report; a report failing a critical
expectation is rejected), the history frames of the batch as it loads (``history_frames_many``), the outcomes
recorded with ``record_validations`` (etl.load.validation) in the batch's transaction; once every batch is
loaded, the warehouse-wide suites (``published_frames``); finally ``build_data_docs``.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import duckdb
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the environment

from etl.models import Report
from etl.named_queries import query
from etl.validate import frames
from etl.validate.suites import (
    BATCH_KEY,
    CRITICAL,
    HISTORY_TASK_COUNT,
    HISTORY_TITLES,
    PUBLISHED_ROWS,
    PUBLISHED_VERSIONS,
    REPORT_CELLS,
    REPORT_HEADER,
    REPORT_ROWS,
    REPORT_TASKS,
    SUITES,
    WARNING,
    Severity,
)

DATA_SOURCE = "etl_frames"
DOCS_VIEW = {"module_name": "etl.validate.docs_view", "class_name": "TextPageView"}
DOCS_SITE = "etl_quality_gate"
MAX_VALUES = 5
MAX_TEXT = 80

# Every validated frame carries BATCH_KEY (etl.validate.suites): which file of the batch a row belongs to (0 … n-1).
# One GX validation per suite covers the whole batch; results are attributed back to each file by it (_attribute).

SuiteFrames = dict[str, pd.DataFrame]


def report_frames(report: Report) -> SuiteFrames:
    """The report_* suites' frames of one parsed report (no warehouse needed); a scan's OCR cells too."""
    suite_frames = {
        REPORT_ROWS: frames.rows_frame(report),
        REPORT_TASKS: frames.tasks_frame(report),
        REPORT_HEADER: frames.report_frame(report),
    }
    if any(row.confidence is not None for row in report.raw.rows):  # a scan read by OCR
        suite_frames[REPORT_CELLS] = frames.cells_frame(report)
    return suite_frames


def history_frames_many(conn: duckdb.DuckDBPyConnection, reports: Sequence[Report]) -> list[SuiteFrames]:
    """The history_* suites' frames of each report: against the current reports of its issuer and year, as they are
    (not against each other), in two queries.

    Task count: against the nearest earlier period. Titles: against the nearest earlier period, the same period
    (a re-issue) and the nearest later period (periods ordered by their end month). Built before the reports are
    loaded.
    """
    if not reports:
        return []
    targets = [
        {
            "target_no": number,
            "issuer": r.meta.issuer,
            "year": r.meta.year,
            "period_end_month": r.meta.period_end_month,
            "report_id": r.raw.source_sha256,
        }
        for number, r in enumerate(reports)
    ]
    previous = {
        int(number): (str(label), int(count))
        for number, label, count in conn.execute(query("gate_previous_task_count"), {"targets": targets}).fetchall()
    }
    titles = conn.execute(query("gate_neighbour_titles"), {"targets": targets}).df()
    by_target = dict(iter(titles.groupby("target_no", sort=False))) if len(titles) else {}
    # A report without neighbours gets what its own empty query gave: text columns of dtype object, not str.
    empty = titles.iloc[0:0].astype({c: object for c in titles.columns if pd.api.types.is_string_dtype(titles[c])})
    out = []
    for number, report in enumerate(reports):
        previous_period, previous_count = previous.get(number, (None, None))
        other_titles = by_target.get(number, empty).drop(columns="target_no").reset_index(drop=True)
        out.append(
            {
                HISTORY_TASK_COUNT: frames.task_count_change_frame(report, previous_period, previous_count),
                HISTORY_TITLES: frames.title_history_frame(report, other_titles),
            }
        )
    return out


def published_frames(conn: duckdb.DuckDBPyConnection) -> SuiteFrames:
    """The published_* suites' frames, read from the warehouse after loading."""
    return {
        PUBLISHED_VERSIONS: conn.execute(query("gate_published_versions")).df(),
        PUBLISHED_ROWS: conn.execute(query("gate_published_rows")).df(),
    }


@dataclass(frozen=True)
class ExpectationResult:
    """The result of one expectation: what was checked, how bad a failure is, and what was found."""

    suite: str
    expectation: str
    column: str | None
    severity: Severity
    description: str
    success: bool
    observed: Any  # JSON-serialisable and short: the observed value, or a few unexpected values and their rows

    @property
    def observed_json(self) -> str:
        return json.dumps(self.observed, ensure_ascii=False, default=str)

    def describe(self) -> str:
        column = f"({self.column})" if self.column else ""
        return f"{self.severity}: {self.description} [{self.suite} {self.expectation}{column}] {self.observed_json}"


@dataclass(frozen=True)
class ValidationOutcome:
    """Every expectation result of one validation (one or more suites), with when it ran and where its docs are."""

    results: tuple[ExpectationResult, ...]
    started_at: datetime
    seconds: float = 0.0
    data_docs: Path | None = None

    @property
    def suites(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(result.suite for result in self.results))

    @property
    def failures(self) -> list[ExpectationResult]:
        """Failed critical expectations: any one of them stops the report."""
        return [r for r in self.results if not r.success and r.severity == CRITICAL]

    @property
    def warnings(self) -> list[ExpectationResult]:
        """Failed warning expectations: the report is loaded and the warnings recorded."""
        return [r for r in self.results if not r.success and r.severity == WARNING]

    @property
    def passed_critical(self) -> bool:
        return not self.failures

    @property
    def success(self) -> bool:
        return all(result.success for result in self.results)

    def merge(self, *others: ValidationOutcome) -> ValidationOutcome:
        """One outcome with the results of this and the others (e.g. report and warehouse checks of one report)."""
        outcomes = (self, *others)
        return ValidationOutcome(
            results=tuple(result for outcome in outcomes for result in outcome.results),
            started_at=min(outcome.started_at for outcome in outcomes),
            seconds=sum(outcome.seconds for outcome in outcomes),
            data_docs=next((o.data_docs for o in outcomes if o.data_docs is not None), None),
        )

    def summary(self) -> str:
        """One line per failed expectation, critical first; empty when everything passed."""
        return "\n".join(result.describe() for result in (*self.failures, *self.warnings))


class QualityGate:
    """One great-expectations context for a whole flow run, created on first use.

    Not tied to a warehouse or a report: validate as many as needed. Thread-safe (one validation at a time).
    """

    def __init__(self, data_docs_dir: Path | None = None) -> None:
        # GX's file store needs an absolute folder; settings give paths relative to the working directory.
        self.data_docs_dir = data_docs_dir.resolve() if data_docs_dir is not None else None
        self._context: Any = None
        self._checkpoints: dict[str, Any] = {}
        self._lock = threading.RLock()

    @property
    def data_docs_index(self) -> Path | None:
        """The Data Docs index.html (built by build_data_docs), or None without a data_docs_dir."""
        return None if self.data_docs_dir is None else self.data_docs_dir / "index.html"

    def validate_batch(
        self, batch: list[SuiteFrames], *, run_names: list[str] | None = None
    ) -> list[ValidationOutcome]:
        """Validate many files' frames with one GX validation per suite; one outcome per file, in order.

        Each file's frames get a ``batch_key`` column; a suite's frames are concatenated, validated once, and each
        expectation's unexpected rows are attributed back to their file: a file's outcome is what validating its
        frames alone gives (an aggregate expectation, e.g. a column's type, is the batch's for every file).
        """
        if not batch:
            return []
        started_at = datetime.now(UTC)
        clock = time.perf_counter()
        suites = list(dict.fromkeys(suite for item in batch for suite in item))
        per_file: list[list[ExpectationResult]] = [[] for _ in batch]
        name = run_label(run_names[0]) if run_names and len(batch) == 1 else f"batch of {len(batch)}"
        for suite in suites:
            parts = [item[suite].assign(**{BATCH_KEY: key}) for key, item in enumerate(batch) if suite in item]
            members = [key for key, item in enumerate(batch) if suite in item]
            frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
            for result in self._run_suite(suite, frame, run_name=name):
                for key in members:
                    per_file[key].append(_attribute(suite, result, key))
        seconds = (time.perf_counter() - clock) / len(batch)
        return [
            ValidationOutcome(
                results=tuple(results), started_at=started_at, seconds=seconds, data_docs=self.data_docs_index
            )
            for results in per_file
        ]

    def warm_up(self) -> None:
        """Import great_expectations and create the context and every suite's checkpoint now (about 2.5 s)."""
        with self._lock:
            for suite in SUITES:
                self._checkpoint(suite)

    def build_data_docs(self) -> Path | None:
        """Build the Data Docs of every validation so far under data_docs_dir; the index.html, or None."""
        with self._lock:
            if self.data_docs_dir is None or self._context is None:
                return None
            self._context.build_data_docs(site_names=[DOCS_SITE])
        return self.data_docs_index

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.build_data_docs()

    def _run_suite(self, suite: str, frame: pd.DataFrame, *, run_name: str) -> list[Any]:
        """GX's expectation validation results of one suite on one frame."""
        # Every import of GX happens under the lock: GX's package imports are circular, and two threads importing
        # it at once (a warm-up thread and this one) can stop with importlib's _DeadlockError (seen in a backfill).
        with self._lock:
            from great_expectations.core.run_identifier import RunIdentifier

            checkpoint = self._checkpoint(suite)
            run_id = RunIdentifier(run_name=run_name, run_time=datetime.now(UTC))
            checkpoint_result = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=run_id)
            return [result for validation in checkpoint_result.run_results.values() for result in validation.results]

    def _checkpoint(self, suite: str) -> Any:
        """The checkpoint of a suite, creating the context, the suite and its checkpoint on first use."""
        if suite not in self._checkpoints:
            self._checkpoints[suite] = _new_checkpoint(self._gx_context(), suite)
        return self._checkpoints[suite]

    def _gx_context(self) -> Any:
        if self._context is None:
            self._context = _new_context(self.data_docs_dir)
        return self._context


# Characters with a meaning in HTML, in a JavaScript string, or in a path → their full-width forms.
_PLAIN = str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "＂", "'": "＇", "`": "｀", "/": "／", "\\": "＼"})
# A run name is a folder name in the Data Docs: at most this many bytes of UTF-8 (with room for a hash suffix).
MAX_RUN_LABEL_BYTES = 120


def run_label(name: str) -> str:
    """A file name as a Data Docs run name: readable, plain text in any context (the index page puts run names in an
    inline script for a table library to draw as HTML: etl.validate.docs_view), short enough for a folder name."""
    plain = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in name).translate(_PLAIN)
    if len(plain.encode("utf-8")) <= MAX_RUN_LABEL_BYTES and plain not in ("", ".", ".."):
        return plain
    suffix = "…" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    head = plain.encode("utf-8")[: MAX_RUN_LABEL_BYTES - len(suffix.encode("utf-8"))].decode("utf-8", "ignore")
    return head + suffix


def _new_context(data_docs_dir: Path | None) -> Any:
    """An in-memory context with no default docs site (it would be a temporary folder), no analytics or bars."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites: dict[str, Any] = {}
    if data_docs_dir is not None:
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            # Report content and file names as text (etl.validate.docs_view).
            "site_section_builders": {"validations": {"view": DOCS_VIEW}, "expectations": {"view": DOCS_VIEW}},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs_dir)},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=sites,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.data_sources.add_pandas(name=DATA_SOURCE)
    return context


def _new_checkpoint(context: Any, suite_name: str) -> Any:
    """Suite, dataframe asset, batch definition, validation definition and checkpoint for one suite."""
    import great_expectations as gx

    spec = SUITES[suite_name]
    suite = context.suites.add(gx.ExpectationSuite(name=suite_name))
    for expectation in spec.expectations():
        suite.add_expectation(expectation)
    asset = context.data_sources.get(DATA_SOURCE).add_dataframe_asset(name=suite_name)
    batch = asset.add_batch_definition_whole_dataframe(name=suite_name)
    definition = context.validation_definitions.add(gx.ValidationDefinition(name=suite_name, data=batch, suite=suite))
    # COMPLETE: every unexpected value with its row's index columns (the batch key first), to attribute them.
    result_format: dict[str, Any] = {
        "result_format": "COMPLETE",
        "partial_unexpected_count": MAX_VALUES,
        "unexpected_index_column_names": [BATCH_KEY, *spec.index_columns],
    }
    return context.checkpoints.add(
        gx.Checkpoint(name=suite_name, validation_definitions=[definition], actions=[], result_format=result_format)
    )


def _attribute(suite: str, result: Any, key: int) -> ExpectationResult:
    """One file's share of an expectation validated over a batch (see QualityGate.validate_batch)."""
    config = result.expectation_config
    meta = config.meta or {}
    severity = str(meta.get("severity") or getattr(config.severity, "value", config.severity))
    success, observed = _observed(result, key)
    return ExpectationResult(
        suite=suite,
        expectation=str(config.type),
        column=_column_of(config.kwargs),
        severity=CRITICAL if severity == CRITICAL else WARNING,
        description=str(meta.get("description") or config.description or config.type),
        success=success,
        observed=observed,
    )


def _column_of(kwargs: dict[str, Any]) -> str | None:
    if kwargs.get("column"):
        return str(kwargs["column"])
    if kwargs.get("column_list"):
        return ", ".join(c for c in kwargs["column_list"] if c != BATCH_KEY)
    if kwargs.get("column_set"):
        return ", ".join(kwargs["column_set"])
    if kwargs.get("column_A"):
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    return None


def _observed(result: Any, key: int) -> tuple[bool, Any]:
    """Whether the expectation held for the file ``key`` of the batch, and what it saw there, short: the observed
    value (an aggregate: the batch's), or the count and a few unexpected values and their rows."""
    error = _exception_message(result.exception_info or {})
    if error is not None:
        return bool(result.success), {"error": _jsonable(error)}
    details: dict[str, Any] = dict(result.result or {})
    if "observed_value" in details:
        value = details["observed_value"]
        if isinstance(value, list):
            value = [item for item in value if item != BATCH_KEY]
        observed: dict[str, Any] = {"observed": _jsonable(value)}
        missing = details.get("details", {}).get("mismatched", {}).get("missing")
        if missing:
            observed["missing"] = _jsonable(missing)
        return bool(result.success), observed
    index_list = list(details.get("unexpected_index_list") or [])
    values_list = list(details.get("unexpected_list") or [])
    mine = [i for i, row in enumerate(index_list) if isinstance(row, dict) and str(row.get(BATCH_KEY)) == str(key)]
    observed = {"unexpected_count": len(mine)}
    if mine:
        values = [_without_key(values_list[i]) for i in mine[:MAX_VALUES] if i < len(values_list)]
        observed["values"] = _jsonable(values)
        observed["rows"] = _jsonable([_without_key(index_list[i]) for i in mine[:MAX_VALUES]])
    return not mine, observed


def _without_key(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != BATCH_KEY}
    return value


def _exception_message(info: dict[str, Any]) -> str | None:
    """The message of an exception raised while evaluating, whether GX reports it flat or per metric."""
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _jsonable(value: Any) -> Any:
    """A short JSON-serialisable copy: long strings cut, numpy scalars unwrapped, NaN as None."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    unwrap = getattr(value, "item", None)
    if callable(unwrap):
        return _jsonable(unwrap())
    return _jsonable(str(value))
