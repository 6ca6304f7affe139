"""`make test` lists the 15 slowest tests at the end of the run (issue 24), so the suite's time is seen each run."""

from __future__ import annotations

import shlex
import subprocess

from etl.settings import PROJECT_ROOT


def pytest_command(target: str) -> list[str]:
    """The pytest command `make <target>` runs, read with `make -n` (printed, not run)."""
    printed = subprocess.run(
        ["make", "-n", target], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    commands = [shlex.split(line) for line in printed.splitlines() if " -m pytest" in line]
    assert len(commands) == 1, printed
    return commands[0]


def test_make_test_lists_the_15_slowest_tests() -> None:
    command = pytest_command("test")
    assert command[-3:] == ["-m", "pytest", "--durations=15"]
    assert pytest_command("pytest") == command
