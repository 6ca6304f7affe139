"""One report end to end through the CLI (`etl ingest <file> -w <tmp>`), wall time split into its steps.

Runs benchmarks/_timed_etl.py — the `etl` entry point (flows.cli:app) with a stopwatch wrapped around each library
call of flows.ingest — as a fresh process per run, into a fresh warehouse each time (the report is really loaded).
Variants, each one warm-up run (not counted: creates Prefect's database) then ``--runs`` measured, median shown:

- ``temporary``: Prefect's local mode as shipped: the flow starts a temporary API server, stops it at exit;
- ``long-lived``: ``PREFECT_API_URL`` pointing at a server started once (``prefect server start`` on a free
  loopback port, as a child process; its start-up reported separately; stopped at the end);
- ``… + GX preload``: the same, with ``import great_expectations`` started in a background thread when the
  command starts (a proposed change to flows/cli.py, simulated by the driver), so it overlaps Prefect's start-up;
- ``… + DO_NOT_TRACK``: ``DO_NOT_TRACK=1`` as well: Prefect 3.9's client-side SDK analytics thread then never
  starts (with PREFECT_SERVER_ANALYTICS_ENABLED=false alone it still starts, asks the server, and is joined at
  exit for up to 2 s).

Also ``python -X importtime`` of the modules the ingest command imports (what lazy imports could defer).
Writes benchmarks/results/single_report.md.

    .venv/bin/python benchmarks/single_report.py [--runs 3] [--file data/samples/…txt]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BIN, ROOT, command_line, header, load_average, median, write_result

REAL_TXT = ROOT / "data" / "samples" / "2024Q3_市工信局_政府工作报告任务完成情况.txt"
DRIVER = ROOT / "benchmarks" / "_timed_etl.py"

PHASES = [
    "process start (interpreter)",
    "imports: CLI (typer, rich, settings)",
    "imports: flow module (prefect, duckdb, …)",
    "Prefect start-up (API server + flow run)",
    "extraction + parse",
    "validation: import great_expectations",
    "validation: expectations (report + warehouse)",
    "load (schema, rows, run records)",
    "publish (stage + seal + rename)",
    "report writing (HTML report, Data Docs, artifacts)",
    "Prefect task overhead (inside the flow)",
    "Prefect flow teardown",
    "CLI output (table + example query)",
    "process exit (atexit; local mode: temporary server stopped)",
]


VARIANTS = {  # name: (long-lived server?, extra environment)
    "temporary": (False, {}),
    "temporary + GX preload": (False, {"ETL_BENCH_PRELOAD_GX": "1"}),
    "temporary + GX preload + DO_NOT_TRACK": (False, {"ETL_BENCH_PRELOAD_GX": "1", "DO_NOT_TRACK": "1"}),
    "long-lived": (True, {}),
    "long-lived + GX preload + DO_NOT_TRACK": (True, {"ETL_BENCH_PRELOAD_GX": "1", "DO_NOT_TRACK": "1"}),
}


def phases(t: dict, spawned: float, ended: float) -> dict[str, float]:
    m, s = t["marks"], t["steps"]
    body = m["body_left"] - m["body_entered"]
    g = s.get
    out = {
        PHASES[0]: m["first_line"] - spawned,
        PHASES[1]: m["cli_imported"] - m["first_line"],
        PHASES[2]: m["flow_module_imported"] - m["cli_imported"],
        PHASES[3]: m["body_entered"] - m["flow_called"],
        PHASES[4]: g("extract", 0) + g("parse", 0),
        PHASES[5]: g("validation: import great_expectations", 0),
        PHASES[6]: g("validation: report", 0) + g("validation: warehouse", 0) + g("validation: gate set-up", 0),
        PHASES[7]: g("load", 0) + g("record results", 0) + g("prepare schema", 0) + g("check file", 0),
        PHASES[8]: g("publish (stage + seal + rename)", 0),
        PHASES[9]: g("HTML report", 0) + g("validation: Data Docs", 0) + g("artifacts", 0),
        PHASES[12]: m["cli_done"] - m["flow_returned"],
        PHASES[11]: m["flow_returned"] - m["body_left"],
        PHASES[13]: ended - m["cli_done"],
    }
    out[PHASES[10]] = body - sum(v for k, v in s.items())
    out["total"] = ended - spawned
    return out


def one_run(env: dict[str, str], work: Path, file: Path) -> dict[str, float]:
    work.mkdir(parents=True, exist_ok=True)
    timings = work / "timings.json"
    run_env = {
        **env,
        "ETL_BENCH_TIMINGS": str(timings),
        "ETL_DATA_DOCS_DIR": str(work / "gx_docs"),
        "ETL_REPORT_FILE": str(work / "report.html"),
        "COLUMNS": "200",
    }
    cmd = [str(BIN / "python"), str(DRIVER), "ingest", str(file), "-w", str(work / "warehouse.duckdb")]
    spawned = time.time()
    proc = subprocess.run(cmd, env=run_env, capture_output=True, text=True, cwd=ROOT, timeout=600, check=False)
    ended = time.time()
    if proc.returncode != 0:
        raise RuntimeError(f"etl ingest failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return phases(json.loads(timings.read_text()), spawned, ended)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    """A long-lived server, started once: `prefect server start` in the foreground of a child process.

    Not `--background`: Prefect 3.9.1 starts that server with stdout/stderr on pipes nobody reads once the CLI
    exits, and here it died within seconds (connection refused); so it runs as our child, output to a file.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    started = time.perf_counter()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--analytics-off"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
    deadline = time.time() + 180
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.terminate()
                raise RuntimeError(f"Prefect server did not start; see {log}") from None
            time.sleep(0.2)
    return server, url, time.perf_counter() - started


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()  # SIGTERM: uvicorn shuts down cleanly
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()


def import_times() -> list[tuple[str, float]]:
    """Cumulative import time of the heavy packages the ingest command imports (python -X importtime)."""
    proc = subprocess.run(
        [str(BIN / "python"), "-X", "importtime", "-c", "import flows.cli, flows.ingest"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    wanted = ["typer", "rich", "pydantic", "pydantic_settings", "prefect", "duckdb", "pandas", "numpy",
              "great_expectations", "plotly", "etl.report", "etl.validate.gate", "etl.extract.guarded",
              "etl.load.warehouse", "flows.cli", "flows.ingest"]
    found: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
        if m and m.group(3) in wanted and m.group(3) not in found:
            found[m.group(3)] = int(m.group(1)) / 1e6
    return sorted(found.items(), key=lambda kv: -kv[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file", type=Path, default=REAL_TXT)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args(argv)
    load = load_average()
    tmp = Path(tempfile.mkdtemp(prefix="etl-bench-single-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    results: dict[str, list[dict[str, float]]] = {}
    notes: list[str] = []
    for variant in args.variants.split(","):
        long_lived, extra = VARIANTS[variant]
        env = {**base, **extra, "PREFECT_HOME": str(tmp / variant / "prefect_home")}
        (tmp / variant / "prefect_home").mkdir(parents=True)  # `prefect server start` does not make its parents
        if long_lived:
            server, url, seconds = start_server(env, tmp / variant / "server.log")
            notes.append(f"long-lived server: `prefect server start` on {url} answered /health after {seconds:.1f} s "
                         "(once; not in the per-run times)")
            env["PREFECT_API_URL"] = url
        try:
            one_run(env, tmp / variant / "warm-up", args.file)
            runs = []
            for i in range(args.runs):
                runs.append(one_run(env, tmp / variant / f"run{i}", args.file))
                print(f"{variant} run {i + 1}: {runs[-1]['total']:.1f} s", file=sys.stderr)
            results[variant] = runs
        finally:
            if long_lived:
                stop_server(server)
    imports = import_times()

    variants = list(results)
    lines = header("One report end to end through the CLI", [command_line()], load)
    lines += [
        f"File: `{args.file.relative_to(ROOT) if args.file.is_relative_to(ROOT) else args.file}` into a new "
        f"warehouse per run (loaded each time). Median of {args.runs} runs after one warm-up run, per step (so the "
        "steps need not add up to the median total exactly). Steps are timed by benchmarks/_timed_etl.py, which "
        "wraps the library calls flows.ingest makes; 'Prefect task overhead' is the flow body's time outside "
        "those calls.",
        "",
        "| step | " + " | ".join(variants) + " |",
        "| --- | " + " | ".join("---:" for _ in variants) + " |",
    ]
    for phase in [*PHASES, "total"]:
        cells = [f"{median([r[phase] for r in results[v]]):.2f} s" for v in variants]
        if phase == "total":
            cells = [f"**{c}**" for c in cells]
            phase = "**total wall (target < 5 s)**"
        lines.append(f"| {phase} | " + " | ".join(cells) + " |")
    lines += ["", "Totals of each run: " + "; ".join(
        f"{v}: " + ", ".join(f"{r['total']:.1f} s" for r in results[v]) for v in variants), ""]
    lines += [f"- {n}" for n in notes]
    lines += [
        "",
        "## Imports of the ingest command (`python -X importtime -c 'import flows.cli, flows.ingest'`, cumulative, "
        "one cold run)",
        "",
        "| module | cumulative import |",
        "| --- | ---: |",
        *[f"| `{name}` | {sec:.2f} s |" for name, sec in imports],
    ]
    write_result("single_report.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
