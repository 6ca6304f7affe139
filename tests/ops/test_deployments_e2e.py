"""End to end on a real Prefect stack: server, work pool, deployments from prefect.yaml, worker, a triggered run.

Everything goes through scripts/prefect_stack.sh (what `make serve` runs), on a free loopback port, with
Prefect's state in a temporary folder and the deployments running in a temporary project folder
(ETL_PROJECT_DIR: only an empty data/; the entrypoints are modules of the installed package), so the
deployments' own relative paths (data/inbox, data/archive, data/warehouse.duckdb) are used as they are. The
server's scheduler is off, so no scheduled poll runs beside the one the test triggers. Every process started is
stopped in ``finally``: the script's `stop`, then SIGKILL to the process groups of whatever is still alive.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from etl.digest import sha256_file
from etl.inbox import archived_records
from etl.settings import PROJECT_ROOT
from tests.conftest import REAL_TEXT_DUMP

pytestmark = pytest.mark.deploy

STACK = PROJECT_ROOT / "scripts" / "prefect_stack.sh"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stack:
    """scripts/prefect_stack.sh with its settings, remembering every process group it started."""

    def __init__(self, home: Path, project: Path, port: int) -> None:
        self.home = home
        self.port = port
        self.api = f"http://127.0.0.1:{port}/api"
        self.groups: set[int] = set()
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PREFECT_", "ETL_WAREHOUSE", "ETL_PROJECT_DIR", "ETL_PREFECT_"))
        }
        self.env.update(
            ETL_PREFECT_PORT=str(port),
            ETL_PREFECT_HOME=str(home),
            ETL_PROJECT_DIR=str(project),
            PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",  # only the run the test triggers
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            ETL_WORKER_LIMIT="1",
        )

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        process = subprocess.Popen(
            ["bash", str(STACK), *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # the server started in the background stays in this group: killable
        )
        self.groups.add(process.pid)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            pytest.fail(f"prefect_stack.sh {' '.join(args)} timed out after {timeout}s\n{stdout}\n{stderr}")
        for pid_file in ("server.pid", "worker.pid"):  # the worker leads its own group (setsid)
            if (self.home / pid_file).exists():
                text = (self.home / pid_file).read_text().strip()
                if text.isdigit():
                    self.groups.add(int(text))
        return subprocess.CompletedProcess(process.args, process.returncode or 0, stdout, stderr)

    def check(self, *args: str, timeout: float = 120) -> str:
        result = self.run(*args, timeout=timeout)
        assert result.returncode == 0, f"prefect_stack.sh {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def api_get(self, path: str) -> dict[str, object]:
        try:
            with urllib.request.urlopen(f"{self.api}{path}", timeout=10) as response:
                return dict(json.loads(response.read()))
        except OSError as error:
            pytest.fail(f"GET {self.api}{path}: {error}\n{self.diagnosis()}")

    def diagnosis(self) -> str:
        """Whether the stack's server still runs, and the end of its log: what a failed request needs to be read."""
        pid = (self.home / "server.pid").read_text().strip() if (self.home / "server.pid").exists() else ""
        alive = pid.isdigit() and Path(f"/proc/{pid}").exists()
        log = self.home / "server.log"
        tail = log.read_text(encoding="utf-8", errors="replace")[-4000:] if log.exists() else "(no server.log)"
        worker = self.home / "worker.log"
        worker_tail = worker.read_text(encoding="utf-8", errors="replace")[-3000:] if worker.exists() else "(none)"
        listening = subprocess.run(["ss", "-ltnp"], capture_output=True, text=True, check=False).stdout
        return (
            f"server pid {pid or '?'} {'alive' if alive else 'not running'}; server.log ends:\n{tail}\n"
            f"--- worker.log ends:\n{worker_tail}\n--- listening:\n{listening}"
        )

    def kill_leftovers(self) -> list[int]:
        """SIGKILL the process groups still alive; returns those that were."""
        alive = []
        for group in sorted(self.groups):
            try:
                os.killpg(group, 0)
            except (ProcessLookupError, PermissionError):
                continue
            alive.append(group)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        return alive


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    project = tmp_path / "project"
    (project / "data" / "inbox").mkdir(parents=True)
    stack = Stack(tmp_path / "prefect-home", project, free_port())
    try:
        yield stack
    finally:
        stopped = stack.run("stop", timeout=90)
        leftovers = stack.kill_leftovers()
        assert stopped.returncode == 0, stopped.stderr
        assert not leftovers, f"process groups still alive after `stop`: {leftovers}"


def test_the_inbox_deployment_runs_on_a_worker_and_loads_the_warehouse(stack: Stack, tmp_path: Path) -> None:
    started = time.monotonic()
    deployed = stack.check("up", timeout=300)  # what `make serve` runs: server, pool, deployments, worker
    assert "server ready" in deployed and "worker started" in deployed
    for name in ("poll-inbox/quarterly", "poll-inbox/inbox-poll", "backfill/backfill", "ingest-report/single"):
        assert name in deployed
    # Issue 23: Prefect's "start a worker" hint, once per deployment, while `up` starts the worker itself
    assert "start a worker" not in deployed and "prefect worker start" not in deployed

    deployment = stack.api_get("/deployments/name/poll-inbox/inbox-poll")
    assert deployment["work_pool_name"] == "etl-process"
    assert deployment["pull_steps"] == [{"etl.flows.deploy_steps.set_project_directory": {}}]
    assert deployment["entrypoint"] == "etl.flows.ingest:poll_inbox"
    assert deployment["parameters"] == {"settle_seconds": 10}  # folders and warehouse: the settings' (data/…)
    schedules = deployment["schedules"]
    assert isinstance(schedules, list) and len(schedules) == 1
    assert schedules[0]["schedule"] == {"cron": "*/5 * * * *", "timezone": "Asia/Shanghai", "day_or": True}
    assert deployment["concurrency_options"] == {"collision_strategy": "ENQUEUE", "grace_period_seconds": None}

    assert "worker already running" in stack.check("worker")

    project = tmp_path / "project"
    inbox = project / "data" / "inbox"
    report = inbox / REAL_TEXT_DUMP.name
    report.write_bytes(REAL_TEXT_DUMP.read_bytes())
    settled = time.time() - 120  # older than settle_seconds: ready at once
    os.utime(report, (settled, settled))
    digest = sha256_file(report)

    run = stack.run(
        "prefect", "deployment", "run", "poll-inbox/inbox-poll", "--watch", "--watch-timeout", "120", timeout=150
    )
    worker_log = (stack.home / "worker.log").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}\n--- worker log ---\n{worker_log[-5000:]}"
    assert "Completed" in run.stdout

    assert list(inbox.iterdir()) == []
    # archived by hash with its record (etl.inbox), in the project's data/archive: the settings' folder
    [record] = archived_records(project / "data" / "archive")
    assert record.first.name == REAL_TEXT_DUMP.name and record.path.read_bytes() == REAL_TEXT_DUMP.read_bytes()
    assert record.path.name.startswith(digest)
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as conn:
        assert conn.execute("select count(distinct task_no), count(*) from mart.task_progress").fetchone() == (17, 34)
        assert conn.execute("select issuer, year, quarter from core.report").fetchall() == [("市工信局", 2024, 3)]
        assert conn.execute("select outcome from ops.ingest_file").fetchall() == [("loaded",)]

    # Issue 13: a run with a rejected file loads and publishes the good one, then ends Failed naming the bad one.
    good = inbox / "2024Q4_synthetic.txt"
    good.write_text(
        REAL_TEXT_DUMP.read_text(encoding="utf-8").replace("三季度", "四季度").replace("第三季度", "第四季度"),
        encoding="utf-8",
    )
    (inbox / "bad.txt").write_text("not a report", encoding="utf-8")
    for path in (good, inbox / "bad.txt"):
        os.utime(path, (settled, settled))
    failed = stack.run(
        "prefect", "deployment", "run", "poll-inbox/inbox-poll", "--watch", "--watch-timeout", "120", timeout=150
    )
    flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", failed.stdout)
    assert flow_run_id, failed.stdout + failed.stderr
    state = stack.api_get(f"/flow_runs/{flow_run_id.group(1)}")["state"]
    assert isinstance(state, dict) and state["type"] == "FAILED", state
    assert state["message"] == "1 of 2 file(s) rejected: bad.txt"
    # Issue 23: the watching user reads why (the run's log), the worker's log has no traceback for a rejection
    assert "1 of 2 file(s) rejected: bad.txt" in failed.stdout and "bad.txt: no table header" in failed.stdout
    worker_log = (stack.home / "worker.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in worker_log and "ended Failed: 1 of 2 file(s) rejected: bad.txt" in worker_log
    assert (project / "data" / "quarantine" / "bad.txt").exists()
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as conn:
        assert conn.execute("select quarter from core.report order by quarter").fetchall() == [(3,), (4,)]
    assert time.monotonic() - started < 300
