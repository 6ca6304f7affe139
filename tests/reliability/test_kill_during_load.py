"""A load killed with SIGKILL at any point leaves the warehouse consistent, and the next run completes the batch.

The loader runs in a real subprocess. Hooks in the subprocess announce when it is inside a report's transaction
(after the core rows are written, before commit) or between two reports, then wait to be killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from etl.load.warehouse import connect
from tests.conftest import REAL_TEXT_DUMP, SYNTHETIC, build_warehouse

FILES = [REAL_TEXT_DUMP, *SYNTHETIC]

LOADER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import etl.load.warehouse as warehouse
    import tests.conftest as conftest
    from tests.conftest import build_warehouse

    kill_point, target, files = sys.argv[1], int(sys.argv[2]), [Path(p) for p in sys.argv[4:]]
    loads = 0
    original_metrics, original_load = warehouse._insert_metrics, conftest.load_report

    def insert_metrics(conn, report):
        original_metrics(conn, report)
        if kill_point == "in_transaction" and loads == target:
            print("READY", flush=True)
            time.sleep(60)

    def load_report(conn, report, **kwargs):
        global loads
        result = original_load(conn, report, **kwargs)
        loads += 1
        if kill_point == "between_reports" and loads == target:
            print("READY", flush=True)
            time.sleep(60)
        return result

    warehouse._insert_metrics = insert_metrics
    conftest.load_report = load_report  # build_warehouse loads each report through it
    build_warehouse(Path(sys.argv[3]), files)
    print("DONE", flush=True)
    """
)


def _counts(warehouse: Path) -> dict[str, int]:
    with connect(warehouse, read_only=True) as conn:
        queries = {
            "reports": "select count(*) from core.report",
            "rows": "select count(*) from core.task_row",
            "cells": "select count(*) from raw.extracted_cell",
            "files": "select count(*) from raw.source_file",
            # every report has all its rows, cells and a raw file
            "incomplete": "select count(*) from core.report r where row_count <> "
            "(select count(*) from core.task_row t where t.report_id = r.report_id) "
            "or row_count * 9 <> (select count(*) from raw.extracted_cell c where c.source_sha256 = r.source_sha256)",
            "orphans": "select count(*) from core.task_row t "
            "where t.report_id not in (select report_id from core.report)",
        }
        return {name: int(_scalar(conn.execute(sql).fetchone())) for name, sql in queries.items()}


def _scalar(row: tuple[object, ...] | None) -> int:
    assert row is not None
    return int(str(row[0]))


def _kill_loader_at(kill_point: str, target: int, warehouse: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-c", LOADER, kill_point, str(target), str(warehouse), *map(str, FILES)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip() == "READY", f"loader did not reach {kill_point}: {line!r}"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize(
    ("kill_point", "target"), [("in_transaction", 0), ("in_transaction", 2), ("between_reports", 3)]
)
def test_sigkill_leaves_a_consistent_warehouse_and_the_next_run_completes(
    tmp_path: Path, kill_point: str, target: int
) -> None:
    warehouse = tmp_path / "w.duckdb"
    _kill_loader_at(kill_point, target, warehouse)
    after_kill = _counts(warehouse)
    committed = target  # reports whose transaction committed before the kill
    assert after_kill["reports"] == committed
    assert after_kill["incomplete"] == 0 and after_kill["orphans"] == 0
    assert after_kill["files"] == committed

    results = build_warehouse(warehouse, FILES)
    assert [r.outcome for r in results] == ["unchanged"] * committed + ["loaded"] * (len(FILES) - committed)
    final = _counts(warehouse)
    assert final == {
        "reports": len(FILES),
        "rows": 34 * len(FILES),
        "cells": 9 * 34 * len(FILES),
        "files": len(FILES),
        "incomplete": 0,
        "orphans": 0,
    }
