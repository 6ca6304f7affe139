"""One vocabulary: models, suites, normalizers, SQL check constraints and the report agree with etl.vocabulary."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from etl import vocabulary
from etl.models import COLUMN_NAMES, TaskMetric, TaskRow
from etl.normalize.phone import PhoneError, normalize_phone
from etl.settings import PROJECT_ROOT

SQL_DIR = PROJECT_ROOT / "sql"
# `column in ('a', 'b', …)` in a check constraint or a CASE; the column name may be qualified.
IN_LIST = re.compile(r"(?:\w+\.)?(\w+)\s+in\s*\(\s*('[^']*'(?:\s*,\s*'[^']*')*)\s*\)", re.IGNORECASE)


def _sql_value_sets() -> list[tuple[Path, str, set[str]]]:
    found = []
    for path in sorted(SQL_DIR.rglob("*.sql")):
        for column, values in IN_LIST.findall(path.read_text(encoding="utf-8")):
            found.append((path, column.lower(), set(re.findall(r"'([^']*)'", values))))
    return found


def test_the_sql_check_constraints_hold_the_vocabulary_values() -> None:
    checked = [(p, c, v) for p, c, v in _sql_value_sets() if c in vocabulary.SQL_VALUE_SETS]
    assert {c for _, c, _ in checked} >= {"status", "plan_type", "outcome", "kind"}, "the schema's checks were found"
    for path, column, values in checked:
        expected = set(vocabulary.SQL_VALUE_SETS[column])
        # a CASE may test a subset (e.g. `status in ('completed')`), a check constraint lists the whole set
        assert values <= expected, f"{path.name}: {column} in {sorted(values)} is not in the vocabulary {expected}"
    # the check a migration sets last on a column (a later one may remake the table) lists the whole set
    latest: dict[str, tuple[Path, set[str]]] = {}
    for path, column, values in checked:
        if "check" in path.read_text(encoding="utf-8").lower() and path.parent.name in ("schema", "migrations"):
            latest[column] = (path, values)
    for column, (path, values) in latest.items():
        assert values == set(vocabulary.SQL_VALUE_SETS[column]), f"{path.name}: check on {column}"


def test_a_value_outside_the_vocabulary_is_caught_by_the_sql_check(tmp_path: Path) -> None:
    """The comparison above can fail: a made-up status in a check constraint is reported."""
    bad = "create table t (status varchar check (status in ('completed', 'done')))"
    (_, column, values), = [("x", c.lower(), set(re.findall(r"'([^']*)'", v))) for c, v in IN_LIST.findall(bad)]
    assert column == "status"
    assert not values <= set(vocabulary.SQL_VALUE_SETS[column])


def test_models_use_the_vocabulary() -> None:
    status, none = get_args(TaskRow.model_fields["status"].annotation)  # NULL: the table has no status column
    assert get_args(status) == vocabulary.STATUSES and none is type(None)
    plan_type, none = get_args(TaskRow.model_fields["plan_type"].annotation)  # NULL: one row per task
    assert get_args(plan_type) == vocabulary.PLAN_TYPES and none is type(None)
    assert get_args(TaskMetric.model_fields["kind"].annotation) == vocabulary.METRIC_KINDS
    assert COLUMN_NAMES == vocabulary.FIELD_NAMES
    assert vocabulary.PLAN_TYPE_BY_LABEL == {"进度安排": "schedule", "施工图": "roadmap"}


def test_the_suites_check_the_vocabulary_sets() -> None:
    from etl.validate import suites

    assert suites.STATUSES == vocabulary.STATUSES
    assert suites.PLAN_TYPES == vocabulary.PLAN_TYPES
    assert suites.PHONE_PATTERN == vocabulary.PHONE_PATTERN


def test_the_parser_and_the_report_name_the_same_plan_types_and_statuses() -> None:
    from etl.parse.report import PLAN_TYPES as PARSED_PLAN_TYPES
    from etl.report.data import STATUS_LABELS

    assert PARSED_PLAN_TYPES == vocabulary.PLAN_TYPE_BY_LABEL
    assert set(STATUS_LABELS) == set(vocabulary.STATUSES)


# The phone rule: what normalize_phone accepts is exactly what the suite's regex accepts.
PHONES = ["5515812", "05565515812", "0556-5515812", "13905561234", "19912345678", "12345678901", "10000000000",
          "12345", "123456789", "0556-55158", "电话5515812"]


@pytest.mark.parametrize("phone", PHONES)
def test_normalizer_and_suite_agree_on_every_phone_number(phone: str) -> None:
    suite_accepts = re.match(vocabulary.PHONE_PATTERN, phone) is not None
    try:
        normalize_phone(phone)
    except PhoneError:
        normalizer_accepts = False
    else:
        normalizer_accepts = True
    assert normalizer_accepts == suite_accepts


def test_a_mobile_number_must_start_with_13_to_19() -> None:
    """The defect: normalize took 1 and ten digits (12345678901), the suite warned on it."""
    with pytest.raises(PhoneError):
        normalize_phone("12345678901")
    assert normalize_phone("13905561234") == "13905561234"
