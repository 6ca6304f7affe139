"""Every benchmark runs once in a quick mode (tiny sizes), so a rename cannot break one silently.

Results go to a temporary folder (ETL_BENCH_RESULTS), generated inputs too (ETL_BENCH_DIR); the committed
benchmarks/results/ are written only by full runs (`make bench`). Speeds are not asserted here: they belong to
the benchmarks' own result files, measured side by side.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks._summary import read_result
from etl.settings import PROJECT_ROOT

BENCHMARKS = PROJECT_ROOT / "benchmarks"
QUICK: dict[str, tuple[list[str], str]] = {
    "single_report.py": (["--quick"], "single_report.md"),
    "backfill.py": (["--quick"], "backfill.md"),
    "scale.py": (["--quick"], "scale.md"),
    "queries.py": (["--issuers", "1", "--years", "1", "--runs", "1"], "queries.md"),
    "text_cleaning.py": (["--repeat", "1"], "text_cleaning.md"),
    "guarded_overhead.py": (["--repeat", "1", "--out", "{out}/guarded_overhead.md"], "guarded_overhead.md"),
    "fidelity.py": (["--repeat", "1", "--output", "{out}/fidelity.md"], "fidelity.md"),
    "ocr.py": (["--repeat", "1", "--output", "{out}/ocr.md"], "ocr.md"),
    "ocr_speed.py": (["--quick", "--output", "{out}/ocr_speed.md"], "ocr_speed.md"),
    "ocr_scans.py": (["--quick", "--output", "{out}/fidelity_scans.md"], "fidelity_scans.md"),
    "damage_checks.py": (["--repeat", "1"], "damage_checks.md"),
    "lake.py": (["--quick"], "lake.md"),
}

# The benchmarks with a target write a target table (benchmarks/_summary.py reads it into summary.md and README).
WITHOUT_TARGETS = {"damage_checks.py", "guarded_overhead.py", "ocr.py"}


def test_every_benchmark_has_a_quick_run() -> None:
    scripts = {p.name for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(QUICK)


@pytest.mark.parametrize("script", sorted(QUICK))
def test_the_benchmark_runs_in_quick_mode(script: str, tmp_path: Path) -> None:
    args, result = QUICK[script]
    out = tmp_path / "results"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(ETL_BENCH_RESULTS=str(out), ETL_BENCH_DIR=str(tmp_path / "data"), PREFECT_HOME=str(tmp_path / "ph"))
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *(a.format(out=out) for a in args)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    written = out / result
    assert written.exists() and written.read_text(encoding="utf-8").startswith("# ")
    assert bool(read_result(written).targets) == (script not in WITHOUT_TARGETS)
