"""The project's vocabulary: every closed set of values, defined once.

Models (``etl.models``), the quality gate's suites (``etl.validate.suites``), the inbox/pipeline outcomes and the
report use these names; the SQL check constraints and views are tested against them
(``tests/etl/test_vocabulary.py``), since SQL cannot import Python. Each tuple is derived from its ``Literal`` so the
two cannot disagree. Chinese source terms stay as values of the label maps.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

# --- the bureau's table ----------------------------------------------------------------------------------------

# The nine columns of the bureau's table, in order, with the Chinese header (kept for lineage and error messages).
TASK_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("task_no", "序号"),
    ("task_title", "目标任务"),
    ("responsible", "责任分工"),
    ("supervision", "监督方式"),
    ("plan_kind", "季度类别"),
    ("quarter_plan", "第N季度"),
    ("done", "已完成"),
    ("not_done", "未完成"),
    ("progress", "落实情况"),
)
TASK_COLUMN_NAMES: Final[tuple[str, ...]] = tuple(name for name, _ in TASK_COLUMNS)
TASK_COLUMN_LABELS: Final[dict[str, str]] = dict(TASK_COLUMNS)

# --- task rows -------------------------------------------------------------------------------------------------

Status = Literal["completed", "not_completed", "in_progress"]
STATUSES: Final[tuple[Status, ...]] = get_args(Status)
# How the report writes each status (a mark in 已完成, a mark in 未完成, words such as 正在推进).
STATUS_LABELS: Final[dict[Status, str]] = {"completed": "已完成", "not_completed": "未完成", "in_progress": "正在推进"}

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
    "plan_type": PLAN_TYPES,
    "outcome": OUTCOME_KINDS,
    "kind": METRIC_KINDS,
    "assessment": ASSESSMENTS,
    "change_kind": CHANGE_KINDS,
}
