"""mart.supervision_summary and mart.targets_behind (issue 23): a supervision bulletin's counts and its targets
behind 序时进度, on the bundled samples, on edited copies of the real report (cumulative, rate and decrease targets
behind) and on the real tables of other issuers (tests/fixtures/real_tables, derived from published pages).

The summary is checked against counts made here in Python from the rows of mart.task_history and
mart.target_attainment (another path to the same figures); gaps against figures worked out by hand from the text.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from etl.load.warehouse import connect
from tests.conftest import REAL_TEXT_DUMP, build_warehouse, real_tables_folder, write_dump

ASSESSED = ("achieved", "on_track", "behind")
STATUSES = ("completed", "ahead_of_schedule", "on_schedule", "in_progress", "behind_schedule", "not_started",
            "not_completed")  # fmt: skip


def _rows(warehouse: Path, sql: str) -> list[dict[str, Any]]:
    with connect(warehouse, read_only=True) as conn:
        cursor = conn.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def expected_summary(warehouse: Path) -> dict[tuple[str, int, int], dict[str, Any]]:
    """The summary's counts, made from the task and target rows in Python."""
    tasks = _rows(warehouse, "select issuer, year, period_end_month, status from mart.task_history")
    targets = _rows(warehouse, "select issuer, year, period_end_month, assessment from mart.target_attainment")
    periods: dict[tuple[str, int, int], dict[str, Any]] = {}
    for key in {(t["issuer"], t["year"], t["period_end_month"]) for t in tasks}:
        statuses = Counter(t["status"] for t in tasks if (t["issuer"], t["year"], t["period_end_month"]) == key)
        verdicts = Counter(t["assessment"] for t in targets if (t["issuer"], t["year"], t["period_end_month"]) == key)
        with_status = sum(n for status, n in statuses.items() if status is not None)
        assessed = sum(verdicts[a] for a in ASSESSED)
        row: dict[str, Any] = {
            "elapsed_share": round(key[2] / 12, 4),
            "tasks": sum(statuses.values()),
            "tasks_with_status": with_status,
            "tasks_without_status": statuses[None],
            "targets": sum(verdicts.values()),
            "targets_assessed": assessed,
            "targets_achieved": verdicts["achieved"],
            "targets_on_track": verdicts["on_track"],
            "targets_on_pace": verdicts["achieved"] + verdicts["on_track"],
            "targets_behind": verdicts["behind"],
            "targets_not_assessable": verdicts["not_comparable"] + verdicts["no_actual_reported"],
            "targets_on_pace_share": _share(verdicts["achieved"] + verdicts["on_track"], assessed),
            "targets_behind_share": _share(verdicts["behind"], assessed),
            "targets_achieved_share": _share(verdicts["achieved"], assessed),
        }
        for status in STATUSES:
            row[f"tasks_{status}"] = statuses[status]
            row[f"tasks_{status}_share"] = _share(statuses[status], with_status)
        periods[key] = row
    return periods


def assert_summary_matches(warehouse: Path) -> list[dict[str, Any]]:
    summary = _rows(warehouse, "select * from mart.supervision_summary")
    expected = expected_summary(warehouse)
    assert {(r["issuer"], r["year"], r["period_end_month"]) for r in summary} == set(expected)
    for row in summary:
        want = expected[(row["issuer"], row["year"], row["period_end_month"])]
        assert {name: row[name] for name in want} == want, (row["issuer"], row["year"], row["period_end_month"])
    return summary


def test_the_summary_counts_tasks_and_targets_of_every_sample_period(sample_warehouse: Path) -> None:
    summary = {(r["year"], r["period_end_month"]): r for r in assert_summary_matches(sample_warehouse)}
    real = summary[(2024, 9)]  # the real 2024 Q3 report, figures read from its text
    assert (real["tasks"], real["tasks_completed"], real["tasks_in_progress"], real["tasks_completed_share"]) == (
        17, 15, 2, 0.8824,
    )  # fmt: skip
    # 13 targets (task 18's 20亿元 is a project size, no target); 3 achieved, 2 on track, 8 cannot be judged
    assert (real["targets"], real["targets_achieved"], real["targets_on_track"], real["targets_behind"]) == (
        13,
        3,
        2,
        0,
    )
    assert (real["targets_not_assessable"], real["targets_on_pace_share"], real["is_synthetic"]) == (8, 1.0, False)


def test_the_counts_are_bigint(sample_warehouse: Path) -> None:
    """A BI tool's sum over a HUGEINT column fails past int64 (Superset): every count is BIGINT."""
    with connect(sample_warehouse, read_only=True) as conn:
        types = dict(
            conn.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = 'mart' "
                "and table_name = 'supervision_summary' and (column_name like 'tasks%' or column_name like 'targets%')"
                " and column_name not like '%share'"
            ).fetchall()
        )
    assert types and set(types.values()) == {"BIGINT"}, types


def test_a_rate_or_level_behind_its_target_has_its_gap_in_percentage_points(sample_warehouse: Path) -> None:
    """The synthetic 2024 Q1: 技改投资增长14.1% against 15%以上, 行政村5G通达率91% against 95%."""
    rows = _rows(
        sample_warehouse,
        "select task_no, target_text, actual_text, elapsed_share, gap, gap_unit, gap_text, source_file "
        "from mart.targets_behind where year = 2024 and period_end_month = 3 order by task_no",
    )
    assert [
        (r["task_no"], r["target_text"], r["actual_text"], r["gap"], r["gap_unit"], r["gap_text"]) for r in rows
    ] == [
        (8, "15%以上", "14.1%", 0.9, "pp", "低于目标0.9个百分点"),
        (25, "95%", "91%", 4.0, "pp", "低于目标4.0个百分点"),
    ]
    assert {r["elapsed_share"] for r in rows} == {0.25}
    assert {r["source_file"] for r in rows} == {"2024Q1_市工信局_synthetic.txt"}


@pytest.fixture(scope="module")
def edited_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real 2024 Q3 report with two actuals edited: a cumulative target behind (99个 → 60个 of 100个以上) and a
    decrease target short (能耗下降2.1% of 3.2%)."""
    folder = tmp_path_factory.mktemp("edited")
    text = REAL_TEXT_DUMP.read_text(encoding="utf-8")
    assert text.count("重点技术改造项目99个") == 1
    down = text.replace("重点技术改造项目99个", "重点技术改造项目60个").split("\n")
    task_31 = next(i for i, line in enumerate(down) if line.startswith("31\t"))  # its 进度安排 row
    cells = down[task_31].split("\t")
    cells[-1] = "前三季度，单位工业增加值能耗下降 2.1%。"
    down[task_31] = "\t".join(cells)
    path = folder / "w.duckdb"
    build_warehouse(path, [write_dump(folder, down, "down.txt")])
    return path


def test_a_cumulative_target_behind_has_its_gap_in_points_of_the_annual_quantity(edited_warehouse: Path) -> None:
    """60 of 100 projects at the end of September: 60.0% of the year's quantity against 序时进度 75%, 15.0 points
    behind, 15 projects short of the 75 due."""
    (row,) = _rows(
        edited_warehouse,
        "select * from mart.targets_behind where issuer = '市工信局' and task_no = 8",
    )
    assert (row["target_text"], row["actual_text"], row["measure"], row["attainment"]) == (
        "100个以上",
        "60个",
        "cumulative",
        0.6,
    )
    assert (row["elapsed_share"], row["expected_value"], row["gap"], row["gap_unit"], row["shortfall"]) == (
        0.75, 75.0, 15.0, "pct_of_annual_target", 15.0,
    )  # fmt: skip
    assert row["gap_text"] == "完成年度目标的60.0%，低于序时进度15.0个百分点"
    assert (row["source_file"], row["responsible_units"], row["lead_office"]) == (
        "down.txt",
        ["市经济和信息化局"],
        "投资办",
    )
    assert row["source_pages"] and row["source_pages_text"] == "、".join(map(str, row["source_pages"]))


def test_a_decrease_target_short_has_its_gap_in_percentage_points(edited_warehouse: Path) -> None:
    """能耗下降2.1% against 下降3.2%: 1.1 points short (a fall smaller than the target is behind, not ahead)."""
    (row,) = _rows(edited_warehouse, "select * from mart.targets_behind where task_no = 31")
    assert (row["target_text"], row["actual_text"], row["direction"], row["measure"]) == (
        "3.2%",
        "2.1%",
        "decrease",
        "rate",
    )
    assert (row["gap"], row["gap_unit"], row["gap_text"], row["shortfall"]) == (1.1, "pp", "低于目标1.1个百分点", 1.1)


def test_every_target_behind_is_counted_once_in_the_summary(edited_warehouse: Path, sample_warehouse: Path) -> None:
    for warehouse in (edited_warehouse, sample_warehouse):
        assert_summary_matches(warehouse)
        behind = Counter(
            (r["issuer"], r["year"], r["period_end_month"])
            for r in _rows(warehouse, "select issuer, year, period_end_month from mart.targets_behind")
        )
        summary = _rows(
            warehouse, "select issuer, year, period_end_month, targets_behind from mart.supervision_summary"
        )
        assert {
            (r["issuer"], r["year"], r["period_end_month"]): r["targets_behind"] for r in summary if r["targets_behind"]
        } == dict(behind)


@pytest.fixture(scope="module")
def real_tables_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every real table of another issuer (its page), with its declared metadata as a sidecar, and the bureau's
    real report."""
    folder = tmp_path_factory.mktemp("real_tables")
    path = folder / "w.duckdb"
    build_warehouse(path, [*real_tables_folder(folder), REAL_TEXT_DUMP])
    return path


def test_the_summary_of_every_issuer_and_period_of_the_real_tables(real_tables_warehouse: Path) -> None:
    summary = assert_summary_matches(real_tables_warehouse)
    by_period = {(r["issuer"], r["year"], r["period_end_month"]): r for r in summary}
    assert len(by_period) == 9
    kaihua = by_period[("开化县", 2023, 3)]  # 完成情况: 达序推进 twice
    assert (kaihua["tasks_on_schedule"], kaihua["tasks_on_schedule_share"], kaihua["elapsed_share"]) == (2, 1.0, 0.25)
    cangnan = by_period[("苍南县", 2022, 10)]  # no status column: no shares, nothing guessed
    assert (cangnan["tasks_without_status"], cangnan["tasks_completed_share"], cangnan["targets_assessed"]) == (
        13,
        None,
        0,
    )
    assert cangnan["targets_behind_share"] is None and cangnan["elapsed_share"] == round(10 / 12, 4)
    shaoxing = [by_period[("绍兴市政府", 2021, month)] for month in (6, 9, 12)]
    assert [(r["targets_assessed"], r["targets_behind"], r["targets_achieved"]) for r in shaoxing] == [
        (1, 1, 0), (1, 0, 1), (1, 0, 1),
    ]  # fmt: skip


def test_a_real_level_target_behind(real_tables_warehouse: Path) -> None:
    """绍兴市政府, 2021 半年度, task 1: “市县长项目工程”落地率120%以上, reported 落地率45.7%: 74.3 points short."""
    (row,) = _rows(real_tables_warehouse, "select * from mart.targets_behind")
    assert (row["issuer"], row["year"], row["period_label"], row["task_no"]) == ("绍兴市政府", 2021, "半年度", 1)
    assert (row["target_text"], row["actual_text"], row["measure"], row["elapsed_share"]) == (
        "120%以上",
        "45.7%",
        "level",
        0.5,
    )
    assert (row["gap"], row["gap_unit"], row["gap_text"]) == (74.3, "pp", "低于目标74.3个百分点")
    assert (row["source_file"], row["responsible_units_text"]) == ("shaoxing_shizhengfu_2021q2.html", "市发改委")
