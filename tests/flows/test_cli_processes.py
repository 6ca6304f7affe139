"""Issue 16, defect 6: killing `etl` (kill -9) leaves no process of ours behind; without a server, none starts."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REAL_PDF, REAL_TEXT_DUMP, SYNTHETIC

ETL = Path(sys.executable).parent / "etl"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        ETL_REPORT_FILE=str(tmp_path / "report.html"),
        ETL_DATA_DOCS_DIR=str(tmp_path / "docs"),
        COLUMNS="200",
        **extra,
    )
    return env


def _descendants(pid: int) -> dict[int, str]:
    """Every live descendant of ``pid`` with its command line (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                found[child] = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's bookkeeping is left


def _kill_when(process: subprocess.Popen[str], wanted: str, timeout: float = 120) -> dict[int, str]:
    """Wait until a descendant whose command line contains ``wanted`` runs; kill -9 the command; its descendants."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = _descendants(process.pid)
        if any(wanted in cmd for cmd in seen.values()):
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            return seen
        if process.poll() is not None:
            pytest.fail(f"etl ended before starting {wanted!r}: {process.stdout.read() if process.stdout else ''}")
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"no {wanted!r} process within {timeout} s")


def _assert_all_gone(pids: dict[int, str], within: float = 15) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    left = {p: cmd for p, cmd in pids.items() if _alive(p)}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running after the command was killed: {left}"


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for source in (REAL_PDF, REAL_TEXT_DUMP, *SYNTHETIC):
        shutil.copy(source, folder / source.name)
    return folder


def _run_etl(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`etl ARGS` to its end, in this test's environment, output captured."""
    return subprocess.run(
        [str(ETL), *args], env=_env(tmp_path), capture_output=True, text=True, timeout=300, check=False
    )


def test_without_a_configured_server_ingest_runs_in_process_and_starts_no_server(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    result = _run_etl(tmp_path, "ingest", str(REAL_TEXT_DUMP), "-w", str(warehouse))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 report file(s) (1 current), 17 tasks, 34 task rows" in " ".join(result.stdout.split())
    assert not (tmp_path / "prefect-home").exists(), "Prefect was not even imported"


@pytest.mark.parametrize(
    ("command", "wanted"),
    [
        # parallel parsing: guarded children (one per worker) read and parse; the gate runs in the command itself
        (["backfill", "--workers", "2"], "etl.extract.guarded_child"),
        # one file: the quality gate's worker process (spawned at launch to import Great Expectations)
        (["ingest"], "spawn_main"),
    ],
    ids=["backfill-parsing-children", "ingest-gate-worker"],
)
def test_kill_9_during_a_run_leaves_no_worker_process(tmp_path: Path, command: list[str], wanted: str) -> None:
    """The parsing children and the quality gate's worker process end when the command is killed."""
    inputs = _inputs(tmp_path) if command[0] == "backfill" else REAL_PDF
    process = subprocess.Popen(
        [str(ETL), command[0], str(inputs), *command[1:], "-w", str(tmp_path / "w.duckdb")],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = _kill_when(process, wanted)
    assert seen, "the run had started worker processes"
    _assert_all_gone(seen)
    assert not (tmp_path / "w.duckdb").exists(), "nothing was published"


def test_kill_9_leaves_no_temporary_prefect_server(tmp_path: Path) -> None:
    """`etl ingest --prefect` without a configured server starts one of its own; killing the command ends it."""
    process = subprocess.Popen(
        [str(ETL), "ingest", "--prefect", str(REAL_TEXT_DUMP), "-w", str(tmp_path / "w.duckdb")],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = _kill_when(process, "etl.flows._server_child")
    _assert_all_gone(seen)


def test_a_run_on_its_own_temporary_server_ends_without_a_logging_error(tmp_path: Path) -> None:
    """`etl ingest --prefect` (what `make run` does) sends Prefect's queued logs before stopping its server; they
    were sent after it and every such run ended with '--- Error logging to API --- All connection attempts failed'."""
    result = _run_etl(tmp_path, "ingest", "--prefect", str(_inputs(tmp_path)), "-w", str(tmp_path / "w.duckdb"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "report file(s)" in " ".join(result.stdout.split())
    assert "Error logging to API" not in result.stdout + result.stderr
