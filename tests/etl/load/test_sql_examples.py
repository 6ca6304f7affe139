"""Each example query in sql/examples runs on the bundled samples and answers what its comment says; docs/analysts.md
shows them verbatim, so the documented answers to the analysts' questions are the tested ones."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from etl.load.warehouse import connect
from etl.settings import PROJECT_ROOT
from tests.conftest import SQL_DIR

EXAMPLES = SQL_DIR / "examples"
ANALYSTS = PROJECT_ROOT / "docs" / "analysts.md"
# A query of the doc: a line naming its file (`name.sql`), then a ```sql block.
_DOC_QUERY = re.compile(r"`([a-z_0-9]+\.sql)`[^\n]*\n(?:[^\n]*\n)*?```sql\n(.*?)```", re.DOTALL)
# A query is one table when it reads exactly one relation and joins nothing.
_RELATIONS = re.compile(r"\b(?:from|join)\s+([a-z_]+\.[a-z_0-9]+)", re.IGNORECASE)


def run_example(warehouse: Path, name: str) -> list[dict[str, Any]]:
    with connect(warehouse, read_only=True) as conn:
        relation = conn.sql((EXAMPLES / name).read_text(encoding="utf-8"))
        columns = relation.columns
        return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def doc_queries() -> dict[str, str]:
    return {name: sql for name, sql in _DOC_QUERY.findall(ANALYSTS.read_text(encoding="utf-8"))}


def test_every_example_is_tested() -> None:
    assert {path.name for path in EXAMPLES.glob("*.sql")} == {
        "open_tasks.sql",
        "yoy_5g_base_stations.sql",
        "yoy_tech_upgrade_investment_growth.sql",
        "targets_behind.sql",
        "targets_not_judged.sql",
        "completion_rate_by_office.sql",
        "completion_by_quarter.sql",
        "tasks_that_changed_status.sql",
    }


def test_the_docs_show_every_example_verbatim_and_each_reads_one_table() -> None:
    documented = doc_queries()
    assert set(documented) == {path.name for path in EXAMPLES.glob("*.sql")}
    for name, sql in documented.items():
        assert sql == (EXAMPLES / name).read_text(encoding="utf-8"), name
        assert len(set(_RELATIONS.findall(sql))) == 1 and " join " not in sql.lower(), name


def test_the_one_table_check_rejects_a_join() -> None:
    sql = "select * from mart.target_attainment as t left join core.indicator as i on i.indicator = t.indicator"
    assert len(set(_RELATIONS.findall(sql))) == 2


# The four questions of the supervision office.


def test_question_1_tasks_not_done_this_quarter(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "open_tasks.sql")
    assert [
        (r["year"], r["quarter"], r["task_no"], r["lead_office"], r["status"], r["schedule_status_text"]) for r in rows
    ] == [(2024, 4, 19, "中小办", "in_progress", "正在推进")]
    assert rows[0]["schedule_progress_text"] == "按照要求,持续推进该项工作。"


def test_question_2_an_indicator_year_over_year(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "yoy_5g_base_stations.sql")
    q3 = [r for r in rows if (r["year"], r["quarter"]) == (2024, 3)]
    assert q3 == [
        {
            "issuer": "市工信局",
            "year": 2024,
            "quarter": 3,
            "indicator_name": "新建5G基站",
            "value": 1152.0,
            "unit": "个",
            "prev_year_value": 945.0,
            "yoy_change": 21.9048,
            "prev_quarter_value": 720.0,
            "qoq_change": 60.0,
            "change_kind": "relative",
        }
    ]
    rate = run_example(sample_warehouse, "yoy_tech_upgrade_investment_growth.sql")
    assert [(r["value"], r["prev_year_value"], r["yoy_change"], r["change_kind"]) for r in rate] == [
        (31.3, 18.2, 13.1, "percentage_points")
    ]


def test_question_3_targets_behind(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "targets_behind.sql")
    assert [
        (r["year"], r["quarter"], r["task_no"], r["measure"], r["target_text"], r["actual_text"]) for r in rows
    ] == [
        (2023, 3, 26, "level", "90%", "89%"),
        (2024, 1, 8, "rate", "15%以上", "14.1%"),
        (2024, 1, 25, "level", "95%", "91%"),
    ]
    not_judged = run_example(sample_warehouse, "targets_not_judged.sql")
    assert {(r["task_no"], r["assessment"]) for r in not_judged} >= {(23, "not_comparable"), (31, "no_actual_reported")}
    assert all(r["assessment_reason"] for r in not_judged)


def test_question_4_completion_by_office_over_the_year(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "completion_rate_by_office.sql")
    small_business_office = [r["completion_rate"] for r in rows if r["lead_office"] == "中小办"]
    assert small_business_office == [0.25, 0.5, 0.5, 0.75]  # tasks 1, 12, 19, 22
    assert {r["quarter"] for r in rows} == {1, 2, 3, 4}


def test_completion_by_quarter(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "completion_by_quarter.sql")
    assert [(r["year"], r["quarter"], r["tasks"], r["completion_rate"], r["is_synthetic"]) for r in rows] == [
        (2023, 3, 17, 0.8824, True),
        (2024, 1, 17, 0.7059, True),
        (2024, 2, 17, 0.8235, True),
        (2024, 3, 17, 0.8824, False),
        (2024, 4, 17, 0.9412, True),
    ]


def test_tasks_that_changed_status(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "tasks_that_changed_status.sql")
    assert [(r["year"], r["quarter"], r["task_no"], r["lead_office"]) for r in rows] == [
        (2024, 2, 12, "中小办"),
        (2024, 2, 23, "运行办"),
        (2024, 3, 4, "产业科"),
        (2024, 4, 22, "中小办"),
    ]
