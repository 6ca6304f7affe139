"""Pure conversions of a parsed Report into the pandas DataFrames the quality gate validates.

Great Expectations validates DataFrames, not our models, so every check needs its data as columns:

- ``rows_frame``: one row per TaskRow, with the report's issuer, year and period, and which of the columns that
  may be missing the table has (``has_plan_rows``, ``has_status``).
- ``tasks_frame``: one row per task (序号) with the plan types it has, e.g. ``roadmap,schedule`` (``task`` for the
  one row of a table of one row per task).
- ``report_frame``: one row for the report: issuer, year, period, task_count.
- ``cells_frame``: one row per cell of a scan that OCR read text in: page, row, column, confidence, text.
- ``title_history_frame``: one row per task of the report × neighbouring current report of the same issuer and
  year that has the task, with both titles side by side (from a warehouse query, see etl.validate.gate).
- ``task_count_change_frame``: zero or one row comparing the report's task count with the previous period's.

Frames always have their columns, even with no rows, so that a check on an empty report fails on its data and not
on a missing column.
"""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the environment

from etl.models import COLUMN_LABELS, COLUMN_NAMES, Report, TaskRow

ROW_COLUMNS: tuple[str, ...] = (
    "issuer",
    "year",
    "period_end_month",
    "has_plan_rows",
    "has_status",
    "task_no",
    "task_title",
    "lead_office",
    "phone",
    "plan_type",
    "plan_type_label",
    "plan_text",
    "status",
    "status_text",
    "progress_text",
    "source_line",
)
TASK_FRAME_COLUMNS: tuple[str, ...] = ("task_no", "task_title", "row_count", "plan_types")
REPORT_COLUMNS: tuple[str, ...] = ("issuer", "year", "period_kind", "period_end_month", "task_count")
CELL_COLUMNS: tuple[str, ...] = ("page", "row_no", "column_label", "ocr_confidence", "cell_text")
TITLE_HISTORY_COLUMNS: tuple[str, ...] = (
    "task_no",
    "task_title",
    "other_period",
    "other_period_end_month",
    "other_title",
    "other_report_id",
)
TASK_COUNT_CHANGE_COLUMNS: tuple[str, ...] = (
    "issuer",
    "year",
    "period",
    "task_count",
    "previous_period",
    "previous_task_count",
    "task_count_ratio",
)
# What a one-row task's plan_types reads (it has no plan rows).
ONE_ROW = "task"


def rows_frame(report: Report) -> pd.DataFrame:
    """One row per TaskRow: the columns the row checks read, plus the report's issuer, year and period and which
    optional columns its table has (a table without a status column has no status to check)."""
    meta = report.meta
    report_values = {
        "issuer": meta.issuer,
        "year": meta.year,
        "period_end_month": meta.period_end_month,
        "has_plan_rows": report.has_plan_rows,
        "has_status": _has_status_column(report),
    }
    records = [
        {name: report_values[name] if name in report_values else getattr(row, name) for name in ROW_COLUMNS}
        for row in report.rows
    ]
    return pd.DataFrame.from_records(records, columns=list(ROW_COLUMNS))


def tasks_frame(report: Report) -> pd.DataFrame:
    """One row per task number: its (first) title, how many rows it has and its plan types, sorted and joined."""
    by_task: dict[int, list[TaskRow]] = {}
    for row in report.rows:
        by_task.setdefault(row.task_no, []).append(row)
    records = [
        {
            "task_no": task_no,
            "task_title": rows[0].task_title,
            "row_count": len(rows),
            "plan_types": ",".join(sorted({row.plan_type or ONE_ROW for row in rows})),
        }
        for task_no, rows in by_task.items()
    ]
    return pd.DataFrame.from_records(records, columns=list(TASK_FRAME_COLUMNS))


def _has_status_column(report: Report) -> bool:
    """Whether the table has a status column (a report read without column mappings has the bureau's two)."""
    return not report.raw.columns or any(c.field in ("done", "not_done", "status") for c in report.raw.columns)


def report_frame(report: Report) -> pd.DataFrame:
    """The report itself as one row."""
    meta = report.meta
    record = {
        "issuer": meta.issuer,
        "year": meta.year,
        "period_kind": meta.period_kind,
        "period_end_month": meta.period_end_month,
        "task_count": report.task_count,
    }
    return pd.DataFrame.from_records([record], columns=list(REPORT_COLUMNS))


def cells_frame(report: Report) -> pd.DataFrame:
    """The cells OCR recognised text in (none for other formats), with where they are: the page the row starts
    on (a row split by a page break also lists the next), the document row and the column header."""
    records = []
    for row in report.raw.rows:
        if row.confidence is None:
            continue
        pages = "-".join(str(page) for page in row.pages)
        for index, score in enumerate(row.confidence[: len(COLUMN_NAMES)]):
            if score is None:
                continue
            label = COLUMN_LABELS[COLUMN_NAMES[index]]
            text = row.cells[index].replace("\n", " ")
            records.append({"page": pages, "row_no": row.line, "column_label": label, "ocr_confidence": score,
                            "cell_text": text[:30]})  # fmt: skip
    return pd.DataFrame.from_records(records, columns=list(CELL_COLUMNS))


def low_confidence_cells(report: Report, threshold: float) -> list[str]:
    """The cells of a scan whose OCR confidence is below ``threshold``, one line each (for `etl check`)."""
    frame = cells_frame(report)
    low = frame[frame["ocr_confidence"] < threshold]
    return [
        f"page {r.page}, row {r.row_no}, column {r.column_label}: OCR confidence {r.ocr_confidence:.2f} "
        f"'{r.cell_text}'"
        for r in low.itertuples()
    ]


def title_history_frame(report: Report, other_titles: pd.DataFrame) -> pd.DataFrame:
    """The report's task titles next to the titles of the same tasks in other reports of its issuer and year.

    ``other_titles`` has columns task_no, other_period, other_period_end_month, other_title, other_report_id (one
    row per task and report). Tasks that only one side has are left out: a task may join or leave the list between
    periods.
    """
    titles = tasks_frame(report)[["task_no", "task_title"]]
    others = other_titles[["task_no", "other_period", "other_period_end_month", "other_title", "other_report_id"]]
    merged = titles.merge(others, on="task_no", how="inner")
    return merged[list(TITLE_HISTORY_COLUMNS)].sort_values(["task_no", "other_period_end_month"], ignore_index=True)


def task_count_change_frame(
    report: Report, previous_period: str | None, previous_task_count: int | None
) -> pd.DataFrame:
    """One row comparing the report's task count with the previous period's, or no row when there is none."""
    columns = list(TASK_COUNT_CHANGE_COLUMNS)
    if previous_period is None or not previous_task_count:
        return pd.DataFrame(columns=columns).astype({"task_count_ratio": "float64"})
    meta = report.meta
    record = {
        "issuer": meta.issuer,
        "year": meta.year,
        "period": meta.period_name,
        "task_count": report.task_count,
        "previous_period": previous_period,
        "previous_task_count": previous_task_count,
        "task_count_ratio": round(report.task_count / previous_task_count, 4),
    }
    return pd.DataFrame.from_records([record], columns=columns)
