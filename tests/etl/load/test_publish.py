"""Staged publishing: readers (real processes) read the warehouse during a full load and only see complete states."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.extract.source import read_source
from etl.load.files import lock_path, staging_path, wal_path
from etl.load.publish import StagingInUseError, WarehouseLockedError, staged_warehouse
from etl.load.schema import apply_schema
from etl.load.seeds import seed_indicator_catalog
from etl.load.storage import create_database, storage_tag, tag_for_version
from etl.load.warehouse import connect
from etl.metrics.catalog import load_catalog
from etl.parse.report import parse_report
from tests.conftest import INDICATORS, REAL_PDF, REAL_TEXT_DUMP, SQL_DIR, SYNTHETIC, load_report

COUNTS = (
    "select (select count(*) from core.report), (select count(*) from staging.current_report), "
    "(select count(*) from mart.task_progress)"
)
BEFORE = (1, 1, 34)  # the real 2024 Q3 report only
AFTER = (5, 4, 136)  # plus its PDF (same content: unchanged) and the four synthetic files

# A BI tool's two ways of reading: `hold` keeps one read-only connection for the whole run (a pooled engine);
# `poll` opens a new read-only connection for every query (NullPool, the duckdb CLI, a notebook re-run).
READER = textwrap.dedent(
    """
    import json, os, sys, time
    import duckdb

    path, mode, stop_file = sys.argv[1:4]
    query = sys.argv[4]
    held = duckdb.connect(path, read_only=True) if mode == "hold" else None
    ready = False
    while True:
        stopping = os.path.exists(stop_file)
        started = time.time()
        try:
            conn = held or duckdb.connect(path, read_only=True)
            counts = conn.execute(query).fetchone()
            if held is None:
                conn.close()
            print(json.dumps({"t": started, "counts": list(counts)}), flush=True)
        except Exception as exc:
            print(json.dumps({"t": started, "error": repr(exc)}), flush=True)
        if not ready:
            ready = True
            print("ready", flush=True)
        if stopping:
            break
        time.sleep(0.005)
    """
)


def _load_through_staging(published: Path, files: Iterable[Path]) -> tuple[float, float]:
    """Load files as the flow does (schema, catalog, then one connection and transaction per file) into a staged
    copy; return when loading started and when the new state was published."""
    reports = [parse_report(read_source(file)) for file in files]
    with staged_warehouse(published) as staging:
        started = time.time()
        with connect(staging) as conn:
            apply_schema(conn, SQL_DIR)
            seed_indicator_catalog(conn, load_catalog(INDICATORS))
        for report in reports:
            with connect(staging) as conn:
                load_report(conn, report)
            time.sleep(0.05)  # a real run parses between loads; leave the readers time to look in
    return started, time.time()


def _build(published: Path, files: list[Path]) -> None:
    _load_through_staging(published, files)


def _counts(path: Path) -> tuple[int, ...]:
    with connect(path, read_only=True) as conn:
        row = conn.execute(COUNTS).fetchone()
    assert row is not None
    return tuple(int(v) for v in row)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Reader:
    """A reader process and what it saw."""

    def __init__(self, published: Path, mode: str, folder: Path) -> None:
        self.stop_file = folder / f"stop-{mode}"
        script = folder / "reader.py"
        script.write_text(READER, encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, str(script), str(published), mode, str(self.stop_file), COUNTS],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        first = [self.process.stdout.readline(), self.process.stdout.readline()]
        assert first[1].strip() == "ready", [*first, self.process.stderr.read() if self.process.stderr else ""]
        self.lines = [first[0]]

    def stop(self) -> list[dict[str, Any]]:
        self.stop_file.touch()
        out, err = self.process.communicate(timeout=60)
        assert self.process.returncode == 0, err
        return [json.loads(line) for line in [*self.lines, *out.splitlines()] if line.strip()]


@pytest.fixture
def readers(tmp_path: Path) -> Iterator[list[Reader]]:
    started: list[Reader] = []
    yield started
    for reader in started:
        if reader.process.poll() is None:
            reader.process.kill()
            reader.process.wait()


def test_readers_during_a_full_load_never_fail_and_only_see_complete_states(
    tmp_path: Path, readers: list[Reader]
) -> None:
    published = tmp_path / "warehouse.duckdb"
    _build(published, [REAL_TEXT_DUMP])
    assert _counts(published) == BEFORE
    holding = Reader(published, "hold", tmp_path)
    polling = Reader(published, "poll", tmp_path)
    readers += [holding, polling]

    # Without staging, the scheduled load could not even open the file a reader holds.
    with pytest.raises(duckdb.IOException, match="lock"):
        duckdb.connect(str(published))

    load_started, published_at = _load_through_staging(published, [REAL_TEXT_DUMP, REAL_PDF, *SYNTHETIC])
    time.sleep(0.5)  # let the polling reader see the new state a few times
    held_seen, polled_seen = holding.stop(), polling.stop()

    assert [o for o in held_seen + polled_seen if "error" in o] == []
    # The reader holding its connection keeps reading the state it opened, complete, for as long as it holds it.
    assert {tuple(o["counts"]) for o in held_seen} == {BEFORE}
    # New connections see the old complete state until the rename, then the new one: never a state in between.
    polled = [(o["t"], tuple(o["counts"])) for o in polled_seen]
    assert {counts for _, counts in polled} == {BEFORE, AFTER}
    during = [counts for t, counts in polled if load_started <= t < published_at - 0.05]
    assert len(during) >= 10, "the reader did not read while the load ran"
    assert set(during) == {BEFORE}
    assert polled[-1][1] == AFTER
    assert _counts(published) == AFTER
    assert not staging_path(published).exists() and not wal_path(staging_path(published)).exists()


def test_a_failed_load_leaves_the_published_file_untouched(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    _build(published, [REAL_TEXT_DUMP])
    before = _sha256(published)
    with pytest.raises(RuntimeError, match="parse failed"), staged_warehouse(published) as staging:
        with connect(staging) as conn:
            load_report(conn, parse_report(read_source(SYNTHETIC[0])))
        raise RuntimeError("parse failed")
    assert _sha256(published) == before
    assert _counts(published) == BEFORE
    assert not staging_path(published).exists() and not wal_path(staging_path(published)).exists()


def test_a_new_warehouse_is_created_with_the_configured_storage_version(tmp_path: Path) -> None:
    published = tmp_path / "new" / "warehouse.duckdb"
    with staged_warehouse(published, storage_version="v1.2.0") as staging:
        assert staging.parent == published.parent
        with connect(staging) as conn:
            apply_schema(conn, SQL_DIR)
    assert storage_tag(published) == tag_for_version("v1.2.0") == "v1.2.0+"


def test_an_existing_warehouse_is_rewritten_in_the_configured_storage_version(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    create_database(published, "v1.5.0")
    with connect(published) as conn:
        apply_schema(conn, SQL_DIR)
    with staged_warehouse(published, storage_version="v1.1.0") as staging, connect(staging) as conn:
        load_report(conn, parse_report(read_source(REAL_TEXT_DUMP)))
    assert storage_tag(published) == tag_for_version("v1.1.0")
    assert _counts(published) == BEFORE
    with connect(published, read_only=True) as conn:  # the copy keeps every comment
        comments = conn.execute("select count(comment) from duckdb_columns() where schema_name = 'mart'").fetchone()
    assert comments is not None and comments[0] > 50


def test_changes_left_in_the_published_files_log_are_kept(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    _build(published, [REAL_TEXT_DUMP])
    crashed = duckdb.connect(str(published))  # a writer that stopped before its checkpoint: the log remains
    crashed.execute("pragma disable_checkpoint_on_shutdown")
    crashed.execute("delete from core.task_row where task_no = 1")
    crashed.close()
    assert wal_path(published).exists()
    with staged_warehouse(published) as staging, connect(staging) as conn:
        conn.execute("select 1")
    assert not wal_path(published).exists()
    assert _counts(published) == (1, 1, 32)


def test_a_second_writer_waits_for_the_lock_then_gives_up_with_a_clear_error(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\nfrom etl.load.publish import staged_warehouse\n"
            "with staged_warehouse(Path(sys.argv[1])):\n    print('staging', flush=True)\n    time.sleep(30)\n",
            str(published),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "staging"
        started = time.monotonic()
        with pytest.raises(WarehouseLockedError, match="another writer is loading") as caught:  # noqa: SIM117
            with staged_warehouse(published, lock_timeout=0.3):
                pytest.fail("two writers staged at once")
        assert time.monotonic() - started >= 0.3
        assert str(lock_path(published)) in str(caught.value)
        assert isinstance(caught.value, TimeoutError)  # the flows retry it with backoff
    finally:
        holder.kill()
        holder.wait()
    with staged_warehouse(published, lock_timeout=5) as staging:  # the lock goes with the process that held it
        assert staging.exists()
        with connect(staging) as conn:
            apply_schema(conn, SQL_DIR)


def test_a_connection_left_open_on_the_staging_file_is_refused(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    _build(published, [REAL_TEXT_DUMP])
    before = _sha256(published)
    leaked: list[duckdb.DuckDBPyConnection] = []
    with pytest.raises(StagingInUseError, match="still open"), staged_warehouse(published) as staging:
        leaked.append(duckdb.connect(str(staging)))
    leaked[0].close()
    assert _sha256(published) == before
