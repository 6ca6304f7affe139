"""Random sequences of real runs on a populated warehouse; after each one DuckDB 1.1.3 opens the published file.

A hypothesis state machine drives the `etl` command as a user does (real processes, on the session's Prefect
server): inbox polls of good new quarters, bad files, duplicates, corrected re-issues, an empty inbox, a good
file together with a junk one, a poll killed with SIGKILL at a random moment, and `etl rebuild` from the archive.
After every run the published file is read in full (every row of every table and mart view) by DuckDB 1.1.3,
which must see what the current release sees, and the quarters in the warehouse must be those the runs loaded.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from etl.extract.source import is_report_file
from tests.conftest import REAL_TEXT_DUMP, SAMPLES
from tests.etl.load.old_duckdb import OLD_DUCKDB, quarter_dump, read_with_old_duckdb
from tests.etl.load.test_storage_compat import current_mart

pytestmark = [pytest.mark.compat, pytest.mark.prefect]

YEARS = st.integers(min_value=2025, max_value=2026)
QUARTERS = st.integers(min_value=1, max_value=4)


def _quarters(warehouse: Path) -> set[tuple[int, int]]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute("select distinct year, quarter from core.report").fetchall()
    return {(int(y), int(q)) for y, q in rows}


class WarehouseRuns(RuleBasedStateMachine):
    api_url = ""  # the session's Prefect server, set by the test

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="etl-compat-runs-"))
        self.inbox, self.archive, self.quarantine = (self.folder / n for n in ("inbox", "archive", "quarantine"))
        self.inbox.mkdir()
        self.warehouse = self.folder / "w.duckdb"
        self.loaded: set[tuple[int, int]] = set()  # quarters whose file reached the archive
        self.pending: set[tuple[int, int]] = set()  # quarters whose file a killed run left in the inbox
        self.runs: list[str] = []
        self.made = 0

    # -- running etl like a user -------------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        return {**os.environ, "PREFECT_API_URL": self.api_url, "COLUMNS": "200"}

    def _command(self, *args: str) -> list[str]:
        return [str(Path(sys.executable).parent / "etl"), *args, "--warehouse", str(self.warehouse)]

    def _poll_args(self) -> list[str]:
        return [
            "poll",
            "--inbox",
            str(self.inbox),
            "--archive",
            str(self.archive),
            "--quarantine",
            str(self.quarantine),
            "--settle-seconds",
            "1",
        ]

    def _put(self, source: Path, name: str | None = None, age: float = 60) -> Path:
        target = self.inbox / (name or source.name)
        if source != target:
            shutil.copyfile(source, target)
        os.utime(target, (time.time() - age, time.time() - age))  # settled; arrival order = modification time
        return target

    def _poll(self, what: str) -> subprocess.CompletedProcess[str]:
        self.runs.append(what)
        result = subprocess.run(
            self._command(*self._poll_args()), capture_output=True, text=True, env=self._env(), timeout=600
        )
        assert result.returncode in (0, 1), f"{what}: {result.stdout}\n{result.stderr}"
        self.loaded |= self.pending  # a file a killed run left in the inbox is taken by this poll
        self.pending.clear()
        return result

    def _new_quarter(self, year: int, quarter: int, **kwargs: object) -> Path:
        self.made += 1
        return quarter_dump(self.folder, year, quarter, tag=f"_{self.made}", **kwargs)  # type: ignore[arg-type]

    # -- the runs ---------------------------------------------------------------------------------------------------

    @initialize()
    def populated(self) -> None:
        """The bundled samples (the real report, its PDF, the synthetic history) in the order `etl ingest` loads
        them; polled, so that they are archived for `etl rebuild`."""
        for position, source in enumerate(sorted(p for p in SAMPLES.iterdir() if is_report_file(p))):
            self._put(source, age=600 - position)
        result = self._poll("samples")
        assert result.returncode == 0, result.stderr
        self.loaded |= {(2024, 1), (2024, 2), (2024, 3), (2023, 3)}

    @rule(year=YEARS, quarter=QUARTERS)
    def good_quarter(self, year: int, quarter: int) -> None:
        self._put(self._new_quarter(year, quarter))
        self._poll(f"good {year}Q{quarter}")
        self.loaded.add((year, quarter))

    @rule(year=YEARS, quarter=QUARTERS)
    def good_quarter_with_junk(self, year: int, quarter: int) -> None:
        """Issue 13's sequence: a good new quarter and a junk text file in one run."""
        self._put(self._new_quarter(year, quarter))
        junk = self.folder / f"junk_{self.made}.txt"
        junk.write_text("not a report\n", encoding="utf-8")
        self._put(junk)
        assert self._poll(f"good {year}Q{quarter} + junk").returncode == 1
        self.loaded.add((year, quarter))

    @rule(kind=st.sampled_from(["junk", "empty", "both_status"]))
    def bad_file(self, kind: str) -> None:
        path = self.folder / f"bad_{kind}_{self.made}.txt"
        self.made += 1
        if kind == "junk":
            path.write_text("今天天气很好\n", encoding="utf-8")
        elif kind == "empty":
            path.write_bytes(b"")
        else:  # a status mark in both columns of line 7
            lines = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
            cells = lines[6].split("\t")
            cells[7] = "✓"
            lines[6] = "\t".join(cells)
            path.write_text("\n".join(lines), encoding="utf-8")
        self._put(path)
        assert self._poll(f"bad {kind}").returncode == 1

    @rule()
    def duplicate(self) -> None:
        archived = sorted(self.archive.rglob("*.txt"))
        self.made += 1
        self._put(archived[self.made % len(archived)], name=f"again_{self.made}.txt")
        assert self._poll("duplicate").returncode == 0

    @rule(year=YEARS, quarter=QUARTERS)
    def revision(self, year: int, quarter: int) -> None:
        self._put(self._new_quarter(year, quarter, revision=True, edit=f"（第{self.made}次更正）"))
        assert self._poll(f"revision {year}Q{quarter}").returncode == 0
        self.loaded.add((year, quarter))

    @rule()
    def empty_inbox(self) -> None:
        assert self._poll("empty inbox").returncode == 0

    @rule(year=YEARS, quarter=QUARTERS, after=st.floats(min_value=0.5, max_value=9.0))
    def killed_mid_run(self, year: int, quarter: int, after: float) -> None:
        self._put(self._new_quarter(year, quarter))
        self.runs.append(f"killed {year}Q{quarter} after {after:.1f}s")
        process = subprocess.Popen(
            self._command(*self._poll_args()),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=self._env(),
            start_new_session=True,
        )
        try:
            process.wait(timeout=after)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=60)
        if any(self.inbox.iterdir()):
            self.pending.add((year, quarter))  # killed before it moved the file: the next poll takes it
        else:
            self.loaded.add((year, quarter))  # it finished before the kill

    @rule()
    def rebuild(self) -> None:
        self.runs.append("rebuild")
        result = subprocess.run(
            self._command("rebuild", "--archive", str(self.archive)),
            capture_output=True,
            text=True,
            env=self._env(),
            timeout=600,
        )
        assert result.returncode == 0, f"rebuild: {result.stdout}\n{result.stderr}"
        self.pending.clear()  # the archive alone is replayed; a file left in the inbox waits for the next poll
        for leftover in self.inbox.iterdir():
            leftover.unlink()

    # -- after every run --------------------------------------------------------------------------------------------

    @invariant()
    def old_duckdb_reads_the_published_file(self) -> None:
        if not self.runs:
            return
        seen = read_with_old_duckdb(self.warehouse)
        assert seen["version"] == OLD_DUCKDB
        assert "error" not in seen, f"after {self.runs}: {seen['error']}"
        rows, columns = current_mart(self.warehouse)
        assert seen["rows"] == rows and seen["columns"] == columns, self.runs
        assert self.loaded <= _quarters(self.warehouse) <= self.loaded | self.pending, self.runs

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def test_random_runs_keep_the_warehouse_readable_by_duckdb_1_1(
    prefect_api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WarehouseRuns, "api_url", prefect_api_url)
    run_state_machine_as_test(
        WarehouseRuns,
        settings=settings(
            max_examples=2,
            stateful_step_count=7,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
