"""The backfill of many PDF reports against parsing them alone, on the same workers; the no-op re-run; memory.

Reports: ``--count`` PDFs derived from the typeset sample PDF (``scripts/make_many_reports.py --format
derived-pdf``: title and quarter headers edited in its content streams, so each file is a distinct report —
issuer × year × quarter — with the sample's 12 pages and 34 rows; SYNTHETIC in its metadata and file name),
generated once into $ETL_BENCH_DIR (default /tmp/etl-bench), never the repository.

Each round, as fresh processes, one after another:

1. parse alone: a driver process reads and parses every file with the pipeline's own parse step
   (``etl.pipeline.Steps().parse``: the same spawn process pool of ``--workers``, the same batches), nothing
   loaded — process start, imports and pool start-up included, as in the backfill;
2. ``etl backfill DIR --workers N -w <new warehouse>`` (no Prefect API configured: the library pipeline
   in-process): hash, parse on the pool, quality gate per batch, load, one publish, Data Docs, HTML report;
   peak memory of its process tree sampled every 0.2 s (summed RSS, the largest process, summed PSS);
3. the no-op re-run: the same command again on the now loaded warehouse;
4. the no-op over one file: ``etl ingest ONE -w <warehouse holding ONE>``;
5. hashing every file (SHA-256) in this process.

Targets (issue 12): backfill ≤ 1.5 × parse alone; peak memory ≤ 600 MB; no-op over all ≤ no-op over one +
2 × hashing them all. Writes benchmarks/results/backfill.md.

    .venv/bin/python benchmarks/backfill.py [--count 1000] [--workers 2] [--runs 3]
    .venv/bin/python benchmarks/backfill.py --quick        # 6 files, one round (CI)
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    BENCH_DIR,
    BIN,
    clean_env,
    command_line,
    header,
    load_average,
    median,
    run,
    run_sampled,
    target_table,
)
from _common import write_result as write
from make_many_reports import derive_pdfs

PARSE_ALONE = """
import sys, time
from contextlib import ExitStack
from pathlib import Path
from etl.extract.guarded import ExtractLimits
from etl.pipeline import RunOptions, Steps, discover_files
from etl.settings import get_settings
if __name__ == "__main__":
    files = discover_files([Path(sys.argv[1])])
    options = RunOptions(executor="process", workers=int(sys.argv[2]))
    size = options.batch_size_for(len(files))
    batches = [files[i : i + size] for i in range(0, len(files), size)]
    limits = ExtractLimits.from_settings(get_settings())
    with ExitStack() as stack:
        parsed = [p for batch in Steps().parse(batches, options, limits, stack) for p in batch]
    assert all(p.report is not None for p in parsed), [p.error for p in parsed if p.error][:3]
    print(len(parsed))
"""


def hash_all(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        hashlib.sha256(path.read_bytes()).hexdigest()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="6 files, one round (CI)")
    args = parser.parse_args(argv)
    if args.quick:
        args.count, args.runs = 6, 1
    load = load_average()
    folder = BENCH_DIR / f"derived-pdf{args.count}"
    made = time.perf_counter()
    files = derive_pdfs(folder, args.count)
    made_seconds = time.perf_counter() - made
    one = files[0]
    tmp = Path(tempfile.mkdtemp(prefix="etl-bench-backfill-"))
    env = clean_env(
        PREFECT_HOME=str(tmp / "prefect-home"),
        ETL_DATA_DOCS_DIR=str(tmp / "docs"),
        ETL_REPORT_FILE=str(tmp / "report.html"),
    )
    etl = str(BIN / "etl")
    rows: dict[str, list[float]] = {}

    def note(key: str, value: float) -> None:
        rows.setdefault(key, []).append(value)

    for i in range(args.runs):
        parse, _ = run([str(BIN / "python"), "-c", PARSE_ALONE, str(folder), str(args.workers)], env=env)
        warehouse = tmp / f"w{i}.duckdb"
        full, out, peak_sum, peak_one, peak_pss = run_sampled(
            [etl, "backfill", str(folder), "--workers", str(args.workers), "-w", str(warehouse)], env=env
        )
        assert f"{args.count} loaded" in out, out[-3000:]
        noop_all, out = run([etl, "backfill", str(folder), "--workers", str(args.workers), "-w", str(warehouse)],
                            env=env)  # fmt: skip
        assert f"{args.count} unchanged" in out, out[-3000:]
        single = tmp / f"one{i}.duckdb"
        run([etl, "ingest", str(one), "-w", str(single)], env=env)
        noop_one, out = run([etl, "ingest", str(one), "-w", str(single)], env=env)
        assert "Nothing new" in out, out[-2000:]
        hashing = hash_all(files)
        for key, value in (
            ("parse alone", parse),
            ("backfill", full),
            ("backfill / parse alone", full / parse),
            ("peak RSS, all processes (MB)", peak_sum),
            ("peak RSS, largest process (MB)", peak_one),
            ("peak PSS, all processes (MB)", peak_pss),
            (f"no-op over {args.count}", noop_all),
            ("no-op over 1", noop_one),
            (f"hashing {args.count}", hashing),
            ("no-op budget: no-op over 1 + 2 × hashing", noop_one + 2 * hashing),
        ):
            note(key, value)
        print(f"round {i + 1}: parse {parse:.1f} s, backfill {full:.1f} s ({full / parse:.2f}x), "
              f"peak {peak_sum:.0f} MB, no-op {noop_all:.2f} s vs {noop_one:.2f} s + 2x{hashing:.3f} s",
              file=sys.stderr)  # fmt: skip
        shutil.rmtree(tmp / "docs", ignore_errors=True)

    ratio = median(rows["backfill / parse alone"])
    noop, budget = median(rows[f"no-op over {args.count}"]), median(rows["no-op budget: no-op over 1 + 2 × hashing"])
    peak = median(rows["peak RSS, all processes (MB)"])
    peak_pss = median(rows["peak PSS, all processes (MB)"])
    lines = header(f"Backfill of {args.count} PDF reports against parsing them alone", [command_line()], load)
    lines += [
        f"{args.count} PDFs derived from the typeset sample (12 pages, 34 rows each; made in {made_seconds:.1f} s "
        f"by scripts/make_many_reports.py --format derived-pdf, or reused), {args.workers} worker processes. "
        f"{args.runs} round(s), commands run one after another as fresh processes; medians of the rounds.",
        "",
        "| measure | median | rounds |",
        "| --- | ---: | --- |",
    ]
    for key, values in rows.items():
        unit = "" if "MB" in key or "/" in key else " s"
        lines.append(f"| {key} | {median(values):.3f}{unit} | {', '.join(f'{v:.3f}' for v in values)} |")
    lines += [
        "",
        f"- **backfill / parse alone = {ratio:.2f}×** (target ≤ 1.5×)",
        f"- **peak memory {peak:.0f} MB** summed RSS of the whole process tree, **{peak_pss:.0f} MB** summed PSS "
        "(shared library pages counted once) (target ≤ 600 MB)",
        f"- **no-op over {args.count} = {noop:.2f} s** against a budget of {budget:.2f} s "
        f"(no-op over 1 + 2 × hashing {args.count}) — {'met' if noop <= budget else 'not met'}",
    ]
    backfill = median(rows["backfill"])
    lines += target_table([
        (f"backfill of {args.count} PDFs ({args.workers} workers) / parsing them alone ≤ 1.5×", f"{ratio:.2f}×",
         ratio <= 1.5),
        (f"backfill of {args.count} PDFs on {args.workers} processes < 3 min", f"{backfill:.1f} s", backfill < 180),
        ("peak memory ≤ 600 MB, summed RSS of the process tree", f"{peak:.0f} MB", peak <= 600),
        ("peak memory ≤ 600 MB, summed PSS of the process tree", f"{peak_pss:.0f} MB", peak_pss <= 600),
        (f"no-op re-run of {args.count} ≤ no-op over 1 + 2 × hashing them", f"{noop:.2f} s (budget {budget:.2f} s)",
         noop <= budget),
        (f"no-op re-run of {args.count} < 10 s", f"{noop:.2f} s", noop < 10),
    ])  # fmt: skip
    write("backfill.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
