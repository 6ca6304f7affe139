"""An ingest while another process holds the warehouse file open for writing (a BI tool connected without
read-only): it waits up to the lock timeout for that lock too, says which process holds it, then loads; or gives up
naming it (issue 23: it failed at once with "Conflicting lock is held" although ETL_LOCK_TIMEOUT is 600 s)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl.load.file_lock import WarehouseHeldError, holder_of, wait_until_readable
from etl.load.publish import WarehouseLockedError
from tests.conftest import REAL_TEXT_DUMP, SYNTHETIC, build_warehouse

HOLD = (
    "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
    "time.sleep(float(sys.argv[2]))"
)


def hold(warehouse: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process with a read-write connection to the file, as a BI tool without read-only keeps one."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    build_warehouse(path, [REAL_TEXT_DUMP])
    return path


def test_the_holder_is_named_and_the_wait_gives_up_after_the_timeout(warehouse: Path) -> None:
    holder = hold(warehouse, 60)
    try:
        assert f"(PID {holder.pid})" in (holder_of(warehouse) or "")
        said: list[str] = []
        started = time.monotonic()
        with pytest.raises(
            WarehouseHeldError, match=rf"held open for writing by .*\(PID {holder.pid}\).*gave up after 2 s"
        ):
            wait_until_readable(warehouse, 2, on_wait=said.append, poll=0.2)
        assert 2 <= time.monotonic() - started < 10
        assert len(said) == 1 and f"(PID {holder.pid})" in said[0] and "waiting up to 2 s" in said[0]
        assert issubclass(WarehouseHeldError, WarehouseLockedError)  # a TimeoutError: the flows retry it
    finally:
        holder.kill()
        holder.wait()
    assert holder_of(warehouse) is None


def test_an_ingest_waits_for_the_holder_then_loads(warehouse: Path, tmp_path: Path) -> None:
    holder = hold(warehouse, 15)  # longer than etl takes to start on a busy machine
    env = {**os.environ, "ETL_LOCK_TIMEOUT": "60"}
    env.pop("PREFECT_API_URL", None)
    etl = Path(sys.executable).parent / "etl"
    started = time.monotonic()
    done = subprocess.run(
        [str(etl), "ingest", str(SYNTHETIC[0]), "-w", str(warehouse), "--no-prefect"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    holder.wait()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "held open for writing by" in done.stderr and f"(PID {holder.pid})" in done.stderr
    assert "waiting up to 60 s (ETL_LOCK_TIMEOUT)" in " ".join(done.stderr.split())
    assert time.monotonic() - started >= 2  # it waited for the holder instead of failing at once
    assert "2 report file(s)" in " ".join(done.stdout.split())
