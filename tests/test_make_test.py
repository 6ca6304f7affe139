"""`make test` lists the 15 slowest tests at the end of the run and spreads the suite over two worker processes
(issue 24: under 25 minutes on 2 cores), so the suite's time is seen each run."""

from __future__ import annotations

import shlex
import subprocess

from etl.settings import PROJECT_ROOT


def pytest_command(target: str, *variables: str) -> list[str]:
    """The pytest command `make <target>` runs, read with `make -n` (printed, not run)."""
    printed = subprocess.run(
        ["make", "-n", target, *variables], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    commands = [shlex.split(line) for line in printed.splitlines() if " -m pytest" in line]
    assert len(commands) == 1, printed
    return commands[0]


def test_make_test_lists_the_15_slowest_tests() -> None:
    command = pytest_command("test")
    assert command[1:3] == ["-m", "pytest"] and command[-1] == "--durations=15"
    assert pytest_command("pytest") == command


def test_make_test_runs_on_two_workers_unless_told_otherwise() -> None:
    command = pytest_command("test")
    assert command[3:7] == ["-n", "2", "--dist", "worksteal"]
    # PYTEST_WORKERS=0: one process, as before xdist (xdist's own meaning of -n 0)
    assert pytest_command("test", "PYTEST_WORKERS=0")[3:5] == ["-n", "0"]
    assert pytest_command("test", "PYTEST_WORKERS=auto")[3:5] == ["-n", "auto"]
