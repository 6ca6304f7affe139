"""`make test` lists the 15 slowest tests at the end of the run and spreads the suite over two worker processes
(issue 24: under 25 minutes on 2 cores), so the suite's time is seen each run."""

from __future__ import annotations

import shlex
import subprocess

from etl.settings import PROJECT_ROOT


def pytest_commands(target: str, *variables: str) -> list[list[str]]:
    """The pytest commands `make <target>` runs, read with `make -n` (printed, not run)."""
    printed = subprocess.run(
        ["make", "-n", target, *variables], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return [shlex.split(line) for line in printed.splitlines() if " -m pytest" in line]


def test_make_test_lists_the_15_slowest_tests() -> None:
    parallel, alone = pytest_commands("test")
    assert parallel[1:3] == ["-m", "pytest"] and "--durations=15" in parallel
    assert pytest_commands("pytest") == [parallel, alone]


def test_make_test_runs_on_two_workers_and_the_deployment_test_alone_after() -> None:
    parallel, alone = pytest_commands("test")
    assert parallel[3:7] == ["-n", "2", "--dist", "worksteal"]
    assert parallel[-2:] == ["-m", "not deploy"] and alone[-2:] == ["-m", "deploy"] and "-n" not in alone
    # PYTEST_WORKERS=0: one process, as before xdist (xdist's own meaning of -n 0); auto: one per core
    assert pytest_commands("test", "PYTEST_WORKERS=0")[0][3:5] == ["-n", "0"]
    assert pytest_commands("test", "PYTEST_WORKERS=auto")[0][3:5] == ["-n", "auto"]
