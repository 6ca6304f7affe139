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
    tmp_path: Path, prefect_api_url: str
) -> None:
    from etl.flows.ingest import poll_inbox

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
