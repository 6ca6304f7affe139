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

Typical use in a flow, per report: ``validate_report`` and ``validate_warehouse`` before loading (merge the two
outcomes; quarantine the report unless ``passed_critical``), ``record_validation`` (etl.load.validation), load;
after all reports ``validate_published``; finally ``build_data_docs``.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import duckdb
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the environment

from etl.models import Report
from etl.validate import frames
from etl.validate.suites import (
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
DOCS_SITE = "etl_quality_gate"
MAX_VALUES = 5
MAX_TEXT = 80

# The latest earlier quarter of the same issuer and year (current versions only) and its task count.
PREVIOUS_TASK_COUNT_SQL = """
select c.quarter, r.task_count
from staging.current_report as c
inner join core.report as r on r.report_id = c.report_id
where c.issuer = ? and c.year = ? and c.quarter < ? and c.report_id <> ?
order by c.quarter desc
limit 1
"""
# Task titles in the neighbouring current reports of the same issuer and year: the nearest earlier quarter, the
# same quarter (the version a re-issue supersedes) and the nearest later quarter, so that a change is reported once,
# by the report where it happens, whatever the order the quarters are loaded in.
NEIGHBOUR_TITLES_SQL = """
with others as (
    select report_id, quarter
    from staging.current_report
    where issuer = $issuer and year = $year and report_id <> $report_id
),

neighbours as (
    select report_id, quarter
    from others
    where quarter = $quarter
        or quarter = (select max(quarter) from others where quarter < $quarter)
        or quarter = (select min(quarter) from others where quarter > $quarter)
)

select t.task_no, n.quarter as other_quarter, min(t.task_title) as other_title, n.report_id as other_report_id
from neighbours as n
inner join core.task_row as t on t.report_id = n.report_id
group by t.task_no, n.quarter, n.report_id
"""
PUBLISHED_VERSIONS_SQL = "select issuer, year, quarter, report_id from staging.current_report"
PUBLISHED_ROWS_SQL = """
select r.report_id, r.row_count, count(t.report_id) as loaded_rows
from core.report as r
left join core.task_row as t on t.report_id = r.report_id
group by r.report_id, r.row_count
"""


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

    def validate_report(self, report: Report) -> ValidationOutcome:
        """The report_* suites on the parsed report: its rows, its tasks, its header and (a scan) its OCR cells."""
        suite_frames = {
            REPORT_ROWS: frames.rows_frame(report),
            REPORT_TASKS: frames.tasks_frame(report),
            REPORT_HEADER: frames.report_frame(report),
        }
        if any(row.confidence is not None for row in report.raw.rows):  # a scan read by OCR
            suite_frames[REPORT_CELLS] = frames.cells_frame(report)
        return self._validate(suite_frames, run_name=report.raw.source_file)

    def validate_warehouse(self, conn: duckdb.DuckDBPyConnection, report: Report) -> ValidationOutcome:
        """The history_* suites: the report against the current reports of its issuer and year, before loading it.

        Task count: against the nearest earlier quarter. Titles: against the nearest earlier quarter, the same
        quarter (a re-issue) and the nearest later quarter.
        """
        meta, report_id = report.meta, report.raw.source_sha256
        previous = conn.execute(PREVIOUS_TASK_COUNT_SQL, [meta.issuer, meta.year, meta.quarter, report_id]).fetchone()
        period = {"issuer": meta.issuer, "year": meta.year, "quarter": meta.quarter, "report_id": report_id}
        other_titles = conn.execute(NEIGHBOUR_TITLES_SQL, period).df()
        previous_quarter, previous_count = (int(previous[0]), int(previous[1])) if previous else (None, None)
        return self._validate(
            {
                HISTORY_TASK_COUNT: frames.task_count_change_frame(report, previous_quarter, previous_count),
                HISTORY_TITLES: frames.title_history_frame(report, other_titles),
            },
            run_name=report.raw.source_file,
        )

    def validate_published(self, conn: duckdb.DuckDBPyConnection) -> ValidationOutcome:
        """The published_* suites on the warehouse after loading: one current version each, all rows loaded."""
        return self._validate(
            {
                PUBLISHED_VERSIONS: conn.execute(PUBLISHED_VERSIONS_SQL).df(),
                PUBLISHED_ROWS: conn.execute(PUBLISHED_ROWS_SQL).df(),
            },
            run_name="published",
        )

    def validate_frame(self, suite: str, frame: pd.DataFrame, *, run_name: str = "frame") -> ValidationOutcome:
        """One suite on a DataFrame of your own (e.g. a frame with a column dropped)."""
        return self._validate({suite: frame}, run_name=run_name)

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

    def _validate(self, suite_frames: dict[str, pd.DataFrame], *, run_name: str) -> ValidationOutcome:
        from great_expectations.core.run_identifier import RunIdentifier

        started_at = datetime.now(UTC)
        clock = time.perf_counter()
        results: list[ExpectationResult] = []
        with self._lock:
            for suite, frame in suite_frames.items():
                checkpoint = self._checkpoint(suite)
                run_id = RunIdentifier(run_name=run_name, run_time=datetime.now(UTC))
                checkpoint_result = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=run_id)
                for validation in checkpoint_result.run_results.values():
                    results.extend(_expectation_result(suite, result) for result in validation.results)
        return ValidationOutcome(
            results=tuple(results),
            started_at=started_at,
            seconds=time.perf_counter() - clock,
            data_docs=self.data_docs_index,
        )

    def _checkpoint(self, suite: str) -> Any:
        """The checkpoint of a suite, creating the context, the suite and its checkpoint on first use."""
        if suite not in self._checkpoints:
            self._checkpoints[suite] = _new_checkpoint(self._gx_context(), suite)
        return self._checkpoints[suite]

    def _gx_context(self) -> Any:
        if self._context is None:
            self._context = _new_context(self.data_docs_dir)
        return self._context


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
    result_format: dict[str, Any] = {"result_format": "COMPLETE", "partial_unexpected_count": MAX_VALUES}
    if spec.index_columns:
        result_format["unexpected_index_column_names"] = list(spec.index_columns)
    return context.checkpoints.add(
        gx.Checkpoint(name=suite_name, validation_definitions=[definition], actions=[], result_format=result_format)
    )


def _expectation_result(suite: str, result: Any) -> ExpectationResult:
    config = result.expectation_config
    meta = config.meta or {}
    severity = str(meta.get("severity") or getattr(config.severity, "value", config.severity))
    return ExpectationResult(
        suite=suite,
        expectation=str(config.type),
        column=_column_of(config.kwargs),
        severity=CRITICAL if severity == CRITICAL else WARNING,
        description=str(meta.get("description") or config.description or config.type),
        success=bool(result.success),
        observed=_observed(result),
    )


def _column_of(kwargs: dict[str, Any]) -> str | None:
    if kwargs.get("column"):
        return str(kwargs["column"])
    if kwargs.get("column_list"):
        return ", ".join(kwargs["column_list"])
    if kwargs.get("column_set"):
        return ", ".join(kwargs["column_set"])
    if kwargs.get("column_A"):
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    return None


def _observed(result: Any) -> Any:
    """What the expectation saw, short: the observed value, or the count and a few unexpected values and rows."""
    error = _exception_message(result.exception_info or {})
    if error is not None:
        return {"error": _jsonable(error)}
    details: dict[str, Any] = dict(result.result or {})
    if "observed_value" in details:
        observed: dict[str, Any] = {"observed": _jsonable(details["observed_value"])}
        missing = details.get("details", {}).get("mismatched", {}).get("missing")
        if missing:
            observed["missing"] = _jsonable(missing)
        return observed
    observed = {"unexpected_count": int(details.get("unexpected_count") or 0)}
    if observed["unexpected_count"]:
        observed["values"] = _jsonable(list(details.get("partial_unexpected_list") or [])[:MAX_VALUES])
        rows = list(details.get("partial_unexpected_index_list") or [])[:MAX_VALUES]
        if rows and isinstance(rows[0], dict):
            observed["rows"] = _jsonable(rows)
    return observed


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
