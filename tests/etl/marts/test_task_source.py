"""staging.task_source (sql/views/staging_task_source.sql): where each task is printed, one row per task of a current
report, read by the bulletin's queries (sql/bulletin/) and mart.targets_behind instead of each grouping the task's
rows itself. Its stated grain is unique on the samples and the real tables of other issuers, and its pages are the
union of the task's rows' pages in mart.task_progress (computed there independently, row by row)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.load.warehouse import connect
from tests.conftest import build_warehouse, real_tables_folder
from tests.etl.marts.test_mart_contract import columns, grain
from tests.etl.marts.test_target_attainment_models import duplicates, model_comment

KEY = ["issuer", "year", "period_end_month", "task_no"]


@pytest.fixture(scope="module")
def warehouse(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("task_source")
    path = folder / "w.duckdb"
    path.write_bytes(sample_warehouse.read_bytes())
    build_warehouse(path, real_tables_folder(folder / "tables"))
    return path


def test_the_view_states_its_grain_and_it_is_unique(warehouse: Path) -> None:
    keys = grain(model_comment(warehouse, "task_source"))
    assert keys == KEY
    with connect(warehouse, read_only=True) as conn:
        assert set(keys) <= set(columns(conn, "staging", "task_source"))
        (issuers,) = conn.execute("select count(distinct issuer) from staging.task_source").fetchone() or (0,)
    assert issuers > 1, "the samples and the other issuers' tables"
    assert duplicates(warehouse, "staging.task_source", keys) == []


def test_the_grain_check_catches_a_coarser_grain(warehouse: Path) -> None:
    """Without task_no the key repeats (many tasks a report): the uniqueness check can fail."""
    assert duplicates(warehouse, "staging.task_source", KEY[:-1]) != []


def test_one_row_per_task_with_the_pages_of_all_its_rows(warehouse: Path) -> None:
    with connect(warehouse, read_only=True) as conn:
        by_rows = conn.execute(
            "select issuer, year, period_end_month, task_no, source_file, unnest(source_pages) as page "
            "from mart.task_progress order by all"
        ).fetchall()
        by_view = conn.execute(
            "select issuer, year, period_end_month, task_no, source_file, unnest(source_pages) as page "
            "from staging.task_source order by all"
        ).fetchall()
    assert sorted(set(by_rows)) == by_view


def test_a_task_whose_rows_are_on_two_pages_has_both_once(warehouse: Path, tmp_path: Path) -> None:
    """No task of the samples is split across pages: in a copy, task 25's 施工图 row is moved to page 3 (its 进度安排
    row stays where it is); task 1, whose two rows are on one page, names that page once."""
    path = tmp_path / "w.duckdb"
    path.write_bytes(warehouse.read_bytes())
    where = (
        "where task_no = {} and plan_type = 'roadmap' and report_id in (select report_id from "
        "staging.current_report where issuer = '市工信局' and year = 2024 and period_end_month = 9)"
    )
    with connect(path) as conn:
        (pages,) = conn.execute(f"select source_pages from core.task_row {where.format(25)}").fetchone() or ([],)
        conn.execute(f"update core.task_row set source_pages = [3] {where.format(25)}")
        moved = conn.execute(
            "select source_pages, source_pages_text from staging.task_source "
            "where issuer = '市工信局' and year = 2024 and period_end_month = 9 and task_no in (1, 25) order by task_no"
        ).fetchall()
    assert pages != [3]
    assert moved[1] == (sorted({*pages, 3}), "、".join(map(str, sorted({*pages, 3}))))
    assert len(moved[0][0]) == 1
