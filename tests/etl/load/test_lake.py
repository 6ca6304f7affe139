"""The lake backend on a real PostgreSQL (a throw-away cluster: tests/postgres.py): the same pipeline, marts,
gate and history as the file warehouse; one report per snapshot; several writers; time travel; the copies both ways.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.load import lake
from etl.load.backend import LakeWarehouse, prepare_lake, warehouse_backend
from etl.load.lake_locks import key_locks, report_key
from etl.load.lake_migrate import export_lake, migrate_to_lake
from etl.load.warehouse import connect
from etl.metrics.catalog import load_catalog
from etl.pipeline import RunOptions, RunSummary, discover_files, run_context, run_pipeline
from etl.settings import Settings, get_settings
from tests.conftest import INDICATORS, REAL_TEXT_DUMP, SAMPLES, SQL_DIR, SYNTHETIC, flat, load_report, write_dump
from tests.lake_helpers import differences, mart_answers

pytestmark = pytest.mark.lake


def _settings(warehouse: str, tmp_path: Path, **extra: Any) -> Settings:
    return get_settings(warehouse=warehouse, data_docs_dir=None, report_file=tmp_path / "r.html", **extra)


def _run(files: list[Path], settings: Settings, **options: Any) -> RunSummary:
    return run_pipeline(files, run_context(settings, RunOptions(write_report=False, **options)))


def _init(settings: Settings) -> None:
    prepare_lake(_lake(settings).spec, SQL_DIR, load_catalog(INDICATORS))


def _lake(settings: Settings) -> LakeWarehouse:
    backend = warehouse_backend(settings)
    assert isinstance(backend, LakeWarehouse)
    return backend


def test_the_samples_give_every_mart_the_same_answer_in_a_file_and_in_a_lake(
    lake_env: dict[str, str], tmp_path: Path
) -> None:
    files = discover_files([SAMPLES])
    file_settings = _settings(str(tmp_path / "wh.duckdb"), tmp_path)
    lake_settings = _settings(lake_env["ETL_WAREHOUSE"], tmp_path, lake_data_path=lake_env["ETL_LAKE_DATA_PATH"])
    in_file, in_lake = _run(files, file_settings), _run(files, lake_settings)
    assert [f.outcome for f in in_lake.files] == [f.outcome for f in in_file.files]
    assert in_lake.reports_in_warehouse == in_file.reports_in_warehouse >= 5  # the samples: 5 reports
    assert in_lake.warehouse.startswith("ducklake:postgres:")
    with connect(file_settings.warehouse, read_only=True) as conn:
        expected = mart_answers(conn)
    with _lake(lake_settings).reading() as conn:
        found = mart_answers(conn)
        snapshots = conn.execute("select count(*) from lake.snapshots()").fetchone()
    assert differences(expected, found) == []
    assert sum(len(rows) for rows in found.values()) > 500
    # one snapshot per report loaded (plus the schema, the catalog and the run's records per batch)
    assert snapshots is not None and snapshots[0] >= in_lake.counts()["loaded"]


def test_a_second_run_loads_nothing_and_writes_no_snapshot(lake_env: dict[str, str], tmp_path: Path) -> None:
    settings = _settings(lake_env["ETL_WAREHOUSE"], tmp_path, lake_data_path=lake_env["ETL_LAKE_DATA_PATH"])
    _run([REAL_TEXT_DUMP], settings)
    with _lake(settings).reading() as conn:
        before = lake.current_snapshot(conn).id
    again = _run([REAL_TEXT_DUMP], settings)
    assert [f.outcome for f in again.files] == ["unchanged"] and not again.published
    with _lake(settings).reading() as conn:
        assert lake.current_snapshot(conn).id == before


def test_two_writers_loading_the_same_report_at_once_load_it_once(lake_env: dict[str, str], tmp_path: Path) -> None:
    """Two runs (threads, a connection each) on the same files at once; the issuer-and-year lock lets one load
    each report and the other find it loaded."""
    settings = _settings(lake_env["ETL_WAREHOUSE"], tmp_path, lake_data_path=lake_env["ETL_LAKE_DATA_PATH"])
    _init(settings)  # so that both start on a lake (writers creating one at once: tests/benchmarks)
    files = [REAL_TEXT_DUMP, *SYNTHETIC]
    start = threading.Barrier(2)
    results: list[RunSummary] = []

    def writer() -> None:
        start.wait()
        results.append(_run(files, settings))

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    loaded = [f.file for summary in results for f in summary.files if f.outcome == "loaded"]
    assert sorted(loaded) == sorted(path.name for path in files)  # each file loaded by exactly one writer
    with _lake(settings).reading() as conn:
        rows = conn.execute("select source_sha256, count(*) from raw.source_file group by all").fetchall()
        reports = conn.execute("select count(*), count(distinct report_id) from core.report").fetchone()
    assert len(rows) == len(files) and all(n == 1 for _, n in rows)
    assert reports == (len(files), len(files))


def test_without_the_lock_two_transactions_would_both_insert_one_report(
    lake_env: dict[str, str], tmp_path: Path, real_report: Any
) -> None:
    """Why the lock: DuckLake lets two transactions append to one table at once, so a report both found missing
    is inserted twice. (Shown with two connections, interleaved by hand, without the pipeline.)"""
    settings = _settings(lake_env["ETL_WAREHOUSE"], tmp_path, lake_data_path=lake_env["ETL_LAKE_DATA_PATH"])
    _init(settings)
    spec = _lake(settings).spec
    with lake.connect(spec) as first, lake.connect(spec) as second:
        first.execute("begin transaction")
        assert first.execute("select count(*) from raw.source_file").fetchone() == (0,)
        load_report(second, real_report)  # the other writer commits in between
        first.execute(
            "insert into raw.source_file (source_sha256, file_name, source_format, byte_size, page_count, title, "
            "period_header, ingested_at) values (?, 'x', 'text', 1, 1, 't', '', now())",
            [real_report.raw.source_sha256],
        )
        first.execute("commit")  # no conflict: appends never conflict in DuckLake
        row = first.execute(
            "select count(*) from raw.source_file where source_sha256 = ?", [real_report.raw.source_sha256]
        ).fetchone()
    assert row == (2,)


def test_a_writer_waits_for_the_lock_of_an_issuer_and_year_and_then_finds_the_report(
    lake_env: dict[str, str], tmp_path: Path
) -> None:
    settings = _settings(lake_env["ETL_WAREHOUSE"], tmp_path, lake_data_path=lake_env["ETL_LAKE_DATA_PATH"])
    _run([REAL_TEXT_DUMP], settings)
    other = write_dump(tmp_path, [*REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n"), ""], "copy.txt")
    locks = key_locks(_lake(settings).spec, timeout=30)
    done: list[RunSummary] = []
    try:
        with locks.hold(report_key("市工信局", 2024)):
            thread = threading.Thread(target=lambda: done.append(_run([other], settings)))
            thread.start()
            thread.join(timeout=5)
            assert thread.is_alive() and not done  # waiting for the lock of 市工信局 2024
        thread.join(timeout=120)
    finally:
        locks.close()
    assert [(f.outcome, f.message) for f in done[0].files] == [
        ("unchanged", "same content as 2024Q3_市工信局_政府工作报告任务完成情况.txt")
    ]


def test_etl_sql_reads_a_snapshot_as_of_an_id_or_a_time(lake_env: dict[str, str], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from etl.flows.cli import app

    settings = _settings(lake_env["ETL_WAREHOUSE"], tmp_path, lake_data_path=lake_env["ETL_LAKE_DATA_PATH"])
    _run([REAL_TEXT_DUMP], settings)
    with _lake(settings).reading() as conn:
        first = lake.current_snapshot(conn)
    _run(SYNTHETIC, settings)
    runner = CliRunner()
    count = "select count(*) as reports from core.report"
    now = runner.invoke(app, ["sql", count])
    then = runner.invoke(app, ["sql", count, "--as-of", str(first.id)])
    assert now.exit_code == 0 and then.exit_code == 0, now.output + then.output
    assert f"│ {1 + len(SYNTHETIC)} " in now.output and "│ 1 " in then.output
    assert f"snapshot {first.id} (" in then.output
    assert first.time is not None
    by_time = runner.invoke(app, ["sql", count, "--as-of", first.time.isoformat()])
    assert by_time.exit_code == 0 and "│ 1 " in by_time.output, by_time.output
    wrong = runner.invoke(app, ["sql", count, "--as-of", "last tuesday"])
    assert wrong.exit_code == 2 and "snapshot id" in flat(wrong.output)


def test_etl_sql_on_a_lake_refuses_writes_and_other_files(lake_env: dict[str, str], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from etl.flows.cli import app

    settings = _settings(lake_env["ETL_WAREHOUSE"], tmp_path, lake_data_path=lake_env["ETL_LAKE_DATA_PATH"])
    _run([REAL_TEXT_DUMP], settings)
    runner = CliRunner()
    for statement in ("delete from core.report", f"select * from read_csv('{REAL_TEXT_DUMP}')"):
        refused = runner.invoke(app, ["sql", statement])
        assert refused.exit_code == 1, statement
    with _lake(settings).reading() as conn:
        assert conn.execute("select count(*) from core.report").fetchone() == (1,)


def test_a_file_warehouse_has_no_snapshot_to_travel_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from etl.flows.cli import app

    monkeypatch.setenv("ETL_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    result = CliRunner().invoke(app, ["sql", "select 1", "--as-of", "3"])
    assert result.exit_code == 2 and "no snapshots" in flat(result.output)


def test_a_file_warehouse_copied_into_a_lake_and_back_answers_the_same(
    lake_env: dict[str, str], tmp_path: Path
) -> None:
    files = discover_files([SAMPLES])
    source = _settings(str(tmp_path / "wh.duckdb"), tmp_path)
    _run(files, source)
    catalog = load_catalog(INDICATORS)
    spec = lake.LakeSpec.parse(lake_env["ETL_WAREHOUSE"], lake_env["ETL_LAKE_DATA_PATH"])
    into = migrate_to_lake(source.warehouse, spec, SQL_DIR, catalog)
    assert into.identical, [t for t in into.tables if not t.same] + [m for m in into.marts if not m.same]
    assert {m.view for m in into.marts} >= {"mart.task_progress", "mart.report_versions"}
    assert any(t.table == "core.task_row" and t.source_rows > 100 for t in into.tables)
    back = tmp_path / "back.duckdb"
    out = export_lake(spec, back, SQL_DIR, catalog, storage_version="v1.1.0")
    assert out.identical and back.exists()
    with connect(source.warehouse, read_only=True) as a, connect(back, read_only=True) as b:
        assert differences(mart_answers(a, without=()), mart_answers(b, without=())) == []
    with pytest.raises(Exception, match="holds reports already"):
        migrate_to_lake(source.warehouse, spec, SQL_DIR, catalog)


def test_a_lake_on_sqlite_or_a_duckdb_file_needs_no_server(tmp_path: Path) -> None:
    for kind in ("sqlite", "duckdb"):
        setting = f"ducklake:{kind}:{tmp_path / kind / 'catalog.db'}"
        settings = _settings(setting, tmp_path, lake_data_path=str(tmp_path / kind / "data"))
        summary = _run([REAL_TEXT_DUMP], settings)
        assert [f.outcome for f in summary.files] == ["loaded"], kind
        with _lake(settings).reading() as conn:
            assert conn.execute("select count(*) from mart.task_progress").fetchone() == (34,), kind


def test_a_lake_setting_names_its_catalog_and_hides_a_password() -> None:
    spec = lake.LakeSpec.parse("ducklake:postgres:dbname=etl host=db password=secret", "/srv/lake")
    assert (spec.kind, spec.target) == ("postgres", "dbname=etl host=db password=secret")
    assert "secret" not in spec.describe() and "password=…" in spec.describe()
    assert lake.LakeSpec.parse("ducklake:/srv/c.ducklake").catalog == "duckdb:/srv/c.ducklake"
    assert lake.LakeSpec.parse("ducklake:sqlite:/srv/c.sqlite").kind == "sqlite"
    with pytest.raises(lake.LakeError):
        lake.LakeSpec.parse("ducklake:postgres:")
    settings = get_settings(warehouse="ducklake:postgres:dbname=a host=/tmp//x/")
    assert settings.lake_catalog == "ducklake:postgres:dbname=a host=/tmp//x/"  # as given, not folded as a path
    assert get_settings(warehouse="data/w.duckdb").lake_catalog is None


def test_the_attach_statement_takes_the_snapshot_asked_for() -> None:
    spec = lake.LakeSpec.parse("ducklake:sqlite:/srv/c.sqlite", "/srv/data")
    assert "SNAPSHOT_VERSION 7" in lake.attach_sql(spec, read_only=True, as_of=lake.AsOf.parse("7"))
    assert "SNAPSHOT_TIME '2025-10-01 00:00:00'" in lake.attach_sql(spec, as_of=lake.AsOf.parse("2025-10-01"))
    with pytest.raises(ValueError, match="snapshot id"):
        lake.AsOf.parse("yesterday")
    missing = lake.LakeSpec.parse("ducklake:duckdb:/nonexistent/c.ducklake")
    with duckdb.connect() as conn, pytest.raises(lake.LakeError, match="cannot attach"):
        lake.attach(conn, missing, read_only=True)  # a lake catalog that does not exist cannot be read


def test_a_run_with_several_workers_loads_batches_into_a_lake_at_once(lake_env: dict[str, str], tmp_path: Path) -> None:
    """Parsing and loading in parallel: batches are loaded by two threads, a connection each, at the same time;
    every report once, every mart as a one-writer load of the same files into a warehouse file."""
    from etl.pipeline import Steps

    class Watched(Steps):
        def __init__(self) -> None:
            super().__init__()  # the step hook (Steps.wrap)
            self.active = self.most = 0
            self.connections: set[int] = set()
            self.guard = threading.Lock()

        def load(self, conn: Any, parsed: Any, gate: Any, run_id: str, accept: Any = None, writes: Any = None) -> Any:
            with self.guard:
                self.active += 1
                self.most = max(self.most, self.active)
                self.connections.add(id(conn))
            try:
                return super().load(conn, parsed, gate, run_id, accept, writes)
            finally:
                with self.guard:
                    self.active -= 1

    files = [REAL_TEXT_DUMP, *SYNTHETIC]
    settings = _settings(lake_env["ETL_WAREHOUSE"], tmp_path, lake_data_path=lake_env["ETL_LAKE_DATA_PATH"])
    steps = Watched()
    options = RunOptions(executor="process", workers=2, batch_size=1, write_report=False)
    summary = run_pipeline(files, run_context(settings, options), steps=steps)
    assert sorted(f.outcome for f in summary.files) == ["loaded"] * len(files)
    assert steps.most == 2 and len(steps.connections) == 2
    reference = _settings(str(tmp_path / "wh.duckdb"), tmp_path)
    _run(files, reference)
    with connect(reference.warehouse, read_only=True) as a, _lake(settings).reading() as b:
        assert differences(mart_answers(a), mart_answers(b)) == []


def test_a_lake_that_cannot_be_reached_stops_the_run_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from etl.flows.cli import app

    monkeypatch.setenv("ETL_WAREHOUSE", f"ducklake:postgres:dbname=etl host={tmp_path / 'no-server'} user=etl")
    monkeypatch.setenv("ETL_LAKE_DATA_PATH", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["ingest", str(REAL_TEXT_DUMP), "--no-prefect"])
    assert result.exit_code == 3, result.output
    shown = flat(result.output)
    assert "cannot attach the lake ducklake:postgres:dbname=etl" in shown and "run again" in shown
    assert REAL_TEXT_DUMP.exists() and not (tmp_path / "data").exists()


@pytest.mark.prefect
def test_two_prefect_flow_runs_load_into_one_lake_at_once(
    lake_env: dict[str, str], tmp_path: Path, prefect_api_url: str
) -> None:
    """Two `etl backfill --prefect` processes (flow runs on the session's Prefect server, as two workers of a pool
    would run them) load overlapping files into one lake at the same time: each file once."""
    import os
    import subprocess
    import sys

    files = [REAL_TEXT_DUMP, *SYNTHETIC]
    env = {**os.environ, **lake_env, "PREFECT_API_URL": prefect_api_url, "COLUMNS": "200",
           "ETL_DATA_DOCS_DIR": str(tmp_path / "docs"), "ETL_REPORT_FILE": str(tmp_path / "r.html")}  # fmt: skip
    etl = Path(sys.executable).parent / "etl"
    halves = [files[: len(files) // 2 + 1], files[len(files) // 2 :]]  # one file in both
    runs = [
        subprocess.Popen([str(etl), "backfill", *map(str, half), "--prefect", "--task-runner", "serial"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for half in halves
    ]  # fmt: skip
    outputs = [run.communicate(timeout=900)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    settings = _settings(lake_env["ETL_WAREHOUSE"], tmp_path)
    with _lake(settings).reading() as conn:
        rows = conn.execute("select count(*), count(distinct source_sha256) from raw.source_file").fetchone()
        flow_runs = conn.execute("select count(distinct run_id) from ops.ingest_file").fetchone()
    assert rows == (len(files), len(files))
    assert flow_runs == (2,)
