"""The project's vocabulary: every closed set of values, defined once.

Models (``etl.models``), the quality gate's suites (``etl.validate.suites``), the inbox/pipeline outcomes and the
report use these names; the SQL check constraints and views are tested against them
(``tests/etl/test_vocabulary.py``), since SQL cannot import Python. Each tuple is derived from its ``Literal`` so the
two cannot disagree. Chinese source terms stay as values of the label maps.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

# --- the fields of a task-completion table ---------------------------------------------------------------------

# The fields a table's columns can fill (data/templates.yaml names the header words of each), in their canonical
# order, with the Chinese header used in messages and lineage. The first nine are the bureau's 2024 columns (their
# positions are raw.extracted_cell.column_index of every file loaded); the others come from other issuers' tables.
TABLE_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("task_no", "序号"),
    ("task_title", "目标任务"),
    ("responsible", "责任分工"),
    ("supervision", "监督方式"),
    ("plan_kind", "季度类别"),
    ("period_plan", "第N季度"),
    ("done", "已完成"),
    ("not_done", "未完成"),
    ("progress", "落实情况"),
    ("status", "完成情况"),
    ("people", "责任人"),
    ("annual_target", "年度目标"),
)
FIELD_NAMES: Final[tuple[str, ...]] = tuple(name for name, _ in TABLE_FIELDS)
FIELD_LABELS: Final[dict[str, str]] = dict(TABLE_FIELDS)
# The fields of a task rather than of one of its rows: a table with plan rows fills them on a task's first row
# (merged cells in the PDF), later rows inherit them.
TASK_FIELDS: Final[tuple[str, ...]] = (
    "task_no",
    "task_title",
    "responsible",
    "supervision",
    "people",
    "annual_target",
)

# --- periods ---------------------------------------------------------------------------------------------------

# What a report covers, from January to the period's end month (reports are cumulative): a quarter (三季度), the
# half-year (上半年, 半年度), cumulative months (1-9月, 前三季度, 1-11月) or the whole year (全年, a year-end
# 完成情况表).
PeriodKind = Literal["quarter", "half_year", "months", "year"]
PERIOD_KINDS: Final[tuple[PeriodKind, ...]] = get_args(PeriodKind)

# --- task rows -------------------------------------------------------------------------------------------------

# A task's status, normalised from the marks and words tables use (data/statuses.yaml): done, the graded words of
# supervision offices (超序时进度 ahead of, 达序时进度 on, 欠进度 behind the share of the year elapsed), work under way
# (正在推进), not started, not done. NULL where the table has no status column.
Status = Literal[
    "completed",
    "not_completed",
    "in_progress",
    "on_schedule",
    "ahead_of_schedule",
    "behind_schedule",
    "not_started",
]
STATUSES: Final[tuple[Status, ...]] = get_args(Status)
# The office's word for each status (the bulletin's wording).
STATUS_LABELS: Final[dict[Status, str]] = {
    "completed": "已完成",
    "not_completed": "未完成",
    "in_progress": "正在推进",
    "on_schedule": "达序时进度",
    "ahead_of_schedule": "超序时进度",
    "behind_schedule": "欠进度",
    "not_started": "未启动",
}

# 进度安排 = the quarter's schedule, 施工图 = the roadmap ("construction drawing"): two rows per task.
PlanType = Literal["schedule", "roadmap"]
PLAN_TYPES: Final[tuple[PlanType, ...]] = get_args(PlanType)
PLAN_TYPE_LABELS: Final[dict[PlanType, str]] = {"schedule": "进度安排", "roadmap": "施工图"}
PLAN_TYPE_BY_LABEL: Final[dict[str, PlanType]] = {label: kind for kind, label in PLAN_TYPE_LABELS.items()}

# Supervision contact (监督方式): a local number of 7–8 digits with an optional area code (0556-5515812), or a
# mobile number (1[3-9] and nine more digits). The one rule: normalize.phone accepts only these, the suites check it.
PHONE_PATTERN: Final[str] = r"^(?:0\d{2,3}-?)?\d{7,8}$|^1[3-9]\d{9}$"

# --- metrics ---------------------------------------------------------------------------------------------------

# target: from the task title (目标任务); plan: from the quarter's plan; actual: from what was done (落实情况).
MetricKind = Literal["target", "plan", "actual"]
METRIC_KINDS: Final[tuple[MetricKind, ...]] = get_args(MetricKind)

# --- files and runs --------------------------------------------------------------------------------------------

# What a run did with one file: loaded (new rows), unchanged (same bytes or same content already loaded),
# failed (rejected: unreadable, unparsable or failing a critical expectation; nothing of it is loaded).
OutcomeKind = Literal["loaded", "unchanged", "failed"]
OUTCOME_KINDS: Final[tuple[OutcomeKind, ...]] = get_args(OutcomeKind)

# --- marts -----------------------------------------------------------------------------------------------------

# How a target stands against its actual at a quarter (mart views of the `marts` developer).
Assessment = Literal["on_track", "behind", "achieved", "no_actual_reported", "not_comparable"]
ASSESSMENTS: Final[tuple[Assessment, ...]] = get_args(Assessment)

# How a year-over-year change is expressed: in percentage points (for rates) or relative (for counts, amounts).
ChangeKind = Literal["percentage_points", "relative"]
CHANGE_KINDS: Final[tuple[ChangeKind, ...]] = get_args(ChangeKind)

# Column name in SQL → the values its check constraint or CASE may hold (tests compare sql/ against this).
SQL_VALUE_SETS: Final[dict[str, tuple[str, ...]]] = {
    "status": STATUSES,
    "prev_status": STATUSES,
    "period_kind": PERIOD_KINDS,
    "plan_type": PLAN_TYPES,
    "outcome": OUTCOME_KINDS,
    "kind": METRIC_KINDS,
    "assessment": ASSESSMENTS,
    "change_kind": CHANGE_KINDS,
}
