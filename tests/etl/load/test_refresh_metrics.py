"""`etl init` re-reads every report's figures from its stored texts with today's grammar (etl.load.upgrade).

Figures are derived data: a warehouse loaded by an older release keeps the figures that release read until they are
re-read. A figure written differently (as an older grammar would have) is put back as today's grammar reads it; a
warehouse already read by today's grammar is left unchanged (the stored rows' order gives back the metric numbers).
"""

from __future__ import annotations

from pathlib import Path

from etl.load.upgrade import initialize_warehouse
from etl.load.warehouse import connect
from tests.conftest import INDICATORS, REAL_PDF, REAL_TEXT_DUMP, SQL_DIR, SYNTHETIC, build_warehouse


def _metrics(path: Path) -> list[tuple[object, ...]]:
    with connect(path, read_only=True) as conn:
        return conn.execute("select * from core.metric order by all").fetchall()


def test_a_warehouse_read_by_todays_grammar_is_left_unchanged(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    build_warehouse(warehouse, [REAL_TEXT_DUMP, REAL_PDF, *SYNTHETIC])
    before = _metrics(warehouse)
    done = initialize_warehouse(warehouse, SQL_DIR, INDICATORS)
    assert done.figures_changed == () and done.reports > 0
    assert _metrics(warehouse) == before


def test_figures_an_older_grammar_read_differently_are_read_again(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    build_warehouse(warehouse, [REAL_TEXT_DUMP, *SYNTHETIC[:1]])
    before = _metrics(warehouse)
    with connect(warehouse) as conn:
        real, synthetic = conn.execute("select report_id, source_file from core.report order by year desc").fetchall()
        # as an older grammar might have: a clause cut short in one report, a figure too many in the other
        conn.execute(
            "update core.metric set clause = '1549家' where report_id = ? and figure_text = '1549家'", [real[0]]
        )
        conn.execute(
            "insert into core.metric select * replace (metric_no + 1000 as metric_no, 20.0 as value) "
            "from core.metric where report_id = ? and metric_no = 1",
            [synthetic[0]],
        )
        assert conn.execute("select count(*) from core.metric where clause = '1549家'").fetchone() == (1,)
    done = initialize_warehouse(warehouse, SQL_DIR, INDICATORS)
    assert sorted(done.figures_changed) == sorted([real[1], synthetic[1]])
    assert _metrics(warehouse) == before
