"""Each example query in sql/examples runs on the bundled samples and answers what its comment says; docs/analysts.md
shows them verbatim, so the documented answers to the analysts' questions are the tested ones."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from etl.load.warehouse import connect
from etl.settings import PROJECT_ROOT
from tests.conftest import REAL_TEXT_DUMP, SQL_DIR, SYNTHETIC, build_warehouse, real_tables_folder

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
        "behind_schedule_latest_period.sql",
        "completion_by_issuer_and_period.sql",
        "supervision_counts.sql",
        "targets_behind_with_gap.sql",
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
    ] == [(2024, 3, 19, "中小办", "in_progress", "正在推进"), (2024, 3, 22, "中小办", "in_progress", "持续推进")]
    assert rows[0]["schedule_progress_text"] == "按照要求,持续推进该项工作。"  # the real 2024 Q3 is the latest quarter


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
    assert small_business_office == [0.25, 0.5, 0.5]  # tasks 1, 12, 19, 22
    assert {r["quarter"] for r in rows} == {1, 2, 3}


def test_completion_by_quarter(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "completion_by_quarter.sql")
    assert [(r["year"], r["quarter"], r["tasks"], r["completion_rate"], r["is_synthetic"]) for r in rows] == [
        (2023, 3, 17, 0.8824, True),
        (2024, 1, 17, 0.7059, True),
        (2024, 2, 17, 0.8235, True),
        (2024, 3, 17, 0.8824, False),
    ]


def test_tasks_that_changed_status(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "tasks_that_changed_status.sql")
    assert [(r["year"], r["quarter"], r["task_no"], r["lead_office"]) for r in rows] == [
        (2024, 2, 12, "中小办"),
        (2024, 2, 23, "运行办"),
        (2024, 3, 4, "产业科"),
    ]


# Periods, statuses and issuers: the real tables of other issuers beside the samples.


@pytest.fixture(scope="module")
def issuers_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples and every real table of other issuers (derived fixtures, with their declared metadata); 开化县's
    task 2 derived once more with its 达序推进 changed to 滞后, so that a task is behind schedule."""
    folder = tmp_path_factory.mktemp("issuers")
    tables = real_tables_folder(folder / "tables", form="txt")
    kaihua = next(path for path in tables if path.name.startswith("kaihua"))
    lines = kaihua.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("2\t"))
    lines[row] = lines[row].rsplit("\t", 1)[0] + "\t滞后"
    kaihua.write_text("\n".join(lines), encoding="utf-8")
    path = folder / "w.duckdb"
    build_warehouse(path, [REAL_TEXT_DUMP, *SYNTHETIC, *tables])
    return path


def test_tasks_behind_schedule_in_every_issuers_latest_period(issuers_warehouse: Path) -> None:
    rows = run_example(issuers_warehouse, "behind_schedule_latest_period.sql")
    assert [(r["issuer"], r["year"], r["period_label"], r["task_no"], r["status"], r["status_as_written"])
            for r in rows] == [("开化县", 2023, "一季度", 2, "behind_schedule", "滞后")]  # fmt: skip
    assert rows[0]["responsible_units"] == [] and rows[0]["responsible_people"] == []  # the table names none


def test_every_issuers_periods_by_status(issuers_warehouse: Path) -> None:
    rows = run_example(issuers_warehouse, "completion_by_issuer_and_period.sql")
    by_key = {(r["issuer"], r["year"], r["period_end_month"]): r for r in rows}
    assert len(rows) == 12  # 4 periods of the samples' bureau (no synthetic 2024 Q4 since issue 23), 8 of the others
    kaihua = by_key[("开化县", 2023, 3)]
    assert (kaihua["tasks"], kaihua["tasks_on_schedule"], kaihua["tasks_behind_schedule"]) == (2, 1, 1)
    town = by_key[("泗洲头镇", 2024, 6)]
    assert (town["tasks"], town["tasks_without_status"], town["tasks_completed"]) == (2, 2, 0)
    assert [r["period_label"] for r in rows if r["issuer"] == "绍兴市政府" and r["year"] == 2021] == [
        "半年度",
        None,
        "完成情况表",
    ]
    assert {r["is_synthetic"] for r in rows if r["issuer"] != "市工信局"} == {False}


def test_supervision_counts_of_the_latest_period(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "supervision_counts.sql")
    assert [
        (r["year"], r["period_label"], r["tasks"], r["tasks_completed"], r["tasks_completed_share"], r["targets"],
         r["targets_assessed"], r["targets_on_pace"], r["targets_on_pace_share"], r["targets_behind"])
        for r in rows
    ] == [(2024, "三季度", 17, 15, 0.8824, 13, 5, 5, 1.0, 0)]  # fmt: skip


def test_targets_behind_with_their_gap(sample_warehouse: Path) -> None:
    rows = run_example(sample_warehouse, "targets_behind_with_gap.sql")
    assert [(r["year"], r["period_label"], r["task_no"], r["gap"], r["gap_unit"], r["gap_text"]) for r in rows] == [
        (2023, "三季度", 26, 1.0, "pp", "低于目标1.0个百分点"),
        (2024, "一季度", 8, 0.9, "pp", "低于目标0.9个百分点"),
        (2024, "一季度", 25, 4.0, "pp", "低于目标4.0个百分点"),
    ]
