"""The parallel backfill: parse in processes (Prefect's process pool, or a Dask cluster), load serially."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl.flows.backfill import backfill
from etl.flows.ingest import RejectedFiles, summary_of
from etl.load.warehouse import connect
from etl.pipeline import RunEvent, listening
from tests.conftest import REAL_TEXT_DUMP, flat, make_many_reports_module, run_etl

make_many_reports = make_many_reports_module()


@pytest.fixture(scope="module")
def ten_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten synthetic reports (issuer × year × quarter) and one bad file, in a sub-folder to test recursion."""
    folder = tmp_path_factory.mktemp("reports")
    make_many_reports.make_reports(folder / "2019-2021", 10)
    (folder / "broken.txt").write_text("not a report", encoding="utf-8")
    return folder


def test_the_generator_makes_distinct_reports_from_the_real_one(tmp_path: Path) -> None:
    from etl.extract.source import read_source
    from etl.parse.report import parse_report

    files = make_many_reports.make_reports(tmp_path, 30)
    assert len(files) == 30 and all("synthetic" in f.name for f in files)
    metas = {(r.meta.issuer, r.meta.year, r.meta.quarter) for r in (parse_report(read_source(f)) for f in files)}
    assert len(metas) == 30
    assert ("市发改委", 2019, 1) in metas  # issuers vary after 7 years × 4 quarters of the first one
    real_rows = parse_report(read_source(REAL_TEXT_DUMP)).rows
    assert parse_report(read_source(files[5])).rows == real_rows  # only the title and quarter headers change


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_harness")
def test_process_pool_backfill_loads_every_report_and_a_rerun_parses_nothing(ten_reports: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    events: list[RunEvent] = []
    with listening(events.append):
        state = backfill([str(ten_reports)], str(warehouse), executor="process", workers=2, return_state=True)
    assert state.is_failed() and state.message == "1 of 11 file(s) rejected: broken.txt"
    summary = summary_of(state)
    assert summary.executor == "process" and summary.workers == 2
    outcomes = {f.file: f.outcome for f in summary.files}
    assert outcomes.pop("broken.txt") == "failed"
    assert set(outcomes.values()) == {"loaded"} and len(outcomes) == 10
    assert summary.reports_in_warehouse == 10 and summary.task_rows_in_warehouse == 340
    assert [e.kind for e in events].count("parsed") == 11
    assert events[0] == RunEvent("start", total=11, detail="process x2")
    with connect(warehouse, read_only=True) as conn:
        assert conn.execute("select count(*) from mart.task_progress").fetchone() == (340,)
        recorded = dict(conn.execute("select outcome, count(*) from ops.ingest_file group by outcome").fetchall())
        assert recorded == {"loaded": 10, "failed": 1}

    with pytest.raises(RejectedFiles) as rejected:  # called as a plain function, a Failed run raises
        backfill([str(ten_reports)], str(warehouse), executor="process", workers=2)
    again = rejected.value.summary
    assert again.skipped == 10  # same bytes as loaded: not parsed again
    assert sorted(f.outcome for f in again.files) == ["failed"] + ["unchanged"] * 10


@pytest.fixture
def dask_cluster() -> Iterator[str]:
    """A local `distributed` cluster: 2 worker processes, one thread each, on loopback, no dashboard."""
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close()


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_harness")
def test_dask_backfill_parses_on_the_cluster_and_loads_here(
    ten_reports: Path, tmp_path: Path, dask_cluster: str
) -> None:
    from distributed import Client

    warehouse = tmp_path / "w.duckdb"
    summary = summary_of(backfill([str(ten_reports)], str(warehouse), dask_address=dask_cluster, return_state=True))
    assert summary.executor == "dask"
    assert sorted(f.outcome for f in summary.files) == ["failed"] + ["loaded"] * 10
    with connect(warehouse, read_only=True) as conn:
        rows = conn.execute("select issuer, year, quarter, count(*) from mart.task_progress group by all").fetchall()
    assert len(rows) == 10 and {count for *_, count in rows} == {34}
    with Client(dask_cluster) as client:  # the parse tasks ran on the cluster's workers
        assert len(client.scheduler_info()["workers"]) == 2
        prefixes = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
    assert any("parse" in prefix for prefix in prefixes), prefixes


@pytest.mark.prefect
def test_etl_backfill_shows_each_file_and_exits_1_on_a_failure(
    ten_reports: Path, tmp_path: Path, prefect_api_url: str
) -> None:
    folder = tmp_path / "in"
    shutil.copytree(ten_reports / "2019-2021", folder)
    warehouse = tmp_path / "w.duckdb"
    ok = run_etl(["backfill", str(folder), "--workers", "2", "--warehouse", str(warehouse)], prefect_api_url)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    out = flat(ok.stdout)
    assert "loaded 2019Q1_市工信局_synthetic_0000.txt 34 rows" in out
    assert "10 file(s): 10 loaded; parsed with process (2 worker(s))" in out
    assert "10 report file(s) (10 current), 340 task rows" in out

    shutil.copy(ten_reports / "broken.txt", folder)
    serial = ["--task-runner", "serial"]  # the exit code does not depend on the runner; this saves the pool start
    failed = run_etl(["backfill", str(folder), *serial, "--warehouse", str(warehouse)], prefect_api_url)
    assert failed.returncode == 1
    assert "broken.txt: no table header" in flat(failed.stderr)
    assert "10 unchanged" in flat(failed.stdout)
    # A re-run lists what changed, not every file loaded already (1,000 such lines made a no-op slow): one count.
    assert "10 file(s) already loaded (the same bytes): not read again" in flat(failed.stdout)
    assert "unchanged 2019Q1_市工信局_synthetic_0000.txt" not in flat(failed.stdout)


def test_derived_pdfs_are_valid_distinct_reports_labelled_synthetic(tmp_path: Path) -> None:
    import pikepdf

    from etl.extract.source import read_source
    from etl.parse.report import parse_report
    from tests.conftest import REAL_PDF

    files = make_many_reports.derive_pdfs(tmp_path, 6)
    real = parse_report(read_source(REAL_PDF))
    reports = [parse_report(read_source(f)) for f in files]
    assert [(r.meta.issuer, r.meta.year, r.meta.quarter) for r in reports] == [
        ("市工信局", 2000, 1), ("市工信局", 2000, 2), ("市工信局", 2000, 3), ("市工信局", 2000, 4),
        ("市工信局", 2001, 1), ("市工信局", 2001, 2),
    ]  # fmt: skip
    assert all(r.rows == real.rows for r in reports)  # only the title and the quarter headers differ
    assert all(r.raw.period_header == f"第{'一二三四'[(r.meta.quarter or 0) - 1]}季度" for r in reports)
    assert len({r.raw.source_sha256 for r in reports}) == 6 and all("synthetic" in f.name for f in files)
    with pikepdf.open(files[0]) as pdf:
        assert "SYNTHETIC" in str(pdf.docinfo["/Title"])
