"""The trend views on the bundled history: the real 2024 Q3 report and the synthetic quarters derived from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.load.warehouse import connect
from tests.conftest import REAL_TEXT_DUMP, SYNTHETIC, build_warehouse, mart_snapshot


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connect(warehouse, read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def test_the_pdf_of_a_loaded_report_is_not_a_new_version(tmp_path: Path) -> None:
    from tests.conftest import REAL_PDF

    results = build_warehouse(tmp_path / "w.duckdb", [REAL_TEXT_DUMP, REAL_PDF])
    assert [(r.outcome, r.duplicate_of) for r in results] == [("loaded", None), ("unchanged", REAL_TEXT_DUMP.name)]


def test_a_re_issue_becomes_current_and_the_original_stays_with_its_lineage(sample_warehouse: Path) -> None:
    versions = query(
        sample_warehouse,
        "select revision_label, is_current, superseded_by is not null from mart.report_versions "
        "where year = 2024 and quarter = 2 order by is_current desc",
    )
    assert versions == [("修订", True, False), (None, False, True)]
    # The views show the corrected (synthetic) figure only.
    assert query(
        sample_warehouse,
        "select value from mart.metric_observation where year = 2024 and quarter = 2 "
        "and indicator = 'new_5g_base_stations' and kind = 'actual'",
    ) == [(720.0,)]
    assert query(sample_warehouse, "select count(*) from mart.task_progress where year = 2024 and quarter = 2") == [
        (34,)
    ]


def test_quarterly_completion_over_the_year(sample_warehouse: Path) -> None:
    rows = query(
        sample_warehouse,
        "select year, quarter, tasks_completed, tasks_in_progress, tasks_not_completed, tasks "
        "from mart.quarterly_completion order by year, quarter",
    )
    # 2024 Q1: task 12 not completed, tasks 4, 19, 22, 23 in progress; the real Q3: tasks 19 and 22 in progress.
    assert rows == [
        (2023, 3, 15, 2, 0, 17),
        (2024, 1, 12, 4, 1, 17),
        (2024, 2, 14, 3, 0, 17),
        (2024, 3, 15, 2, 0, 17),
    ]


def test_task_history_shows_status_changes(sample_warehouse: Path) -> None:
    changes = query(
        sample_warehouse,
        "select task_no, prev_quarter, quarter, prev_status, status from mart.task_history "
        "where year = 2024 and status_changed order by task_no, quarter",
    )
    assert changes == [
        (4, 2, 3, "in_progress", "completed"),
        (12, 1, 2, "not_completed", "completed"),
        (23, 1, 2, "in_progress", "completed"),
    ]
    first = query(
        sample_warehouse,
        "select prev_status, status_changed from mart.task_history where year = 2024 and quarter = 1 and task_no = 1",
    )
    assert first == [(None, False)]


def test_task_versions_track_attribute_changes_within_the_year(sample_warehouse: Path) -> None:
    versions = query(
        sample_warehouse,
        "select version_no, responsible_units, effective_from_quarter, effective_to_quarter, "
        "effective_from::varchar, effective_to::varchar, is_current "
        "from core.task_version where year = 2024 and task_no = 6 order by version_no",
    )
    assert versions == [
        (1, ["市经济和信息化局"], 1, 1, "2024-01-01", "2024-03-31", False),
        (2, ["市经济和信息化局", "安庆高新区管委会"], 2, None, "2024-04-01", None, True),
    ]
    titles = query(
        sample_warehouse,
        "select task_title from core.task_version where year = 2024 and task_no = 23 order by version_no",
    )
    assert titles == [
        ("持续壮大市场主体规模，新增规上工业企业250户以上",),
        ("持续壮大市场主体规模，新增规上工业企业260户以上",),
    ]
    # Tasks of another year are other tasks, even where numbers coincide: 2023's task 2 is the little-giants task.
    assert query(sample_warehouse, "select task_title from core.task_version where year = 2023 and task_no = 2") == [
        ("新增国家级专精特新“小巨人”企业4家",)
    ]


def test_target_attainment_against_the_elapsed_share(sample_warehouse: Path) -> None:
    rows = query(
        sample_warehouse,
        "select quarter, target_value, actual_value, attainment, elapsed_share, assessment from mart.target_attainment "
        "where year = 2024 and task_no = 8 and indicator = 'key_tech_upgrade_projects' order by quarter",
    )
    assert rows == [
        (1, 100.0, 30.0, 0.3, 0.25, "on_track"),
        (2, 100.0, 61.0, 0.61, 0.5, "on_track"),
        (3, 100.0, 99.0, 0.99, 0.75, "on_track"),
    ]


def test_unmatched_metrics_stay_queryable(sample_warehouse: Path) -> None:
    unmatched = query(
        sample_warehouse,
        "select count(*) from mart.metric_observation where indicator is null and year = 2024 and quarter = 3",
    )
    assert unmatched[0][0] > 0


def test_results_do_not_depend_on_arrival_order(tmp_path: Path) -> None:
    files = [REAL_TEXT_DUMP, *SYNTHETIC]
    build_warehouse(tmp_path / "forward.duckdb", files)
    build_warehouse(tmp_path / "backward.duckdb", list(reversed(files)))
    without = ("source_file", "source_sha256")
    forward = mart_snapshot(tmp_path / "forward.duckdb", without=without)
    backward = mart_snapshot(tmp_path / "backward.duckdb", without=without)
    for view in forward:
        assert forward[view] == backward[view], view
    assert len(forward["indicator_yoy"]) > 0


def test_reloading_every_sample_is_a_no_op(sample_warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(sample_warehouse.read_bytes())
    from tests.conftest import REAL_PDF

    results = build_warehouse(copy, [REAL_TEXT_DUMP, REAL_PDF, *SYNTHETIC])
    assert {r.outcome for r in results} == {"unchanged"}


def test_views_reject_writes(sample_warehouse: Path) -> None:
    with connect(sample_warehouse, read_only=True) as conn, pytest.raises(duckdb.Error):
        conn.execute("delete from core.report")
