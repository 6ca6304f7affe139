"""No mart answer depends on the physical order of rows: the same reports with core.metric's rows stored in the
opposite order give identical marts.

Defect found comparing a bulk load with a per-report load of 200 generated reports: two actual figures of equal
value (全市新增…6户, 今年全市新增…6户), and arg_max on the value alone returned whichever row came first; ties now
go to the first figure in reading order."""

from __future__ import annotations

import shutil
from pathlib import Path

from etl.load.warehouse import connect
from tests.conftest import build_warehouse, make_many_reports_module, mart_snapshot


def test_marts_do_not_depend_on_the_order_rows_are_stored_in(tmp_path: Path) -> None:
    files = make_many_reports_module().make_reports(tmp_path / "reports", 200)  # SYNTHETIC, from the real report
    stored = tmp_path / "stored.duckdb"
    build_warehouse(stored, sorted(files))
    reversed_ = tmp_path / "reversed.duckdb"
    shutil.copy(stored, reversed_)
    with connect(reversed_) as conn:
        order = "order by report_id desc, metric_no desc"
        conn.execute(f"create temp table metric_rows as select * from core.metric {order}")
        conn.execute("delete from core.metric")
        conn.execute(f"insert into core.metric select * from metric_rows {order}")
        ties = conn.execute(
            "select count(*) from (select issuer, year, quarter, indicator, value_normalized from "
            "mart.metric_observation where kind = 'actual' and indicator is not null group by all having count(*) > 1)"
        ).fetchone()
    assert mart_snapshot(reversed_, without=()) == mart_snapshot(stored, without=())
    assert ties is not None and ties[0] > 0  # the reports hold equal figures of one indicator: ties to break
