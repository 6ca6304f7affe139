"""The whole run as library code, without Prefect: outcomes, the warehouse, no-op runs, parallel parsing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl.load.warehouse import connect, fingerprint_path
from etl.pipeline import RunEvent, RunOptions, Steps, discover_files, inbox_poll, run_context, run_pipeline
from etl.pipeline.gate_worker import InProcessGate
from etl.pipeline.results import ParsedFile
from etl.settings import PROJECT_ROOT, Settings
from etl.validate import QualityGate
from tests.conftest import REAL_PDF, REAL_TEXT_DUMP, SAMPLES, SYNTHETIC, build_warehouse, mart_snapshot

_GATE = QualityGate()


class SharedGate(Steps):
    """The library's steps, with one in-process quality gate for the whole test session (GX set up once)."""

    def start_gate(self, settings: Settings, options: RunOptions) -> InProcessGate:
        return InProcessGate(None, gate=_GATE)


def settings_for(tmp_path: Path, **other: object) -> Settings:
    values: dict[str, object] = {
        "warehouse": tmp_path / "w.duckdb",
        "data_docs_dir": None,
        "report_file": tmp_path / "report.html",
        "inbox_dir": tmp_path / "inbox",
        "archive_dir": tmp_path / "archive",
        "quarantine_dir": tmp_path / "quarantine",
    }
    return Settings(**{**values, **other})  # type: ignore[arg-type]


def test_the_samples_load_and_the_marts_equal_a_direct_load(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    files = discover_files([SAMPLES])
    summary = run_pipeline(files, run_context(settings, RunOptions(write_report=False)), steps=SharedGate())
    outcomes = {f.file: (f.outcome, f.message) for f in summary.files}
    # The text dump as delivered is the current 2024 Q3; its re-typeset PDF (data/samples/typeset/) the same content
    # (issue 23: the PDF, found first, was the source and the delivered file "unchanged")
    assert outcomes[REAL_TEXT_DUMP.name] == ("loaded", None)
    assert outcomes[REAL_PDF.name] == ("unchanged", f"same content as {REAL_TEXT_DUMP.name}")
    assert all(outcomes[p.name] == ("loaded", None) for p in SYNTHETIC)
    assert summary.published and summary.reports_in_warehouse == 5 and summary.task_rows_in_warehouse == 136
    assert summary.open_warnings == 1  # the synthetic Q2 changes a task title (a warning, loaded)
    assert fingerprint_path(settings.warehouse).exists()
    direct = build_warehouse(tmp_path / "direct.duckdb", files)
    assert [r.outcome for r in direct] == [f.outcome for f in summary.files]
    assert mart_snapshot(settings.warehouse, without=()) == mart_snapshot(tmp_path / "direct.duckdb", without=())
    with connect(settings.warehouse, read_only=True) as conn:
        ops = conn.execute("select file_name, outcome from ops.ingest_file order by file_name").fetchall()
        validated = conn.execute("select count(*) from ops.validation_run where report_id is not null").fetchone()
        current = conn.execute(
            "select source_file, is_synthetic from mart.report_versions where is_current "
            "order by year, period_end_month"
        ).fetchall()
    assert ops == sorted((f.file, f.outcome) for f in summary.files)
    assert validated == (len(files),)  # every file not loaded before went through the gate, duplicates included
    # the real report is the latest period of the bundled samples, and its source is the delivered text dump
    assert current[-1] == (REAL_TEXT_DUMP.name, False)


def test_bad_files_are_rejected_by_name_and_the_good_ones_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REAL_TEXT_DUMP, folder / "good.txt")
    (folder / "broken.pdf").write_bytes(b"not a pdf")
    lines = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
    cells = lines[6].split("\t")
    cells[8] += "&lt;p&gt;"  # a literal <p> after cleaning: a critical expectation of the gate
    lines[6] = "\t".join(cells)
    (folder / "markup.txt").write_text("\n".join(lines), encoding="utf-8")
    settings = settings_for(tmp_path)
    ctx = run_context(settings, RunOptions(write_report=False))
    summary = run_pipeline(discover_files([folder]), ctx, steps=SharedGate())
    by_file = {f.file: f for f in summary.files}
    assert {name: f.outcome for name, f in by_file.items()} == {
        "broken.pdf": "failed",
        "good.txt": "loaded",
        "markup.txt": "failed",
    }
    assert by_file["broken.pdf"].message == "broken.pdf: named .pdf but is not a PDF (no %PDF header)"
    assert (by_file["markup.txt"].message or "").startswith("markup.txt: quality gate failed\ncritical: ")
    assert summary.failure_message() == "2 of 3 file(s) rejected: broken.pdf, markup.txt"
    with connect(settings.warehouse, read_only=True) as conn:
        assert conn.execute("select source_file from core.report").fetchall() == [("good.txt",)]
        failing = conn.execute(
            "select distinct column_name from ops.validation_result where not success and file_name = 'markup.txt'"
        ).fetchall()
    assert ("progress_text",) in failing


def test_a_second_run_only_hashes_and_writes_nothing(tmp_path: Path) -> None:
    """No GX, no Data Docs, no report rewrite, no publish: checked in a fresh process that imports nothing else."""
    settings = settings_for(tmp_path)
    run_pipeline([REAL_TEXT_DUMP], run_context(settings, RunOptions()), steps=SharedGate())
    before = {p: p.stat().st_mtime_ns for p in (settings.warehouse, settings.report_file)}
    script = (
        "import sys, json; from pathlib import Path\n"
        "from etl.pipeline import run_context, run_pipeline, RunOptions\n"
        "from etl.settings import Settings\n"
        f"s = Settings(warehouse=Path({str(settings.warehouse)!r}), report_file=Path({str(settings.report_file)!r}))\n"
        f"summary = run_pipeline([Path({str(REAL_TEXT_DUMP)!r})], run_context(s, RunOptions()))\n"
        "print(json.dumps({'gx': 'great_expectations' in sys.modules, 'plotly': 'plotly' in sys.modules,\n"
        "  'published': summary.published, 'outcomes': [f.outcome for f in summary.files],\n"
        "  'rows': summary.task_rows_in_warehouse}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen == {"gx": False, "plotly": False, "published": False, "outcomes": ["unchanged"], "rows": 34}
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_parsing_in_a_process_pool_gives_the_same_warehouse(tmp_path: Path) -> None:
    files = [REAL_TEXT_DUMP, *SYNTHETIC]
    serial = settings_for(tmp_path / "serial")
    pooled = settings_for(tmp_path / "pooled")
    run_pipeline(files, run_context(serial, RunOptions(write_report=False)), steps=SharedGate())
    summary = run_pipeline(
        files,
        run_context(pooled, RunOptions(executor="process", workers=2, batch_size=2, write_report=False)),
        steps=SharedGate(),
    )
    assert summary.executor == "process" and [f.outcome for f in summary.files] == ["loaded"] * len(files)
    assert mart_snapshot(pooled.warehouse, without=()) == mart_snapshot(serial.warehouse, without=())


def test_reading_starts_while_the_warehouse_copy_is_prepared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first file is being read before staging and preparing are over (they overlap), not after: the time a
    parse batch starts reading and the time prepare ends (prepare made slow on purpose) are recorded."""
    import etl.pipeline.parallel as parallel_module

    seen: dict[str, float] = {}
    real_read_batch = parallel_module.read_batch

    def read_batch(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.setdefault("reading started", time.monotonic())
        return real_read_batch(*args, **kwargs)

    class SlowPrepare(SharedGate):
        def prepare(self, staging: Path, settings: Settings) -> None:
            super().prepare(staging, settings)
            time.sleep(1.0)
            seen["prepare done"] = time.monotonic()

    monkeypatch.setattr(parallel_module, "read_batch", read_batch)
    summary = run_pipeline(
        [REAL_TEXT_DUMP], run_context(settings_for(tmp_path), RunOptions(write_report=False)), steps=SlowPrepare()
    )
    assert [f.outcome for f in summary.files] == ["loaded"]
    assert seen["reading started"] < seen["prepare done"] - 0.5


def test_a_run_that_fails_while_staging_does_not_wait_for_the_parsing(tmp_path: Path) -> None:
    """An error before loading (here: prepare fails) ends the run at once: the batches not begun are cancelled and
    the running one stops after its current file (review finding: the run waited for every submitted batch)."""
    files = [REAL_TEXT_DUMP, *SYNTHETIC] * 3
    read: list[str] = []

    class Failing(SharedGate):
        def parse(self, batches, options, limits, stack):  # type: ignore[no-untyped-def]
            def slow(paths, limits, pool, stop, declared=None):  # type: ignore[no-untyped-def]
                out = []
                for path in paths:
                    if stop is not None and stop.is_set():
                        break
                    time.sleep(0.5)
                    read.append(path)
                    out.append(ParsedFile(path=path, error="not parsed in this test"))
                return out

            import etl.pipeline.parallel as parallel_module

            real, parallel_module.read_batch = parallel_module.read_batch, slow
            try:
                return super().parse(batches, options, limits, stack)
            finally:
                parallel_module.read_batch = real

        def prepare(self, staging: Path, settings: Settings) -> None:
            raise OSError(28, "No space left on device")

    ctx = run_context(settings_for(tmp_path), RunOptions(batch_size=3, write_report=False))
    started = time.monotonic()
    with pytest.raises(OSError, match="No space left"):
        run_pipeline(files, ctx, steps=Failing())
    assert time.monotonic() - started < 3.0
    assert len(read) <= 2  # at most the file being read when the error came, and not every batch submitted


def test_the_gate_worker_process_validates_like_the_gate_in_this_process(tmp_path: Path) -> None:
    files = [REAL_TEXT_DUMP, *SYNTHETIC]
    settings = settings_for(tmp_path, data_docs_dir=tmp_path / "docs")
    summary = run_pipeline(files, run_context(settings, RunOptions(write_report=False)))
    here = settings_for(tmp_path / "here")
    run_pipeline(files, run_context(here, RunOptions(write_report=False)), steps=SharedGate())
    assert summary.open_warnings == 2 and not summary.failed  # Q1 after Q3, then Q2 after Q1: title changes
    query = (
        "select file_name, suite, expectation, column_name, success, observed_value from ops.validation_result "
        "order by all"
    )
    with connect(settings.warehouse, read_only=True) as a, connect(here.warehouse, read_only=True) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
    assert summary.data_docs == str((tmp_path / "docs" / "index.html").resolve())
    assert Path(summary.data_docs).exists()


def test_a_run_reads_its_context_and_not_the_environment_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The context is made once at the edge; after that the run takes every path, the warehouse and where its
    events go from it: the environment changed after the context was made (every path elsewhere, a SQL folder that
    does not exist) changes nothing, and nothing is written elsewhere."""
    settings = settings_for(tmp_path / "given")
    events: list[RunEvent] = []
    ctx = run_context(settings, RunOptions(), events=events.append)
    elsewhere = tmp_path / "from-the-environment"
    for name, value in {
        "ETL_WAREHOUSE": elsewhere / "w.duckdb",
        "ETL_REPORT_FILE": elsewhere / "report.html",
        "ETL_DATA_DOCS_DIR": elsewhere / "docs",
        "ETL_SQL_DIR": elsewhere / "sql",
        "ETL_INDICATORS_FILE": elsewhere / "indicators.yaml",
    }.items():
        monkeypatch.setenv(name, str(value))
    summary = run_pipeline([REAL_TEXT_DUMP], ctx, steps=SharedGate())
    assert summary.published and [f.outcome for f in summary.files] == ["loaded"]
    assert summary.report == str(settings.report_file.resolve()) and settings.report_file.exists()
    with connect(settings.warehouse, read_only=True) as conn:
        assert conn.execute("select source_file from core.report").fetchall() == [(REAL_TEXT_DUMP.name,)]
    assert not elsewhere.exists()
    assert [(e.kind, e.file) for e in events] == [
        ("start", ""),
        ("parsed", REAL_TEXT_DUMP.name),
        ("loaded", REAL_TEXT_DUMP.name),
    ]


def test_poll_archives_good_files_and_quarantines_bad_ones(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, settle_seconds=5)
    settings.inbox_dir.mkdir()
    old = time.time() - 60
    for name, data in (("q3.txt", REAL_TEXT_DUMP.read_bytes()), ("bad.pdf", b"not a pdf")):
        (settings.inbox_dir / name).write_bytes(data)
        os.utime(settings.inbox_dir / name, (old, old))
    summary, moved = inbox_poll(run_context(settings, RunOptions(write_report=False)), steps=SharedGate())
    assert sorted((f.file, f.outcome) for f in summary.files) == [("bad.pdf", "failed"), ("q3.txt", "loaded")]
    assert list(settings.inbox_dir.iterdir()) == []
    assert {p.parent.name for p in moved if p.name.endswith("bad.pdf")} == {"quarantine"}
    assert "not a PDF" in (settings.quarantine_dir / "bad.pdf.error.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("workers", [1, 3])
def test_options_come_from_arguments_then_settings(workers: int) -> None:
    settings = Settings(backfill_workers=workers)
    options = RunOptions.resolve(settings)
    assert (options.executor, options.workers) == (("serial", 1) if workers == 1 else ("process", 3))
    assert RunOptions.resolve(settings, executor="serial").workers == 1
    assert RunOptions.resolve(Settings(dask_address="tcp://x:8786")).executor == "dask"
