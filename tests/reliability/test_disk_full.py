"""A full disk or a read-only warehouse folder: a clear error, the published warehouse intact, inputs in the inbox.

The warehouse lives on a small tmpfs mounted by the test (CI runs as root; elsewhere the test says it needs root).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REAL_TEXT_DUMP, SYNTHETIC

pytestmark = pytest.mark.prefect


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount_point)], check=False)
    if mounted.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _settled(folder: Path, sources: list[Path]) -> None:
    folder.mkdir(exist_ok=True)
    for source in sources:
        shutil.copy(source, folder / source.name)
        os.utime(folder / source.name, (time.time() - 60, time.time() - 60))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fill(disk: Path, leave_bytes: int) -> Path:
    free = shutil.disk_usage(disk).free
    filler = disk / "filler"
    with filler.open("wb") as handle:
        handle.truncate(0)
        handle.write(b"\0" * max(0, free - leave_bytes))
    return filler


def _run_poll(tmp_path: Path, warehouse: Path) -> None:
    from etl.flows.ingest import poll_inbox

    poll_inbox(str(tmp_path / "inbox"), str(tmp_path / "archive"), str(tmp_path / "quarantine"), str(warehouse), 5)


def test_a_full_disk_fails_clearly_and_changes_nothing(tmp_path: Path, small_disk: Path, prefect_api_url: str) -> None:
    warehouse = small_disk / "warehouse.duckdb"
    _settled(tmp_path / "inbox", [REAL_TEXT_DUMP])
    _run_poll(tmp_path, warehouse)
    published = _digest(warehouse)

    _settled(tmp_path / "inbox", SYNTHETIC[:2])
    filler = _fill(small_disk, leave_bytes=256 * 1024)
    with pytest.raises((OSError, duckdb.IOException)) as caught:
        _run_poll(tmp_path, warehouse)
    assert "No space left on device" in str(caught.value) or getattr(caught.value, "errno", None) == errno.ENOSPC
    assert _digest(warehouse) == published
    assert sorted(p.name for p in (tmp_path / "inbox").iterdir()) == sorted(p.name for p in SYNTHETIC[:2])
    assert not list(small_disk.glob("*.staging*")), "the staging file is removed"

    filler.unlink()  # space again: the next run completes the batch
    _run_poll(tmp_path, warehouse)
    assert list((tmp_path / "inbox").iterdir()) == []
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from core.report").fetchone() == (3,)


def test_a_read_only_warehouse_folder_fails_clearly(tmp_path: Path, small_disk: Path, prefect_api_url: str) -> None:
    warehouse = small_disk / "warehouse.duckdb"
    _settled(tmp_path / "inbox", [REAL_TEXT_DUMP])
    _run_poll(tmp_path, warehouse)
    published = _digest(warehouse)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    _settled(tmp_path / "inbox", SYNTHETIC[:1])
    with pytest.raises((OSError, duckdb.IOException)) as caught:
        _run_poll(tmp_path, warehouse)
    assert "Read-only file system" in str(caught.value) or getattr(caught.value, "errno", None) == errno.EROFS
    assert _digest(warehouse) == published
    assert [p.name for p in (tmp_path / "inbox").iterdir()] == [SYNTHETIC[0].name]
