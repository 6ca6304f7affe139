"""One report through `etl ingest` against `etl check` of the same file, side by side, with the ingest's breakdown.

Each round runs, one after another as fresh processes, with the same file:

- ``etl check FILE`` — read and parse, the work itself (the baseline);
- ``etl ingest FILE -w <new warehouse>`` — with no Prefect API configured: the library pipeline in-process
  (quality gate in a worker process started at launch, load, publish, Data Docs, HTML report);
- the same run through the library in a driver process that prints the run summary's per-step wall times;
- optionally (``--variants``) ``etl ingest`` as a Prefect flow on a long-lived server (``prefect server start`` on
  port 4310, started once, not timed) and with ``--prefect`` on a temporary server the command starts.

Rounds alternate the commands so that load on the shared machine hits all alike; the ratio is the median over
rounds of ingest/check. Writes benchmarks/results/single_report.md.

    .venv/bin/python benchmarks/single_report.py [--runs 5] [--file data/samples/…pdf] [--variants flow,temporary]
    .venv/bin/python benchmarks/single_report.py --quick      # one round, in-process only (CI)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    BIN,
    ROOT,
    clean_env,
    command_line,
    header,
    load_average,
    median,
    run,
    target_table,
    write_result,
)

REAL_PDF = ROOT / "data" / "samples" / "typeset" / "2024Q3_市工信局_政府工作报告任务完成情况.pdf"
DRIVER = """
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from etl.pipeline import RunOptions, run_context, run_pipeline
from etl.settings import get_settings
if __name__ == "__main__":
    imported = time.perf_counter() - started
    settings = get_settings(warehouse=Path(sys.argv[2]))
    summary = run_pipeline([Path(sys.argv[1])], run_context(settings, RunOptions.resolve(settings)))
    assert [f.outcome for f in summary.files] == ["loaded"], summary.files
    print(json.dumps({"imports (pipeline modules)": imported, **summary.steps, "run total": summary.total_seconds}))
"""
PORT = 4310


def long_lived_server(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    url = f"http://127.0.0.1:{PORT}/api"
    env = clean_env(PREFECT_HOME=str(home))
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(PORT), "--analytics-off"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError(f"the Prefect server did not start; see {home / 'server.log'}")


GX_READY = "from etl.validate.gate import QualityGate; QualityGate().warm_up()"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--file", type=Path, default=REAL_PDF)
    parser.add_argument("--variants", default="", help="also: flow (long-lived server), temporary (--prefect)")
    parser.add_argument("--quick", action="store_true", help="one round, in-process only (CI)")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.variants = 1, ""
    variants = [v for v in args.variants.split(",") if v]
    load = load_average()
    tmp = Path(tempfile.mkdtemp(prefix="etl-bench-single-"))
    env = clean_env(PREFECT_HOME=str(tmp / "prefect-home"), ETL_DATA_DOCS_DIR=str(tmp / "docs"))
    server = None
    if "flow" in variants:
        server, url = long_lived_server(tmp / "server-home")
    times: dict[str, list[float]] = {"check": [], "ingest": []}
    ratios: list[float] = []
    floors: dict[str, list[float]] = {
        "import great_expectations": [],
        "GX set up (import, context, every suite's checkpoint)": [],
    }
    floor_ratios: list[float] = []
    steps: list[dict[str, float]] = []
    try:
        for i in range(args.runs):
            check, _ = run([str(BIN / "etl"), "check", str(args.file)], env=env)
            report = {"ETL_REPORT_FILE": str(tmp / f"r{i}.html")}
            ingest, out = run([str(BIN / "etl"), "ingest", str(args.file), "-w", str(tmp / f"w{i}.duckdb")],
                              env={**env, **report})  # fmt: skip
            assert "1 report file(s)" in " ".join(out.split()), out[-2000:]
            times["check"].append(check)
            times["ingest"].append(ingest)
            ratios.append(ingest / check)
            # The floor: what the quality gate costs a fresh process before it can validate anything.
            gx_import, _ = run([str(BIN / "python"), "-c", "import great_expectations"], env=env)
            gx_ready, _ = run([str(BIN / "python"), "-c", GX_READY], env=env)
            floors["import great_expectations"].append(gx_import)
            floors["GX set up (import, context, every suite's checkpoint)"].append(gx_ready)
            floor_ratios.append(gx_ready / check)
            _, out = run([str(BIN / "python"), "-c", DRIVER, str(args.file), str(tmp / f"d{i}.duckdb")],
                         env={**env, **report})  # fmt: skip
            steps.append(json.loads([line for line in out.splitlines() if line.startswith("{")][-1]))
            if server is not None:
                flow_env = {**env, **report, "PREFECT_API_URL": url, "PREFECT_HOME": str(tmp / "server-home")}
                seconds, _ = run([str(BIN / "etl"), "ingest", str(args.file), "-w", str(tmp / f"f{i}.duckdb")],
                                 env=flow_env)  # fmt: skip
                times.setdefault("ingest as a flow, long-lived server", []).append(seconds)
            if "temporary" in variants:
                seconds, _ = run([str(BIN / "etl"), "ingest", "--prefect", str(args.file), "-w",
                                  str(tmp / f"t{i}.duckdb")], env={**env, **report})  # fmt: skip
                times.setdefault("ingest --prefect, temporary server", []).append(seconds)
            print(f"round {i + 1}: check {check:.2f} s, ingest {ingest:.2f} s ({ingest / check:.2f}x)", file=sys.stderr)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)

    name = args.file.relative_to(ROOT) if args.file.is_relative_to(ROOT) else args.file
    lines = header("One report: `etl ingest` against `etl check` of the same file", [command_line()], load)
    lines += [
        f"File `{name}`, a new warehouse per run; {args.runs} round(s), each running the commands one after "
        "another as fresh processes (wall clock, process start to exit). No Prefect API configured, so "
        "`etl ingest` runs the library pipeline in-process (no server).",
        "",
        "| command | median | runs |",
        "| --- | ---: | --- |",
        *[f"| `etl {k}` | {median(v):.2f} s | {', '.join(f'{x:.2f}' for x in v)} |" for k, v in times.items()],
        "",
        f"**ingest / check = {median(ratios):.2f}×** (median of the rounds' ratios: "
        f"{', '.join(f'{r:.2f}' for r in ratios)}; target ≤ 2×)",
        "",
        "## The floor: the quality gate's set-up in a fresh process",
        "",
        "Every run that loads validates with Great Expectations (issue 12: the gate stays), and a fresh process must "
        "import it and build its context and checkpoints before the first validation. Measured in the same rounds "
        "as fresh processes (`python -c ...`):",
        "",
        "| command | median | runs |",
        "| --- | ---: | --- |",
        *[f"| {k} | {median(v):.2f} s | {', '.join(f'{x:.2f}' for x in v)} |" for k, v in floors.items()],
        "",
        f"**GX set-up alone / `etl check` = {median(floor_ratios):.2f}×** (median of the rounds' ratios): a "
        "lower bound of ingest / check for any design that validates in a process started by the command, "
        "however well the set-up overlaps the reading (it can hide at most the reading itself).",
        "",
        "## Where an ingest's time goes (library driver, median of the rounds)",
        "",
        "Per step of `etl.pipeline.run_pipeline`, wall seconds in the main process. The quality gate's worker "
        "process imports Great Expectations from the start of the run, in parallel; 'waiting for the gate worker' "
        "is the part of that the main process could not hide (included in 'gate + load').",
        "",
        "| step | median |",
        "| --- | ---: |",
    ]
    names = list(dict.fromkeys(k for s in steps for k in s))
    lines += [f"| {k} | {median([s.get(k, 0.0) for s in steps]):.3f} s |" for k in names]
    ingest = median(times["ingest"])
    lines += target_table([
        ("`etl ingest` / `etl check` of one report ≤ 2×", f"{median(ratios):.2f}×", median(ratios) <= 2),
        ("one report through `etl ingest` < 5 s", f"{ingest:.2f} s", ingest < 5),
    ])
    write_result("single_report.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
