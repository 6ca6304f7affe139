"""Issue 16, the warehouse file itself: what `etl sql` may do, symbolic links, permissions, a staged file that is
not a warehouse, a staging file deleted mid-run, an interrupted `etl rebuild`. Each test fails on release 0.1.0.
"""

from __future__ import annotations

import grp
import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl.extract.source import read_source
from etl.load.files import lock_path, staging_path
from etl.load.publish import (
    StagingLostError,
    WarehouseLockedError,
    WarehouseReadOnlyError,
    staged_warehouse,
    writer_lock,
)
from etl.load.rebuild import InterruptedRebuildError, move_aside
from etl.load.schema import apply_schema
from etl.load.verify import StagedWarehouseInvalid
from etl.load.warehouse import connect
from etl.parse.report import parse_report
from tests.conftest import (
    REAL_TEXT_DUMP,
    SQL_DIR,
    SYNTHETIC,
    build_warehouse,
    flat,
    load_report,
    mart_snapshot,
    run_etl,
)
from tests.etl.load.old_duckdb import quarter_dump


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _reports(path: Path) -> int:
    with connect(path, read_only=True) as conn:
        row = conn.execute("select count(*) from core.report").fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A published warehouse holding the real report."""
    path = tmp_path / "w.duckdb"
    with staged_warehouse(path) as staging:
        build_warehouse(staging, [REAL_TEXT_DUMP])
    return path


def _etl_sql(query: str, warehouse: Path) -> subprocess.CompletedProcess[str]:
    etl = Path(sys.executable).parent / "etl"
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [str(etl), "sql", query, "-w", str(warehouse)], capture_output=True, text=True, env=env, timeout=120
    )


# -- 3. `etl sql` cannot change files ----------------------------------------------------------------------------


def test_etl_sql_cannot_overwrite_the_warehouse_with_copy_to(warehouse: Path) -> None:
    before = _sha256(warehouse)
    result = _etl_sql(f"copy (select 1) to '{warehouse}' (format csv)", warehouse)
    assert result.returncode == 1
    assert "COPY statements are refused" in flat(result.stderr)  # before issue 22: DuckDB's own refusal
    assert _sha256(warehouse) == before
    assert _reports(warehouse) == 1


def test_etl_sql_cannot_attach_another_database_for_writing(warehouse: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as conn:
        conn.execute("create table t as select 1 as a")
    before = _sha256(other)
    result = _etl_sql(f"attach '{other}' as other (read_only false); delete from other.t", warehouse)
    assert result.returncode == 1
    assert "ATTACH statements are refused" in flat(result.stderr)  # before issue 22: DuckDB's own refusal
    assert _sha256(other) == before


def test_etl_sql_cannot_switch_the_protection_off_or_read_other_files(warehouse: Path) -> None:
    unlocked = _etl_sql("set enable_external_access = true", warehouse)
    assert unlocked.returncode == 1 and "SET statements are refused" in flat(unlocked.stderr)  # DuckDB's before
    assert _etl_sql("select * from read_csv('/etc/passwd')", warehouse).returncode == 1
    query = _etl_sql("select count(*) as task_rows from mart.task_progress", warehouse)
    assert query.returncode == 0 and "34" in query.stdout


# Statements and table functions that write files or change the database's state (issue 22, defect 11): the first
# aborted the process with an uncaught C++ exception (exit 134) before; others ran ("Success").
WRITING_STATEMENTS = [
    "call enable_logging(storage='file', storage_path='{folder}')",
    "call enable_logging(storage='file', storage_path='{folder}/log.csv'); select 1",
    "call enable_profiling(save_location='{folder}/profile.txt'); select 1",
    "call checkpoint()",
    "pragma enable_checkpoint_on_shutdown",
    "call truncate_duckdb_logs()",
    "pragma import_database('{folder}')",
    "export database '{folder}/export'",
    "select * from query('call checkpoint()')",
]


@pytest.mark.parametrize("statement", WRITING_STATEMENTS)
def test_etl_sql_refuses_functions_that_write_cleanly(warehouse: Path, tmp_path: Path, statement: str) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    before = _sha256(warehouse)
    result = _etl_sql(statement.format(folder=folder), warehouse)
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])
    assert "Traceback" not in result.stderr and "terminate called" not in result.stderr
    assert "refused" in flat(result.stderr) or "disabled by configuration" in flat(result.stderr)
    assert _sha256(warehouse) == before and list(folder.iterdir()) == []


# -- 4. a symbolic link to the warehouse ---------------------------------------------------------------------------


def test_a_symlinked_warehouse_is_published_to_and_locked_at_its_target(warehouse: Path, tmp_path: Path) -> None:
    link = tmp_path / "current.duckdb"
    link.symlink_to(warehouse)
    with staged_warehouse(link) as staging:
        assert staging == staging_path(warehouse)
        with connect(staging) as conn:
            apply_schema(conn, SQL_DIR)
            load_report(conn, parse_report(read_source(SYNTHETIC[0])))
    assert link.is_symlink() and link.resolve() == warehouse
    assert _reports(warehouse) == 2
    assert not lock_path(link).exists() and lock_path(warehouse).exists()
    with writer_lock(warehouse, timeout=5), pytest.raises(WarehouseLockedError), writer_lock(link, timeout=0.2):
        pytest.fail("the link and its target were locked separately")  # both names take the one lock


# -- 5. permissions ---------------------------------------------------------------------------------------------------


def _other_group() -> int:
    mine = os.getgid()
    for group in grp.getgrall():
        if group.gr_gid != mine:
            return group.gr_gid
    pytest.skip("no second group on this machine")


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_publishing_keeps_the_mode_and_group_of_the_warehouse(warehouse: Path, mode: int) -> None:
    os.chmod(warehouse, mode)
    group = _other_group() if os.geteuid() == 0 else os.getgid()
    os.chown(warehouse, -1, group)
    with staged_warehouse(warehouse) as staging, connect(staging) as conn:
        load_report(conn, parse_report(read_source(SYNTHETIC[0])))
    info = warehouse.stat()
    assert (stat.S_IMODE(info.st_mode), info.st_gid) == (mode, group)
    assert _reports(warehouse) == 2


def test_a_read_only_warehouse_is_a_clear_refusal_and_stays_as_it_was(warehouse: Path) -> None:
    os.chmod(warehouse, 0o444)
    before = _sha256(warehouse)
    with pytest.raises(WarehouseReadOnlyError, match=r"is read-only \(mode 444\)"), staged_warehouse(warehouse):
        pytest.fail("a read-only warehouse was staged")
    assert _sha256(warehouse) == before
    assert stat.S_IMODE(warehouse.stat().st_mode) == 0o444
    assert not staging_path(warehouse).exists()


# -- 9. only a verified staged file is published ---------------------------------------------------------------


def test_a_staging_file_deleted_before_the_seal_publishes_nothing(warehouse: Path) -> None:
    before = _sha256(warehouse)
    with pytest.raises(StagingLostError, match="was deleted while this run was writing it"):  # noqa: SIM117
        with staged_warehouse(warehouse) as staging:
            with connect(staging) as conn:
                load_report(conn, parse_report(read_source(SYNTHETIC[0])))
            staging.unlink()
    assert _sha256(warehouse) == before


def test_an_empty_database_in_place_of_the_staging_file_is_not_published(warehouse: Path) -> None:
    before = _sha256(warehouse)
    with pytest.raises(StagingLostError, match="was deleted while"), staged_warehouse(warehouse) as staging:
        staging.unlink()
        duckdb.connect(str(staging)).close()  # an empty 12 KB database where the staging file was
    assert _sha256(warehouse) == before


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("drop table core.task_row", "tables missing: core.task_row"),
        ("delete from core.task_row where task_no = 1", "core.task_row has 32 rows, the published warehouse has 34"),
        ("delete from ops.schema_migration", "ops.schema_migration has 0 rows"),
    ],
)
def test_a_staged_file_that_lost_history_is_not_published(warehouse: Path, damage: str, reason: str) -> None:
    before = _sha256(warehouse)
    with pytest.raises(StagedWarehouseInvalid, match=reason):  # noqa: SIM117
        with staged_warehouse(warehouse) as staging, connect(staging) as conn:
            conn.execute(damage)
    assert _sha256(warehouse) == before


def test_only_the_tables_a_run_derives_anew_may_shrink(warehouse: Path) -> None:
    # `etl init` re-reads the figures (core.metric may lose rows a better grammar no longer reads as figures)
    with staged_warehouse(warehouse, rederived=frozenset({"core.metric"})) as staging, connect(staging) as conn:
        conn.execute("delete from core.metric where metric_no = 1")
    before = _sha256(warehouse)
    for damage, reason in [
        ("delete from core.metric where metric_no = 2", "core.metric has"),  # not named: history, refused
        ("delete from core.task_row where task_no = 1", "core.task_row has 32 rows"),  # named tables only
    ]:
        rederived = frozenset() if "metric" in damage else frozenset({"core.metric"})
        with pytest.raises(StagedWarehouseInvalid, match=reason):  # noqa: SIM117
            with staged_warehouse(warehouse, rederived=rederived) as staging, connect(staging) as conn:
                conn.execute(damage)
    assert _sha256(warehouse) == before


def test_a_new_warehouse_without_a_schema_is_not_published(tmp_path: Path) -> None:
    published = tmp_path / "new.duckdb"
    with pytest.raises(StagedWarehouseInvalid, match="tables missing: core.report"), staged_warehouse(published):
        pass
    assert not published.exists()


def test_a_load_whose_rows_did_not_all_arrive_is_not_published(warehouse: Path) -> None:
    with pytest.raises(StagedWarehouseInvalid, match="not what was there plus what the new reports declare"):  # noqa: SIM117
        with staged_warehouse(warehouse) as staging, connect(staging) as conn:
            load_report(conn, parse_report(read_source(SYNTHETIC[0])))
            conn.execute("delete from core.task_row where report_id = (select max(report_id) from core.report "
                         "where year = 2023)")
    assert _reports(warehouse) == 1


# -- 10. clear messages ----------------------------------------------------------------------------------------------


def test_a_staging_file_deleted_mid_run_is_named_not_a_raw_catalog_error(warehouse: Path) -> None:
    before = _sha256(warehouse)
    with pytest.raises(StagingLostError, match="was deleted while this run was writing it") as caught:  # noqa: SIM117
        with staged_warehouse(warehouse) as staging:
            staging.unlink()  # what the next step of the run then does with it, as the flow's tasks do:
            with connect(staging) as conn:
                conn.execute("select count(*) from ops.ingest_file")
    assert isinstance(caught.value.__cause__, duckdb.CatalogException)
    assert _sha256(warehouse) == before


def test_the_state_a_killed_rebuild_leaves_is_written_to_only_by_the_rebuild(warehouse: Path) -> None:
    """The library's own guard (what every writer goes through), on the state `etl rebuild` leaves when killed."""
    moved = move_aside(warehouse)
    assert moved is not None and not warehouse.exists()
    with pytest.raises(InterruptedRebuildError, match=f"its data is in {moved}"), staged_warehouse(warehouse):
        pytest.fail("a writer other than the rebuild was given a staging file")
    assert not warehouse.exists() and not staging_path(warehouse).exists()
    with staged_warehouse(warehouse, rebuilding=True) as staging:  # the rebuild's replay
        build_warehouse(staging, [REAL_TEXT_DUMP])
    assert _reports(warehouse) == 1
    with staged_warehouse(warehouse) as staging:  # rebuilt: writers are welcome again
        build_warehouse(staging, SYNTHETIC[:1])
    assert _reports(warehouse) == 2


@pytest.mark.prefect
def test_after_a_killed_rebuild_readers_are_told_where_the_data_is_writers_refuse_and_rebuild_resumes(
    tmp_path: Path, prefect_api_url: str
) -> None:
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    for source in [REAL_TEXT_DUMP, *SYNTHETIC]:
        shutil.copy(source, inbox / source.name)
        os.utime(inbox / source.name, (time.time() - 60, time.time() - 60))
    warehouse = tmp_path / "w.duckdb"
    polled = run_etl(["poll", "--inbox", str(inbox), "--archive", str(archive), "--quarantine",
                      str(tmp_path / "q"), "--settle-seconds", "1", "-w", str(warehouse)], prefect_api_url)
    assert polled.returncode == 0, polled.stderr
    before = mart_snapshot(warehouse, without=("source_file",))

    etl = Path(sys.executable).parent / "etl"
    rebuild = subprocess.Popen(
        [str(etl), "rebuild", "--archive", str(archive), "-w", str(warehouse)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PREFECT_API_URL": prefect_api_url, "COLUMNS": "200"},
        start_new_session=True,
    )
    assert rebuild.stdout is not None
    assert "Moved the old warehouse aside" in rebuild.stdout.readline()
    os.killpg(rebuild.pid, signal.SIGKILL)
    rebuild.wait(timeout=60)
    assert not warehouse.exists()
    moved = list(tmp_path.glob("w.duckdb.replaced-*"))
    assert len(moved) == 1

    told = _etl_sql("select 1", warehouse)
    assert told.returncode == 1
    assert f"its data is in {moved[0]}" in flat(told.stderr) and "etl rebuild" in flat(told.stderr)

    # Every writing run refuses meanwhile (it would start a new warehouse beside the moved one, without its
    # history): the flows on the server, the in-process library run, `etl init`. Nothing written, nothing moved.
    new_quarter = quarter_dump(tmp_path, 2025, 1)
    shutil.copy(new_quarter, inbox / new_quarter.name)
    os.utime(inbox / new_quarter.name, (time.time() - 60, time.time() - 60))
    archived = sorted(archive.rglob("*"))
    moved_sha = _sha256(moved[0])
    poll = ["poll", "--inbox", str(inbox), "--archive", str(archive), "--quarantine", str(tmp_path / "q"),
            "--settle-seconds", "1"]  # fmt: skip
    writers = {
        "ingest": ["ingest", str(new_quarter)],
        "ingest --no-prefect": ["ingest", str(new_quarter), "--no-prefect"],
        "backfill": ["backfill", str(tmp_path / "inbox")],
        "poll": poll,
        "init": ["init"],
    }
    for name, args in writers.items():
        refused = run_etl([*args, "-w", str(warehouse)], prefect_api_url)
        said = flat(refused.stderr)
        assert refused.returncode == 3, f"{name}: {refused.stdout}\n{refused.stderr}"
        assert f"warehouse {warehouse} does not exist: an `etl rebuild` stopped" in said, f"{name}: {said}"
        assert f"its data is in {moved[0]}. Nothing was written" in said, f"{name}: {said}"
        assert f"Run `etl rebuild --warehouse {warehouse}` to finish the rebuild" in said, f"{name}: {said}"
        assert not warehouse.exists() and not staging_path(warehouse).exists(), name
        assert [p.name for p in inbox.iterdir()] == [new_quarter.name], name
        assert sorted(archive.rglob("*")) == archived and not (tmp_path / "q").exists(), name
    assert _sha256(moved[0]) == moved_sha

    resumed = run_etl(["rebuild", "--archive", str(archive), "-w", str(warehouse)], prefect_api_url)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "Resuming an interrupted rebuild" in flat(resumed.stdout)
    assert mart_snapshot(warehouse, without=("source_file",)) == before
    assert list(tmp_path.glob("w.duckdb.replaced-*")) == moved

    # Rebuilt, the inbox poll that was refused loads the waiting quarter as usual.
    polled = run_etl([*poll, "-w", str(warehouse)], prefect_api_url)
    assert polled.returncode == 0, polled.stdout + polled.stderr
    assert list(inbox.iterdir()) == []
    with connect(warehouse, read_only=True) as conn:
        assert (2025, 1) in conn.execute("select year, quarter from core.report").fetchall()
