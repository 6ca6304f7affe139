"""The staging models of mart.target_attainment (sql/views/staging_task_target.sql … staging_target_assessment.sql):
each states its grain in its COMMENT, the grain is unique on the samples and the real tables of other issuers, and
every target goes through every step once, so the mart has one row per target and nothing drops out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.load.warehouse import connect
from tests.conftest import build_warehouse, real_tables_folder
from tests.etl.marts.test_mart_contract import columns, grain

MODELS = ("task_target", "task_actual", "target_source", "target_actual", "target_assessment")
TARGET_KEY = ["issuer", "year", "period_end_month", "task_no", "target_no"]


@pytest.fixture(scope="module")
def warehouse(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples and the real tables of other issuers (their targets and combined indicators differ)."""
    folder = tmp_path_factory.mktemp("attainment")
    path = folder / "w.duckdb"
    path.write_bytes(sample_warehouse.read_bytes())
    build_warehouse(path, real_tables_folder(folder / "tables"))
    return path


def model_comment(warehouse: Path, model: str) -> str:
    with connect(warehouse, read_only=True) as conn:
        row = conn.execute(
            "select comment from duckdb_views() where schema_name = 'staging' and view_name = ?", [model]
        ).fetchone()
    assert row is not None, model
    return str(row[0])


def duplicates(warehouse: Path, view: str, keys: list[str]) -> list[tuple[object, ...]]:
    with connect(warehouse, read_only=True) as conn:
        return conn.execute(
            f"select {', '.join(keys)}, count(*) from {view} group by all having count(*) > 1 limit 3"
        ).fetchall()


@pytest.mark.parametrize("model", MODELS)
def test_each_model_states_its_grain_and_it_is_unique(warehouse: Path, model: str) -> None:
    keys = grain(model_comment(warehouse, model))
    with connect(warehouse, read_only=True) as conn:
        assert set(keys) <= set(columns(conn, "staging", model)), keys
        (rows,) = conn.execute(f"select count(*) from staging.{model}").fetchone() or (0,)
    assert rows > 0
    assert duplicates(warehouse, f"staging.{model}", keys) == []


def test_the_grain_check_catches_a_coarser_grain(warehouse: Path) -> None:
    """A combined target (智能工厂和数字化车间) has one source row per part: the target alone is no key of
    staging.target_source."""
    assert duplicates(warehouse, "staging.target_source", TARGET_KEY) != []


def test_a_figure_repeated_on_both_plan_rows_is_one_candidate(warehouse: Path) -> None:
    """The same sentence under 进度安排 and 施工图 gives one figure twice in mart.metric_observation; it is one
    candidate actual in staging.task_actual."""
    same = ["issuer", "year", "period_end_month", "task_no", "figure_text", "clause"]
    observed = "(select * from mart.metric_observation where kind = 'actual')"
    assert duplicates(warehouse, observed, same) != []
    assert duplicates(warehouse, "staging.task_actual", same) == []


def test_every_target_goes_through_every_step_once(warehouse: Path) -> None:
    key = ", ".join(TARGET_KEY)
    with connect(warehouse, read_only=True) as conn:
        counts = {
            view: conn.execute(f"select count(*), count(distinct ({key})) from {view}").fetchone()
            for view in ("staging.task_target", "staging.target_actual", "staging.target_assessment",
                         "mart.target_attainment")
        }  # fmt: skip
        unmatched = conn.execute(
            f"select count(*) from staging.task_target as t anti join mart.target_attainment as m using ({key})"
        ).fetchone()
    assert len(set(counts.values())) == 1, counts
    assert unmatched == (0,)
