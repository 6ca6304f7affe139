"""The expectation suites of the quality gate, built in code (great-expectations 1.x) and versioned with it.

Each suite validates one DataFrame (see etl.validate.frames). Every expectation carries its severity twice: in
GX's own ``severity`` field and in ``meta={"severity": ...}``, with a short human ``description`` (also in meta).

``critical``: the report is quarantined (not loaded; the failing expectations and offending values are recorded).
``warning``: the report is loaded and the warning is recorded (ops.validation_result, view mart.open_warnings).

suite               severity  expect_…                          column(s): what is expected                        when
------------------  --------  --------------------------------  -------------------------------------------------  ----
report_rows         critical  table_columns_to_match_set        task_no, task_title, plan_type, status present     pre
report_rows         critical  column_values_to_not_be_null      task_no; task_title (2 checks)                     pre
report_rows         critical  column_values_to_not_be_null      plan_type where the table has plan rows            pre
report_rows         critical  column_values_to_not_be_null      status where the table has a status column         pre
report_rows         critical  column_values_to_match_regex      task_title: not blank (\\S)                        pre
report_rows         critical  column_values_to_be_of_type       task_no: int64 (whole numbers)                     pre
report_rows         critical  column_values_to_be_between       task_no: >= 1                                      pre
report_rows         critical  compound_columns_to_be_unique     task_no, plan_type: one row each                   pre
report_rows         critical  column_values_to_be_in_set        plan_type: schedule, roadmap                       pre
report_rows         critical  column_values_to_be_in_set        status: the seven statuses (vocabulary.STATUSES)    pre
report_rows         warning   column_values_to_match_regex      phone: 7-8 digits, opt. area code, or mobile       pre
report_rows         critical  column_values_to_not_match_regex  task_title; plan_text; progress_text; status_text  pre
                                                                (4 checks): no <p> </p> &nbsp; &lt; U+FFFD (cid:
report_tasks        critical  column_values_to_be_in_set        plan_types: roadmap,schedule (each task both), or  pre
                                                                task (one row per task)
report_header       critical  column_values_to_not_be_null      issuer                                             pre
report_header       critical  column_values_to_be_between       year: 2000 … next year                             pre
report_header       critical  column_values_to_not_be_null      period_kind; period_end_month (2 checks)           pre
report_header       critical  column_values_to_be_in_set        period_kind: quarter, half_year, months, year      pre
report_header       critical  column_values_to_be_between       period_end_month: 1 … 12                           pre
report_header       critical  column_values_to_be_between       task_count: 1 … 200                                pre
report_header       warning   column_values_to_be_between       task_count: 3 … 100                                pre
report_cells        warning   column_values_to_be_between       ocr_confidence: >= 0.9 (scans read by OCR only)    pre
history_task_count  warning   column_values_to_be_between       task_count_ratio to previous period: >= 0.5        pre
history_titles      warning   column_pair_values_to_be_equal    task_title, other_title (neighbouring periods)      pre
published_versions  critical  compound_columns_to_be_unique     issuer, year, period_end_month of current reports  post
published_rows      critical  column_pair_values_to_be_equal    row_count, loaded_rows of each core.report         post

"pre" suites run before a report is loaded (report_* on the parsed report, history_* on the warehouse as it is);
"post" suites run on the warehouse after loading. Task count: a bureau reports its share of the city's
list, 17 tasks in the real 2024 Q3 report; 0 or more than 200 tasks means the table was misread (critical), fewer
than 3 or more than 100 is possible but unusual (warning). A drop below half the previous period's task count of
the same issuer and year is a warning, as is a task title that differs from the title of the same task in a
neighbouring current report of the issuer and year (nearest earlier period, same period, nearest later period):
a change the history should record, not silently overwrite; it is reported once, by the report where it happens.

great_expectations is imported only inside the builder functions: importing it costs 2–4 s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from etl.validate.frames import ONE_ROW
from etl.vocabulary import PERIOD_KINDS, PHONE_PATTERN, PLAN_TYPES, STATUSES

Severity = Literal["critical", "warning"]
CRITICAL: Severity = "critical"
WARNING: Severity = "warning"

REPORT_ROWS = "report_rows"
REPORT_TASKS = "report_tasks"
REPORT_HEADER = "report_header"
REPORT_CELLS = "report_cells"
HISTORY_TASK_COUNT = "history_task_count"
HISTORY_TITLES = "history_titles"
PUBLISHED_VERSIONS = "published_versions"
PUBLISHED_ROWS = "published_rows"

# Frames are validated a batch of files at a time: this column says which file a row is from (etl.validate.gate).
# Expectations over several rows of one file (uniqueness) include it, so rows of different files never collide.
BATCH_KEY = "batch_key"

REQUIRED_COLUMNS: tuple[str, ...] = ("task_no", "task_title", "plan_type", "status")
NOT_NULL_COLUMNS: tuple[str, ...] = ("task_no", "task_title")
# Columns filled only where the table has them: plan_type in a table of plan rows, status in one with a status.
CONDITIONAL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("plan_type", "has_plan_rows == True", "every row of a table of plan rows has its plan type"),
    ("status", "has_status == True", "every row of a table with a status column has a status"),
)
TEXT_COLUMNS: tuple[str, ...] = ("task_title", "plan_text", "progress_text", "status_text")
# HTML left over from the source (<p>, </p>, <br/>, &nbsp;, &lt; …), U+FFFD and pdfminer's (cid:NN) for
# characters it could not map.
LEFTOVER_PATTERN = r"(?i)</?(?:p|br|span|div|font|b|strong|td|tr)\b[^>]*>|&(?:nbsp|lt|gt|amp|quot|#\d+);|\ufffd|\(cid:"
MIN_TASKS, MAX_TASKS = 1, 200
TYPICAL_MIN_TASKS, TYPICAL_MAX_TASKS = 3, 100
MIN_TASK_COUNT_RATIO = 0.5
FIRST_YEAR = 2000
# A cell of a scan whose OCR confidence is below this is worth checking against the paper (benchmarks/ocr.py
# measured the confidence of the cells the engine got wrong on the sample scan).
OCR_MIN_CONFIDENCE = 0.9


@dataclass(frozen=True)
class SuiteSpec:
    """A suite: its name, the columns that name an offending row in results, and how to build its expectations."""

    name: str
    index_columns: tuple[str, ...]
    expectations: Callable[[], list[Any]]


def tag(severity: Severity, description: str) -> dict[str, Any]:
    """Keyword arguments that give an expectation its severity and a short human description."""
    return {
        "severity": severity,
        "description": description,
        "meta": {"severity": severity, "description": description},
    }


def _gx_expectations() -> Any:
    """great_expectations.expectations, imported on first use; typed loosely (GX does not re-export its classes)."""
    from great_expectations import expectations

    return expectations


def report_rows_expectations() -> list[Any]:
    gxe = _gx_expectations()
    return [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=list(REQUIRED_COLUMNS), exact_match=False, **tag(CRITICAL, "required columns present")
        ),
        *(gxe.ExpectColumnValuesToNotBeNull(column=c, **tag(CRITICAL, f"{c} filled in")) for c in NOT_NULL_COLUMNS),
        *(
            gxe.ExpectColumnValuesToNotBeNull(
                column=c, row_condition=condition, condition_parser="pandas", **tag(CRITICAL, description)
            )
            for c, condition, description in CONDITIONAL_COLUMNS
        ),
        gxe.ExpectColumnValuesToMatchRegex(column="task_title", regex=r"\S", **tag(CRITICAL, "task title not blank")),
        gxe.ExpectColumnValuesToBeOfType(column="task_no", type_="int64", **tag(CRITICAL, "task number is whole")),
        gxe.ExpectColumnValuesToBeBetween(column="task_no", min_value=1, **tag(CRITICAL, "task number positive")),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=[BATCH_KEY, "task_no", "plan_type"], **tag(CRITICAL, "one row per task and plan type")
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="plan_type", value_set=list(PLAN_TYPES), **tag(CRITICAL, "plan type known")
        ),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(STATUSES), **tag(CRITICAL, "status known")),
        gxe.ExpectColumnValuesToMatchRegex(
            column="phone", regex=PHONE_PATTERN, **tag(WARNING, "phone number of the expected shape")
        ),
        *(
            gxe.ExpectColumnValuesToNotMatchRegex(
                column=c, regex=LEFTOVER_PATTERN, **tag(CRITICAL, f"no leftover markup or garbled text in {c}")
            )
            for c in TEXT_COLUMNS
        ),
    ]


def report_tasks_expectations() -> list[Any]:
    gxe = _gx_expectations()
    both = ",".join(sorted(PLAN_TYPES))
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="plan_types",
            value_set=[both, ONE_ROW],
            **tag(CRITICAL, "every task has a schedule and a roadmap row, or is one row"),
        ),
    ]


def report_header_expectations() -> list[Any]:
    gxe = _gx_expectations()
    last_year = date.today().year + 1
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="issuer", **tag(CRITICAL, "issuer named")),
        gxe.ExpectColumnValuesToBeBetween(
            column="year", min_value=FIRST_YEAR, max_value=last_year, **tag(CRITICAL, f"year {FIRST_YEAR}-{last_year}")
        ),
        *(
            gxe.ExpectColumnValuesToNotBeNull(column=c, **tag(CRITICAL, f"{c} named"))
            for c in ("period_kind", "period_end_month")
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="period_kind", value_set=list(PERIOD_KINDS), **tag(CRITICAL, "period kind known")
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="period_end_month", min_value=1, max_value=12, **tag(CRITICAL, "period ends in month 1-12")
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="task_count",
            min_value=MIN_TASKS,
            max_value=MAX_TASKS,
            **tag(CRITICAL, f"task count plausible ({MIN_TASKS}-{MAX_TASKS})"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="task_count",
            min_value=TYPICAL_MIN_TASKS,
            max_value=TYPICAL_MAX_TASKS,
            **tag(WARNING, f"task count typical ({TYPICAL_MIN_TASKS}-{TYPICAL_MAX_TASKS})"),
        ),
    ]


def report_cells_expectations() -> list[Any]:
    gxe = _gx_expectations()
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="ocr_confidence",
            min_value=OCR_MIN_CONFIDENCE,
            **tag(WARNING, f"OCR confidence of every cell at least {OCR_MIN_CONFIDENCE}"),
        ),
    ]


def history_task_count_expectations() -> list[Any]:
    gxe = _gx_expectations()
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="task_count_ratio",
            min_value=MIN_TASK_COUNT_RATIO,
            **tag(WARNING, "task count not below half of the previous period's"),
        ),
    ]


def history_titles_expectations() -> list[Any]:
    gxe = _gx_expectations()
    return [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="task_title",
            column_B="other_title",
            **tag(WARNING, "task title changed within the year (expected: unchanged)"),
        ),
    ]


def published_versions_expectations() -> list[Any]:
    gxe = _gx_expectations()
    return [
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["issuer", "year", "period_end_month"],
            **tag(CRITICAL, "one current version per issuer, year, period"),
        ),
    ]


def published_rows_expectations() -> list[Any]:
    gxe = _gx_expectations()
    return [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="row_count", column_B="loaded_rows", **tag(CRITICAL, "every report has all its rows")
        ),
    ]


SUITES: dict[str, SuiteSpec] = {
    spec.name: spec
    for spec in (
        SuiteSpec(REPORT_ROWS, ("task_no", "plan_type"), report_rows_expectations),
        SuiteSpec(REPORT_TASKS, ("task_no",), report_tasks_expectations),
        SuiteSpec(REPORT_HEADER, (), report_header_expectations),
        SuiteSpec(REPORT_CELLS, ("page", "row_no", "column_label"), report_cells_expectations),
        SuiteSpec(
            HISTORY_TASK_COUNT,
            ("previous_period", "previous_task_count", "task_count"),
            history_task_count_expectations,
        ),
        SuiteSpec(HISTORY_TITLES, ("task_no", "other_period"), history_titles_expectations),
        SuiteSpec(PUBLISHED_VERSIONS, ("report_id",), published_versions_expectations),
        SuiteSpec(PUBLISHED_ROWS, ("report_id",), published_rows_expectations),
    )
}
