"""The lake backend (DuckLake on PostgreSQL) against the file warehouse: same answers, several writers, speed.

A throw-away PostgreSQL cluster is started for the run (tests/postgres.py: initdb in a temporary folder, a Unix
socket only); every lake is a new database on it with its Parquet files in a temporary folder. Writers are real
`etl backfill` processes (serial parsing, no Prefect server) started at once.

1. equality: the samples plus ``--generated`` synthetic reports (scripts/make_many_reports.py's dumps) loaded
   by one writer into a file and into a lake: every mart view (and core.task_version) compared row for row.
2. concurrency: ``--writers`` writers with ``--per-writer`` files each, interleaved (every writer has every
   issuer and year: their locks are contended) plus a tenth taken from the next writer's files (duplicates
   between writers): nothing lost (every distinct file once in raw.source_file), nothing twice, marts equal to a
   serial load of the distinct files into a warehouse file. Then again on a new lake with one writer killed
   (SIGKILL) once it has loaded some reports: the lake is consistent (no file twice, every report's rows whole),
   the killed writer's rerun completes, and the marts are the serial ones.
3. throughput: ``--total`` distinct reports loaded by 1, 2 and 4 writers (``--quick``: 1 and 2; each a new lake;
   each writer a contiguous share, so mostly its own issuers), wall clock from the start of the processes to the
   end of the last; reports per second as ratios against 1 writer (median of ``--runs``).
4. query at scale: a warehouse file of ``--scale`` reports (the real one replicated inside DuckDB as distinct
   synthetic reports, benchmarks/sql/replicate_report.sql), copied into a lake with `etl migrate-to-lake`'s
   function; a mart query timed on each (median of ``--query-runs``, after one warm-up).

    .venv/bin/python benchmarks/lake.py                   # 200 generated, 4 × 100, 96 reports, 10,000 (minutes)
    .venv/bin/python benchmarks/lake.py --quick           # tiny sizes (CI, via tests/benchmarks)
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import (
    BENCH_DIR,
    BIN,
    ROOT,
    clean_env,
    command_line,
    header,
    load_average,
    median,
    synthetic_files,
    target_table,
)
from _common import write_result as write_result_file

from tests.lake_helpers import differences, mart_answers
from tests.postgres import PostgresCluster

SAMPLES = ROOT / "data" / "samples"
QUERY = (
    "select issuer, year, count(*) as periods, avg(completion_rate) as rate from mart.quarterly_completion "
    "group by all order by all"
)


class Lakes:
    """New lakes on one cluster: a database and a data folder each."""

    def __init__(self, cluster: PostgresCluster, folder: Path) -> None:
        self.cluster, self.folder, self.numbers = cluster, folder, itertools.count()

    def new(self) -> dict[str, str]:
        number = next(self.numbers)
        database = self.cluster.create_database("bench")
        return {
            "ETL_WAREHOUSE": f"ducklake:postgres:{self.cluster.dsn(database)}",
            "ETL_LAKE_DATA_PATH": str(self.folder / f"data{number}"),
        }


def writer(files: list[Path], warehouse: dict[str, str], work: Path) -> subprocess.Popen[str]:
    """An `etl backfill` process loading ``files`` (serial parsing, no Prefect)."""
    work.mkdir(parents=True, exist_ok=True)
    env = clean_env(
        **warehouse, ETL_DATA_DOCS_DIR=str(work / "docs"), ETL_REPORT_FILE=str(work / "report.html"),
        PREFECT_HOME=str(work / "prefect"),
    )  # fmt: skip
    command = [str(BIN / "etl"), "backfill", *map(str, files), "--no-prefect", "--task-runner", "serial"]
    log = (work / "writer.log").open("w")
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)


def run_writers(
    groups: list[list[Path]], warehouse: dict[str, str], work: Path, *, refusals: bool = False
) -> float:
    """The groups loaded by one writer each, all at once; wall seconds until the last ends (each must succeed;
    with ``refusals``, exit 1 too: some files refused, counted by the caller)."""
    started = time.perf_counter()
    processes = [writer(files, warehouse, work / f"w{k}") for k, files in enumerate(groups)]
    for k, process in enumerate(processes):
        if process.wait(timeout=7200) not in ((0, 1) if refusals else (0,)):
            log = (work / f"w{k}" / "writer.log").read_text()[-3000:]
            raise RuntimeError(f"writer {k} exited {process.returncode}: {log}")
    return time.perf_counter() - started


def lake_answers(warehouse: dict[str, str]) -> dict[str, list[tuple[object, ...]]]:
    from etl.load import lake

    with lake.connect(lake.LakeSpec.parse(warehouse["ETL_WAREHOUSE"]), read_only=True) as conn:
        return mart_answers(conn)


def file_answers(path: Path) -> dict[str, list[tuple[object, ...]]]:
    from etl.load.warehouse import connect

    with connect(path, read_only=True) as conn:
        return mart_answers(conn)


def consistency(warehouse: dict[str, str]) -> dict[str, int]:
    """Files held twice, reports whose rows are not whole, and the counts."""
    from etl.load import lake

    with lake.connect(lake.LakeSpec.parse(warehouse["ETL_WAREHOUSE"]), read_only=True) as conn:
        row = conn.execute(
            "select (select count(*) from raw.source_file), "
            "(select count(*) from (select source_sha256 from raw.source_file group by 1 having count(*) > 1)), "
            "(select count(*) from core.report r where row_count <> (select count(*) from core.task_row t "
            " where t.report_id = r.report_id)), "
            "(select count(*) from core.report r where not exists (select 1 from raw.source_file f "
            " where f.source_sha256 = r.report_id))"
        ).fetchone()
    assert row is not None
    return dict(zip(("files", "files twice", "reports not whole", "reports without file"), map(int, row), strict=True))


def file_warehouse(files: list[Path], work: Path) -> Path:
    """The serial reference: ``files`` by one writer into a warehouse file."""
    path = work / "serial.duckdb"
    run_writers([files], {"ETL_WAREHOUSE": str(path)}, work / "serial")
    return path


REFUSED = "select file_name from ops.ingest_file where outcome = 'failed' order by 1"


# The targets each part measured, met or not: the result file's target table (benchmarks/_summary.py).
TARGETS: list[tuple[str, str, bool | None]] = []


def equality(lakes: Lakes, work: Path, generated: int) -> list[str]:
    """The samples and generated reports by one writer into a file and into a lake. Generated reports share
    issuers and periods with the samples, and a version dropping tasks of the current one is refused (issue 22):
    such refusals must be the same files on both sides, and are counted."""
    from etl.load import lake
    from etl.load.warehouse import connect

    files = [*sorted(SAMPLES.glob("*.txt")), *synthetic_files(BENCH_DIR / "lake" / "txt", generated)]
    reference = work / "eq" / "serial.duckdb"
    run_writers([files], {"ETL_WAREHOUSE": str(reference)}, work / "eq" / "serial", refusals=True)
    target = lakes.new()
    run_writers([files], target, work / "eq-lake", refusals=True)
    diff = differences(file_answers(reference), lake_answers(target))
    with connect(reference, read_only=True) as conn:
        refused_file = conn.execute(REFUSED).fetchall()
    with lake.connect(lake.LakeSpec.parse(target["ETL_WAREHOUSE"]), read_only=True) as conn:
        refused_lake = conn.execute(REFUSED).fetchall()
    views = file_answers(reference)
    rows = sum(len(v) for v in views.values())
    same = not diff and refused_file == refused_lake
    verdict = "identical" if same else f"DIFFERENT: {diff}; refused {refused_file} vs {refused_lake}"
    verdict += f" (refused on each side, the same files: {len(refused_file)}, a version dropping tasks)"
    TARGETS.append((f"samples + {generated} generated reports, one writer: lake marts identical to the file's",
                    f"{'identical' if same else 'different'} ({len(views)} views, {rows} rows)", same))  # fmt: skip
    return [f"- samples ({len(sorted(SAMPLES.glob('*.txt')))} text files) + {generated} generated reports, one "
            f"writer each: {len(views)} views, {rows} rows: **{verdict}**"]  # fmt: skip


def writer_groups(pool: list[Path], writers: int, per_writer: int) -> list[list[Path]]:
    """Interleaved slices of the pool, each topped up with files of the next writer's slice (duplicates)."""
    own = per_writer - per_writer // 10
    slices = [pool[k::writers][:own] for k in range(writers)]
    return [slices[k] + slices[(k + 1) % writers][: per_writer - own] for k in range(writers)]


def concurrency(lakes: Lakes, work: Path, writers: int, per_writer: int) -> list[str]:
    own = per_writer - per_writer // 10
    pool = synthetic_files(BENCH_DIR / "lake" / "txt", writers * own)
    groups = writer_groups(pool, writers, per_writer)
    distinct = sorted({p for g in groups for p in g})
    reference = file_answers(file_warehouse(distinct, work / "conc"))
    target = lakes.new()
    seconds = run_writers(groups, target, work / "conc-lake")
    state = consistency(target)
    diff = differences(reference, lake_answers(target))
    whole = state["files"] == len(distinct) and not state["files twice"] and not state["reports not whole"]
    TARGETS.append((
        f"{writers} writers × {per_writer} files at once: nothing lost or twice, marts identical to a serial load",
        f"{state['files']} of {len(distinct)} files, {state['files twice']} twice, {state['reports not whole']} not "
        f"whole; marts {'different' if diff else 'identical'}",
        whole and not diff,
    ))
    lines = [
        f"- {writers} writers × {per_writer} files ({sum(map(len, groups))} in all, {len(distinct)} distinct, "
        f"{sum(map(len, groups)) - len(distinct)} duplicates between writers) at once: {seconds:.1f} s; "
        f"{state['files']} files in the lake, {state['files twice']} twice, {state['reports not whole']} "
        f"reports not whole; marts vs the serial load: **{diff if diff else 'identical'}**"
    ]
    return lines + kill_and_rerun(lakes, work, groups, reference)


Answers = dict[str, list[tuple[object, ...]]]


def kill_and_rerun(lakes: Lakes, work: Path, groups: list[list[Path]], reference: Answers) -> list[str]:
    target = lakes.new()
    processes = [writer(files, target, work / "kill" / f"w{k}") for k, files in enumerate(groups)]
    deadline = time.monotonic() + 1800
    loaded = 0
    while loaded < max(3, len(groups[0]) // 4) and time.monotonic() < deadline and processes[0].poll() is None:
        time.sleep(1)
        try:
            loaded = consistency(target)["files"]
        except Exception:  # the lake is not created yet
            loaded = 0
    os.kill(processes[0].pid, signal.SIGKILL)
    processes[0].wait()
    for process in processes[1:]:
        process.wait(timeout=7200)
    after_kill = consistency(target)
    run_writers([groups[0]], target, work / "kill" / "rerun")
    final = consistency(target)
    diff = differences(reference, lake_answers(target))
    others = [p.returncode for p in processes[1:]]
    TARGETS.append((
        "`kill -9` of one writer: the others finish, its rerun completes, marts identical to a serial load",
        f"others exited {others}; after the rerun {final['files']} files, {final['files twice']} twice; marts "
        f"{'different' if diff else 'identical'}",
        not any(others) and not final["files twice"] and not diff,
    ))
    return [
        f"- `kill -9` of writer 0 once the lake held {loaded} files: the other writers exited "
        f"{[p.returncode for p in processes[1:]]}; then {after_kill['files']} files, {after_kill['files twice']} "
        f"twice, {after_kill['reports not whole']} reports not whole, {after_kill['reports without file']} reports "
        f"without their file; writer 0 rerun: completed, {final['files']} files, {final['files twice']} twice; "
        f"marts vs the serial load: **{diff if diff else 'identical'}**"
    ]


def throughput(lakes: Lakes, work: Path, total: int, runs: int, counts: tuple[int, ...]) -> list[str]:
    pool = synthetic_files(BENCH_DIR / "lake" / "tp", total)
    rates: dict[int, list[float]] = {count: [] for count in counts}
    for run_no in range(runs):
        for count in rates:
            share = -(-total // count)  # contiguous shares: different issuers, as separate sources would be
            groups = [pool[k * share : (k + 1) * share] for k in range(count)]
            seconds = run_writers(groups, lakes.new(), work / f"tp{run_no}-{count}")
            rates[count].append(total / seconds)
    base = median(rates[1])
    lines = ["", "| writers | reports/s (median) | ratio to 1 writer | runs (reports/s) |", "| --- | --- | --- | --- |"]
    for count, values in rates.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        lines.append(f"| {count} | {median(values):.2f} | {median(values) / base:.2f} | {shown} |")
    return lines


def query_at_scale(work: Path, size: int, runs: int) -> list[str]:
    from scale import build

    from etl.load import lake
    from etl.load.lake_migrate import migrate_to_lake
    from etl.load.warehouse import connect
    from etl.metrics.catalog import load_catalog
    from etl.settings import get_settings

    settings = get_settings()
    path = work / "scale.duckdb"
    build(path, size)
    spec = lake.LakeSpec.parse(LAKES.new()["ETL_WAREHOUSE"], str(work / "scale-data"))
    copied = migrate_to_lake(path, spec, settings.sql_dir, load_catalog(settings.indicators_file))
    timings: dict[str, list[float]] = {"file": [], "lake": []}
    for _ in range(runs + 1):
        for name in timings:
            started = time.perf_counter()
            with connect(path, read_only=True) if name == "file" else lake.connect(spec, read_only=True) as conn:
                conn.execute(QUERY).fetchall()
            timings[name].append(time.perf_counter() - started)
    file_s, lake_s = median(timings["file"][1:]), median(timings["lake"][1:])
    return [
        f"- {size} reports (copied into the lake: {'identical' if copied.identical else 'DIFFERENT'}); "
        f"`{QUERY}`: file {file_s * 1000:.0f} ms, lake {lake_s * 1000:.0f} ms (median of {runs}, after a warm-up; "
        f"a new connection each, attach included for the lake): lake / file = {lake_s / file_s:.2f}"
    ]


LAKES: Lakes
SECTIONS = ("equality", "concurrency", "throughput", "scale")


def main(argv: list[str] | None = None) -> int:
    global LAKES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--generated", type=int, default=200)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--per-writer", type=int, default=100)
    parser.add_argument("--total", type=int, default=96, help="reports loaded in the throughput rounds")
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="throughput rounds (each 1, 2 and 4 writers)")
    parser.add_argument("--query-runs", type=int, default=5, help="timed queries on each warehouse")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (CI)")
    parser.add_argument(
        "--sections", default=",".join(SECTIONS), help=f"which parts, in this order (default: {','.join(SECTIONS)})"
    )
    args = parser.parse_args(argv)
    counts: tuple[int, ...] = (1, 2, 4)  # writers in the throughput rounds
    if args.quick:
        args.generated, args.writers, args.per_writer, args.total, args.scale = 4, 2, 5, 2, 20
        args.runs = args.query_runs = 1
        # 1 and 2 writers (of 2 reports) run the same code as 4 with 4 fewer processes to start (seconds each on a
        # busy machine; this quick run was the suite's slowest test, issue 24)
        counts = (1, 2)
    started_load = load_average()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: the cluster is stopped and removed too
    with tempfile.TemporaryDirectory(prefix="etl-lake-bench-") as folder:
        work = Path(folder)
        cluster = PostgresCluster(work / "pg").start()
        title = "Lake backend (DuckLake on PostgreSQL) against the file warehouse"
        lines: list[str] = []
        try:
            LAKES = Lakes(cluster, work / "lakes")
            parts = {
                "equality": lambda: ["", "## Same answers", "", *equality(LAKES, work, args.generated)],
                "concurrency": lambda: [
                    "", "## Several writers", "", *concurrency(LAKES, work, args.writers, args.per_writer)
                ],
                "throughput": lambda: [
                    "", f"## Load throughput ({args.total} reports)",
                    *throughput(LAKES, work, args.total, args.runs, counts),
                ],
                "scale": lambda: [
                    "", "## A mart query at scale", "", *query_at_scale(work, args.scale, args.query_runs)
                ],
            }  # fmt: skip
            for name in args.sections.split(","):
                started = time.perf_counter()
                lines += [*parts[name](), "", f"({name}: {time.perf_counter() - started:.0f} s wall clock)"]
                # written after each part: a long run stopped later keeps what it measured
                path = write_result_file(
                    "lake.md", [*header(title, [command_line()], started_load), *lines, *target_table(TARGETS)]
                )
        finally:
            cluster.stop()
    print(path.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
