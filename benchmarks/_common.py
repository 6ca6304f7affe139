"""Shared helpers of the benchmark scripts: machine facts, result files, synthetic report files.

Synthetic reports are the real 2024 Q3 text dump with another issuer, year and quarter in the title and quarter
headers (``scripts/make_many_reports.py``'s ``edited_dump``: each edit checked to apply). That script stops at
16 issuers × 7 years (448 reports); the benchmarks need up to 40 issuers × 10 years × 4 quarters (1,600) and more,
so the issuers beyond its 16 are named ``合成NN局`` ("synthetic bureau NN") and years run from 2015. Every file name
says ``synthetic``; files go to a temporary folder (``ETL_BENCH_DIR``, default /tmp/etl-bench), never the repository.
"""

from __future__ import annotations

import itertools
import os
import platform
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Where result files go: benchmarks/results/, or ETL_BENCH_RESULTS (the quick CI run writes to a temporary folder).
RESULTS = Path(os.environ.get("ETL_BENCH_RESULTS", ROOT / "benchmarks" / "results"))
BIN = Path(sys.executable).parent
BENCH_DIR = Path(os.environ.get("ETL_BENCH_DIR", "/tmp/etl-bench"))

sys.path.insert(0, str(ROOT / "scripts"))
# The result files' target table, for the benchmarks that write it; _summary, which reads it, defines both sides.
from _summary import target_table as target_table  # noqa: E402
from make_many_reports import ISSUERS, REAL, Spec, edited_dump  # noqa: E402

ALL_ISSUERS = (*ISSUERS, *(f"合成{n:02d}局" for n in range(len(ISSUERS) + 1, 1000)))
FIRST_YEAR = 2015


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def header(title: str, commands: list[str], started_load: str) -> list[str]:
    """The head of a result file: date, machine, load average at start, commands."""
    return [
        f"# {title}",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        f"- load average (1, 5, 15 min) at start: {started_load} — other work shares these cores; figures are wall "
        "clock",
        "- commands:",
        "",
        *[f"      {c}" for c in commands],
        "",
    ]


def write_result(name: str, lines: list[str]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return path


def command_line() -> str:
    return " ".join(shlex.quote(a) for a in [".venv/bin/python", *sys.argv[0:1], *sys.argv[1:]]).replace(
        str(ROOT) + "/", ""
    )


def specs(issuers: int, years: int, *, start: int = 0) -> Iterator[Spec]:
    """issuers × years × 4 quarters, issuer varying slowest (same arguments, same files)."""
    combos = itertools.product(ALL_ISSUERS[:issuers], range(FIRST_YEAR, FIRST_YEAR + years), (1, 2, 3, 4))
    for index, (issuer, year, quarter) in enumerate(combos, start=start):
        yield Spec(index, issuer, year, quarter, "txt")


def synthetic_files(folder: Path, count: int) -> list[Path]:
    """``count`` distinct synthetic text dumps (10 years × 4 quarters per issuer, as many issuers as needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    real = REAL.read_text(encoding="utf-8")
    issuers = -(-count // 40)
    files = []
    for spec in itertools.islice(specs(issuers, 10), count):
        path = folder / f"{spec.stem}.txt"
        if not path.exists():
            path.write_text(edited_dump(real, spec), encoding="utf-8")
        files.append(path)
    return files


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


class Timer:
    def __enter__(self) -> Timer:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


def run(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 3600) -> tuple[float, str]:
    """Run a command; return its wall time and combined output (raises on a non-zero exit)."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout + proc.stderr


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without Prefect API settings (etl then runs in-process), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "ETL_WAREHOUSE"))}
    env.update({"COLUMNS": "200", **extra})
    return env


def _pss_mb(pid: int) -> float:
    """Proportional set size (shared pages divided among the processes sharing them), MB; 0 when unreadable."""
    try:
        for line in (Path("/proc") / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_rss_mb(pid: int) -> tuple[float, float, float]:
    """(sum, largest) resident memory of a process and all its descendants, and their summed PSS, in MB (/proc).

    Summed RSS counts a shared library's pages once per process that maps it; summed PSS shares them out, so it
    is what the tree occupies."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[int(entry.name)] = int(line.split()[1]) / 1024
    total, largest, pss, todo = 0.0, 0.0, 0.0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0.0)
        largest = max(largest, rss.get(current, 0.0))
        pss += _pss_mb(current)
        todo.extend(children.get(current, []))
    return total, largest, pss


def run_sampled(
    cmd: list[str], env: dict[str, str], timeout: float = 7200
) -> tuple[float, str, float, float, float]:
    """Run a command; its wall time, output, and the peaks of its process tree's memory in MB: summed RSS, the
    largest process's RSS, summed PSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT)
    peak = [0.0, 0.0, 0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            total, largest, pss = tree_rss_mb(proc.pid)
            peak[0], peak[1], peak[2] = max(peak[0], total), max(peak[1], largest), max(peak[2], pss)
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate(timeout=timeout)
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} exited {proc.returncode}:\n{out[-3000:]}")
    return seconds, out, peak[0], peak[1], peak[2]
