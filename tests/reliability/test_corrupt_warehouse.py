"""A damaged warehouse file is found at the start of a run, nothing moves, and `etl rebuild` restores it."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from etl.load.warehouse import WarehouseCorruptError, check_warehouse
from tests.conftest import REAL_TEXT_DUMP, SYNTHETIC, flat, mart_snapshot, run_etl

pytestmark = pytest.mark.prefect


def _settled_copy(source: Path, folder: Path, age: float) -> Path:
    target = folder / source.name
    shutil.copy(source, target)
    os.utime(target, (time.time() - age, time.time() - age))
    return target


def test_a_damaged_warehouse_stops_the_run_and_rebuild_replays_the_archive(
    tmp_path: Path, prefect_api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl.flows.ingest import poll_inbox

    monkeypatch.setenv("ETL_REPORT_FILE", str(tmp_path / "report.html"))  # not the project's data/report.html
    inbox, archive, quarantine = tmp_path / "inbox", tmp_path / "archive", tmp_path / "quarantine"
    inbox.mkdir()
    for age, source in enumerate(reversed([REAL_TEXT_DUMP, *SYNTHETIC]), start=100):
        _settled_copy(source, inbox, age)  # arrival order = the order of their modification times
    warehouse = tmp_path / "warehouse.duckdb"
    poll_inbox(str(inbox), str(archive), str(quarantine), str(warehouse), settle_seconds=5)
    before = mart_snapshot(warehouse, without=("source_file",))
    assert len(list(archive.rglob("*.txt"))) == 1 + len(SYNTHETIC)

    # Damage the file: overwrite its second half.
    data = bytearray(warehouse.read_bytes())
    data[len(data) // 2 :] = os.urandom(len(data) - len(data) // 2)
    warehouse.write_bytes(bytes(data))
    with pytest.raises(WarehouseCorruptError, match="etl rebuild"):
        check_warehouse(warehouse)

    late = _settled_copy(REAL_TEXT_DUMP, inbox, 60)
    with pytest.raises(WarehouseCorruptError):
        poll_inbox(str(inbox), str(archive), str(quarantine), str(warehouse), settle_seconds=5)
    assert late.exists(), "the input stays in the inbox when the warehouse is damaged"

    rebuilt = run_etl(["rebuild", "--archive", str(archive), "--warehouse", str(warehouse)], prefect_api_url)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "Moved the old warehouse aside" in flat(rebuilt.stdout)
    assert mart_snapshot(warehouse, without=("source_file",)) == before
    assert list(tmp_path.glob("warehouse.duckdb.replaced-*")), "the damaged file is kept for inspection"


def test_a_missing_or_healthy_warehouse_passes_the_check(tmp_path: Path, sample_warehouse: Path) -> None:
    check_warehouse(tmp_path / "none.duckdb")
    check_warehouse(sample_warehouse)
    (tmp_path / "not.duckdb").write_bytes(os.urandom(5000))
    with pytest.raises(WarehouseCorruptError, match="not a readable DuckDB file"):
        check_warehouse(tmp_path / "not.duckdb")


# Issue 22, defect 10: a block damaged without the file's size, time or inode changing is not read by the start-up
# check (the fingerprint matches: only the header and catalog are read), but by the load. DuckDB then stopped the run
# with a raw FatalException traceback (exit 1, the "file rejected" code) or an IOException told as "cannot write".
BLOCK_SIZE, HEADER_SIZE = 262_144, 3 * 4096  # DuckDB's storage: three header blocks, then 256 KiB blocks


@pytest.mark.parametrize("table", ["core.metric", "core.task_row"])
def test_a_damaged_block_met_while_loading_is_a_damaged_warehouse(tmp_path: Path, table: str) -> None:
    import duckdb

    from tests.reliability.inbox_runs import etl

    warehouse = tmp_path / "w.duckdb"
    env = {"ETL_WAREHOUSE": str(warehouse), "ETL_DATA_DOCS_DIR": str(tmp_path / "docs"),
           "ETL_REPORT_FILE": str(tmp_path / "report.html")}  # fmt: skip
    assert etl(["ingest", str(REAL_TEXT_DUMP), str(SYNTHETIC[0])], env).returncode == 0
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        row = conn.execute(f"select min(block_id) from pragma_storage_info('{table}') where block_id >= 0").fetchone()
    assert row is not None and row[0] is not None
    offset = HEADER_SIZE + int(row[0]) * BLOCK_SIZE
    before = warehouse.stat()
    with warehouse.open("r+b") as handle:  # in place: same inode, same size
        handle.seek(offset + 512)
        handle.write(b"\xa5" * 4096)
    os.utime(warehouse, ns=(before.st_atime_ns, before.st_mtime_ns))
    damaged = warehouse.read_bytes()
    result = etl(["ingest", str(SYNTHETIC[1])], env)
    said = flat(result.stderr)
    assert result.returncode == 3, (result.returncode, said[-1500:])
    assert "Traceback" not in result.stderr and "FatalException" not in said
    assert f"the warehouse {warehouse} is damaged" in said and f"etl rebuild --warehouse {warehouse}" in said
    assert "Nothing was published" in said and warehouse.read_bytes() == damaged
