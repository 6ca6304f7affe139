"""The backfill without Prefect's per-report tasks: what a restructured flows/backfill.py could reach.

Same work per report as flows.backfill + flows.ingest.validate_and_load — extract, parse, the quality gate
(report suite + warehouse suite), the validation records, the load, the run record — but with the library alone:

- ``--workers 1``: everything in this process, one report after another;
- ``--workers 2``: a spawn ``ProcessPoolExecutor`` of 2 processes extracts, parses *and runs the report's own
  expectations* (``QualityGate.validate_report``: needs no warehouse) in batches of 25; this process does only the
  warehouse-dependent part serially (``validate_warehouse``, ``record_validation``, ``load_report``,
  ``record_outcome``) in file order.

No staging copy / publish and no Data Docs or HTML report (constant per run, measured in single_report.md).
Writes benchmarks/results/backfill_library.md.

    .venv/bin/python benchmarks/backfill_library.py [--sizes 100,1000] [--workers 1,2] [--serial-max 100]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BENCH_DIR, ROOT, command_line, header, load_average, synthetic_files, write_result

_GATE: Any = None


def _gate() -> Any:
    global _GATE
    if _GATE is None:
        from etl.validate.gate import QualityGate

        _GATE = QualityGate()
    return _GATE


def parse_and_check(paths: list[str]) -> list[tuple[Any, Any]]:
    """Extract, parse and run the report suite (warehouse-independent) for a batch of files."""
    import flows  # noqa: F401
    from etl.extract.source import read_source
    from etl.parse.report import parse_report

    out = []
    for p in paths:
        report = parse_report(read_source(Path(p)))
        out.append((report, _gate().validate_report(report)))
    return out


def run(files: list[Path], workers: int, warehouse: Path) -> dict[str, float]:
    import flows  # noqa: F401
    from etl.load.schema import apply_schema
    from etl.load.seeds import seed_indicator_catalog
    from etl.load.validation import record_validation
    from etl.load.warehouse import connect, is_loaded, load_report, record_outcome
    from etl.metrics.catalog import load_catalog

    started = time.perf_counter()
    batches = [[str(p) for p in files[i : i + 25]] for i in range(0, len(files), 25)]
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) if workers > 1 else None
    results = pool.map(parse_and_check, batches) if pool else map(parse_and_check, batches)
    loaded = 0
    with connect(warehouse) as conn:
        apply_schema(conn, ROOT / "sql")
        seed_indicator_catalog(conn, load_catalog(ROOT / "data" / "indicators.yaml"))
        gate = _gate()
        for batch in results:
            for report, outcome in batch:
                if is_loaded(conn, report.raw.source_sha256):
                    continue
                merged = outcome.merge(gate.validate_warehouse(conn, report))
                record_validation(conn, "bench", report, merged)
                if not merged.passed_critical:
                    continue
                result = load_report(conn, report, run_id="bench")
                record_outcome(conn, run_id="bench", file_name=report.raw.source_file, outcome=result.outcome,
                               source_sha256=report.raw.source_sha256, report=report, row_count=result.row_count)
                loaded += 1
        record_validation(conn, "bench", None, gate.validate_published(conn))
        conn.execute("checkpoint")
    if pool:
        pool.shutdown()
    return {"seconds": time.perf_counter() - started, "loaded": loaded}


def peak_mb() -> tuple[float, float]:
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--serial-max", type=int, default=100, help="largest size also run on 1 process")
    args = parser.parse_args(argv)
    load = load_average()
    work = Path(tempfile.mkdtemp(prefix="etl-bench-lib-"))
    lines = header("Backfill with the library, gate split between workers and the loader", [command_line()], load)
    lines += [
        "Synthetic text dumps as in scale.md. Wall clock includes spawning the pool and importing Great "
        "Expectations in each process. Peak RSS: largest process (this one / largest worker).",
        "",
        "| reports | processes | wall | reports/s | loaded | peak RSS, loader | peak RSS, largest worker |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n in [int(x) for x in args.sizes.split(",")]:
        files = synthetic_files(BENCH_DIR / "scale" / f"n{n}", n)
        for workers in [int(x) for x in args.workers.split(",") if int(x) > 1 or n <= args.serial_max]:
            r = run(files, workers, work / f"w{n}_{workers}.duckdb")
            own, children = peak_mb()
            label = "1 (this process)" if workers == 1 else f"{workers} workers + loader"
            lines.append(f"| {n} | {label} | {r['seconds']:.1f} s | {n / r['seconds']:.1f} | {r['loaded']:.0f} | "
                         f"{own:.0f} MB | {children:.0f} MB |")
            print(lines[-1], file=sys.stderr)
            write_result("backfill_library.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
