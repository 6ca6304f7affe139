"""Per-report load cost and start-up as the warehouse grows (100 → 10,000 reports).

For each size N: a warehouse holding N reports is built quickly — the real report loaded once by the library,
then copied N-1 times inside DuckDB as distinct synthetic reports (issuer 合成<k>局 "synthetic bureau k", year,
quarter: benchmarks/sql/replicate_report.sql) — and its fingerprint recorded as a publish does. Then, each round:

1. start-up: a fresh process times ``etl.pipeline.run.check`` (the integrity check and reading the loaded
   hashes: what every run does before anything else), imports excluded; also the full check (no fingerprint:
   every row of the main tables read), for comparison;
2. load: a copy of the warehouse gets ``--new`` new synthetic text reports through ``run_pipeline`` in this
   process (serial, the quality gate in this process and warmed up before, so GX's import is not counted);
   per report = the run's 'gate + load' step / ``--new``; the run's constant part (staging copy, publish) apart.

Targets (issue 12): per-report load at 10,000 ≤ 1.2 × at 100; start-up ≤ 1 s at 10,000. Writes
benchmarks/results/scale.md.

    .venv/bin/python benchmarks/scale.py [--sizes 100,1000,10000] [--new 20] [--runs 3]
    .venv/bin/python benchmarks/scale.py --quick       # sizes 10,20, 2 new reports, one round (CI)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    BENCH_DIR,
    BIN,
    ROOT,
    clean_env,
    command_line,
    header,
    load_average,
    median,
    run,
    synthetic_files,
    target_table,
    write_result,
)

REAL = ROOT / "data" / "samples" / "2024Q3_市工信局_政府工作报告任务完成情况.txt"
REPLICATE = Path(__file__).resolve().parent / "sql" / "replicate_report.sql"
STARTUP = """
import json, sys, time
from pathlib import Path
from etl.pipeline.run import check
from etl.load.backend import FileWarehouse
import etl.load.warehouse as warehouse
if __name__ == "__main__":
    path = Path(sys.argv[1])
    started = time.perf_counter()
    hashes = check(FileWarehouse(path, "v1.1.0", 600.0))
    quick = time.perf_counter() - started
    warehouse.fingerprint_path(path).rename(path.with_name("moved-aside.json"))
    started = time.perf_counter()
    warehouse.check_warehouse(path)
    full = time.perf_counter() - started
    path.with_name("moved-aside.json").rename(warehouse.fingerprint_path(path))
    print(json.dumps({"startup": quick, "full check": full, "hashes": len(hashes)}))
"""


def build(path: Path, size: int) -> None:
    from etl.extract.source import read_source
    from etl.load.schema import apply_schema
    from etl.load.seeds import seed_indicator_catalog
    from etl.load.warehouse import connect, load_reports, record_fingerprint
    from etl.metrics.catalog import load_catalog
    from etl.parse.report import parse_report
    from etl.settings import get_settings

    settings = get_settings()
    report = parse_report(read_source(REAL))
    with connect(path) as conn:
        apply_schema(conn, settings.sql_dir)
        seed_indicator_catalog(conn, load_catalog(settings.indicators_file))
        load_reports(conn, [report], run_id="bench")
        params = {"n": size, "base": report.raw.source_sha256}
        for text in REPLICATE.read_text(encoding="utf-8").split(";\n"):
            statement = "\n".join(line for line in text.splitlines() if not line.startswith("--")).strip()
            if statement:
                conn.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})
        count = conn.execute("select count(*) from staging.current_report").fetchone()
        assert count == (size,), count
        conn.execute("checkpoint")
    record_fingerprint(path)


def load_new(path: Path, new: list[Path], steps: object) -> dict[str, float]:
    from etl.pipeline import RunOptions, run_context, run_pipeline
    from etl.settings import get_settings

    settings = get_settings(warehouse=path, data_docs_dir=None, report_file=path.with_suffix(".html"))
    summary = run_pipeline(new, run_context(settings, RunOptions(write_report=False)), steps=steps)  # type: ignore[arg-type]
    assert [f.outcome for f in summary.files] == ["loaded"] * len(new), summary.files
    return summary.steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--new", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="sizes 10,20, 2 new reports, one round (CI)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.new, args.runs = "10,20", 2, 1
    from etl.pipeline import RunOptions, Steps
    from etl.pipeline.gate_worker import InProcessGate
    from etl.settings import Settings
    from etl.validate import QualityGate

    gate = QualityGate()
    gate.warm_up()

    class WarmGate(Steps):
        def start_gate(self, settings: Settings, options: RunOptions) -> InProcessGate:
            return InProcessGate(None, gate=gate)

    load = load_average()
    sizes = [int(x) for x in args.sizes.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="etl-bench-scale-"))
    new = synthetic_files(BENCH_DIR / "scale-new" / f"n{args.new}", args.new)
    results: dict[int, dict[str, list[float]]] = {}
    for size in sizes:
        base = tmp / f"base{size}.duckdb"
        build(base, size)
        mb = base.stat().st_size / 1e6
        rows: dict[str, list[float]] = {"file MB": [mb]}
        for i in range(args.runs):
            _, out = run([str(BIN / "python"), "-c", STARTUP, str(base)], env=clean_env())
            startup = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
            target = tmp / f"run{size}_{i}.duckdb"
            shutil.copyfile(base, target)
            steps = load_new(target, new, WarmGate())
            for key, value in (
                ("start-up (check + loaded hashes)", startup["startup"]),
                ("full integrity check (no fingerprint)", startup["full check"]),
                ("gate + load per report", steps["gate + load"] / args.new),
                ("staging copy + schema, per run", steps["stage"] + steps["prepare"]),
                ("publish, per run", steps["publish"]),
            ):
                rows.setdefault(key, []).append(value)
            target.unlink()
        results[size] = rows
        print(f"{size}: " + ", ".join(f"{k} {median(v):.3f}" for k, v in rows.items()), file=sys.stderr)

    first, last = sizes[0], sizes[-1]
    per_report = {n: median(results[n]["gate + load per report"]) for n in sizes}
    ratio = per_report[last] / per_report[first]
    startup_last = median(results[last]["start-up (check + loaded hashes)"])
    lines = header("Load cost and start-up as the warehouse grows", [command_line()], load)
    lines += [
        f"Warehouses of {', '.join(map(str, sizes))} reports (the real one + synthetic copies made in DuckDB); "
        f"{args.new} new synthetic text reports loaded into a copy of each, {args.runs} round(s), medians.",
        "",
        "| measure | " + " | ".join(f"{n} reports" for n in sizes) + " |",
        "| --- | " + " | ".join("---:" for _ in sizes) + " |",
    ]
    for key in results[first]:
        unit = "" if key == "file MB" else " s"
        lines.append(f"| {key} | " + " | ".join(f"{median(results[n][key]):.3f}{unit}" for n in sizes) + " |")
    lines += [
        "",
        f"- **per-report gate + load at {last} / at {first} reports = {ratio:.2f}** (target ≤ 1.2)",
        f"- **start-up at {last} reports: {startup_last:.3f} s** (target ≤ 1 s)",
        "- the staging copy grows with the file (it is a copy of it): a per-run cost, not a per-report one",
    ]
    lines += target_table([
        (f"per-report gate + load at {last} reports ≤ 1.2 × at {first}", f"{ratio:.2f}×", ratio <= 1.2),
        (f"start-up at {last} reports ≤ 1 s", f"{startup_last:.3f} s", startup_last <= 1),
    ])
    write_result("scale.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
