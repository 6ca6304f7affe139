"""Backfill at scale: 100 and 1,000 synthetic reports, 1 and 2 processes; the no-op re-run; growth with the work.

Reports are synthetic text dumps made from the real one (benchmarks/_common.py: issuers × 10 years × 4 quarters,
file names say ``synthetic``), written to $ETL_BENCH_DIR (default /tmp/etl-bench), never the repository.

Measured, each as wall clock on this machine:

1. hashing only (SHA-256 of every file, what any re-run must at least do);
2. parse only (extract + parse, nothing loaded) with the library: serial in this process, and a spawn
   ``ProcessPoolExecutor`` of 2 processes (batches of 25, each worker hashes and parses);
3. the real backfill: ``etl backfill <folder> -w <new warehouse>`` (flows/backfill.py: parse in parallel, quality
   gate + load serially, publish) — ``--task-runner serial`` (1 process) and ``process --workers 2``; Prefect in
   local mode (temporary server), as a user runs it; peak memory = largest process of the run
   (``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a wrapper process around it);
4. the no-op re-run: the same command again over the same files (all unchanged).

Writes benchmarks/results/scale.md.

    .venv/bin/python benchmarks/scale.py [--sizes 100,1000] [--flow-sizes 100,1000] [--flow-serial-max 100]
                                         [--parse-sizes 100,1000,10000]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BENCH_DIR, BIN, ROOT, Timer, command_line, header, load_average, synthetic_files, write_result

RUSAGE_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(json.dumps({'rc': p.returncode, 'seconds': time.perf_counter() - t, 'out': p.stdout[-4000:],"
    " 'err': p.stderr[-4000:], 'maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n"
)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hash_and_parse(paths: list[str]) -> int:
    import flows  # noqa: F401
    from etl.extract.source import read_source
    from etl.parse.report import parse_report

    rows = 0
    for p in paths:
        sha256_of(Path(p))
        rows += len(parse_report(read_source(Path(p))).rows)
    return rows


def parse_serial(files: list[Path]) -> float:
    with Timer() as t:
        _hash_and_parse([str(p) for p in files])
    return t.seconds


def parse_pool(files: list[Path], workers: int) -> float:
    batches = [[str(p) for p in files[i : i + 25]] for i in range(0, len(files), 25)]
    with Timer() as t, ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_hash_and_parse, batches))
    return t.seconds


def backfill(files_dir: Path, warehouse: Path, runner: str, workers: int, work: Path) -> dict:
    cmd = [str(BIN / "etl"), "backfill", str(files_dir), "-w", str(warehouse), "--task-runner", runner,
           "--workers", str(workers)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"PREFECT_HOME": str(work / "prefect_home"), "ETL_DATA_DOCS_DIR": str(work / "gx_docs"),
                "ETL_REPORT_FILE": str(work / "report.html"), "COLUMNS": "200"})
    proc = subprocess.run([str(BIN / "python"), "-c", RUSAGE_WRAPPER, *cmd], capture_output=True, text=True,
                          env=env, cwd=ROOT, check=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["rc"] != 0:
        raise RuntimeError(f"{cmd} exited {result['rc']}:\n{result['out']}\n{result['err']}")
    text = " ".join(result["out"].split())
    m = re.search(r"in ([\d.]+) s, whole backfill ([\d.]+) s", text)
    result["parse_seconds"], result["flow_seconds"] = (float(m.group(1)), float(m.group(2))) if m else (None, None)
    outcomes = re.search(r"(\d+) file\(s\): ([^;]+);", text)
    result["outcomes"] = outcomes.group(2) if outcomes else "?"
    result["cmd"] = " ".join(cmd).replace(str(ROOT) + "/", "")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--parse-sizes", default="100,1000", help="sizes for hash and parse-only (e.g. +10000)")
    parser.add_argument("--flow-sizes", default="100,1000", help="sizes for the real backfill on 2 processes")
    parser.add_argument("--flow-serial-max", type=int, default=100, help="largest size also run on 1 process")
    args = parser.parse_args(argv)
    load = load_average()
    parse_sizes = [int(x) for x in args.parse_sizes.split(",") if x]
    flow_sizes = [int(x) for x in args.flow_sizes.split(",") if x]
    work = Path(tempfile.mkdtemp(prefix="etl-bench-scale-"))
    folders = {n: BENCH_DIR / "scale" / f"n{n}" for n in {*parse_sizes, *flow_sizes}}
    files = {n: synthetic_files(folder, n) for n, folder in folders.items()}
    size_mb = {n: sum(p.stat().st_size for p in fs) / 1e6 for n, fs in files.items()}
    lines = header("Backfill at scale", [command_line()], load)
    lines += [
        "Files: synthetic text dumps of the real report (34 task rows each; other issuer, year and quarter in the "
        f"title and quarter headers), {', '.join(f'{n}: {size_mb[n]:.0f} MB' for n in sorted(files))}.",
        "",
        "## Hash and parse only (library, nothing loaded)",
        "",
        "| reports | SHA-256 only | hash + parse, 1 process | hash + parse, 2 processes (spawn pool) | "
        "per report, 2 processes |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    hash_seconds: dict[int, float] = {}
    for n in sorted(parse_sizes):
        with Timer() as t:
            for p in files[n]:
                sha256_of(p)
        hash_seconds[n] = t.seconds
        serial = parse_serial(files[n])
        pool = parse_pool(files[n], 2)
        lines.append(f"| {n} | {t.seconds:.2f} s | {serial:.1f} s ({n / serial:.0f}/s) | {pool:.1f} s "
                     f"({n / pool:.0f}/s) | {pool / n * 1000:.1f} ms |")
        print(lines[-1], file=sys.stderr)
        write_result("scale.md", lines)
    lines += [
        "",
        "## The real backfill (`etl backfill`, flows/backfill.py; Prefect local mode), into a new warehouse",
        "",
        "Targets: 1,000 reports in under 3 min on 2 processes; the no-op re-run under 10 s.",
        "",
        "| reports | processes | wall | reports/s | flow's parse phase | outcomes | peak RSS (largest process) |",
        "| ---: | --- | ---: | ---: | ---: | --- | ---: |",
    ]
    runs: dict[tuple[int, str], dict] = {}
    commands: list[str] = []
    for n in sorted(flow_sizes):
        plans = [("serial", 1), ("process", 2)] if n <= args.flow_serial_max else [("process", 2)]
        for runner, workers in plans:
            warehouse = work / f"w{n}_{runner}.duckdb"
            r = backfill(folders[n], warehouse, runner, workers, work)
            runs[(n, runner)] = r
            commands.append(r["cmd"])
            label = "1 (serial)" if runner == "serial" else "2 (process pool)"
            lines.append(f"| {n} | {label} | {r['seconds']:.1f} s | {n / r['seconds']:.1f} | "
                         f"{r['parse_seconds']} s | {r['outcomes']} | {r['maxrss_kb'] / 1024:.0f} MB |")
            print(lines[-1], file=sys.stderr)
            write_result("scale.md", lines)
    lines += ["", "## No-op re-run (same files, all unchanged) against hashing them", "",
              "| reports | re-run wall | outcomes | SHA-256 of the files alone |", "| ---: | ---: | --- | ---: |"]
    for n in sorted(flow_sizes):
        if (n, "process") not in runs:
            continue
        r = backfill(folders[n], work / f"w{n}_process.duckdb", "process", 2, work)
        commands.append(r["cmd"] + "   # again")
        hashed = hash_seconds.get(n)
        lines.append(f"| {n} | {r['seconds']:.1f} s | {r['outcomes']} | "
                     f"{f'{hashed:.2f} s' if hashed is not None else '–'} |")
        print(lines[-1], file=sys.stderr)
        write_result("scale.md", lines)
    lines += ["", "Backfill commands (each in a fresh process; PREFECT_HOME, Data Docs and HTML report in a temporary "
              "folder):", "", *[f"      {c}" for c in commands]]
    growth = []
    for runner in ("process", "serial"):
        sizes = sorted(n for (n, r) in runs if r == runner)
        for a, b in itertools.pairwise(sizes):
            ta, tb = runs[(a, runner)]["seconds"], runs[(b, runner)]["seconds"]
            growth.append(f"- backfill, {runner}: {a} → {b} reports (×{b / a:.0f}): wall ×{tb / ta:.1f}; per report "
                          f"{ta / a * 1000:.0f} ms → {tb / b * 1000:.0f} ms")
    if growth:
        lines += ["", "## Growth", "", *growth]
    write_result("scale.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
