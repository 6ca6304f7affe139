"""Where the `etl` command finds a Prefect API, and a temporary one that cannot outlive the command.

- :func:`configured_api_url`: ``PREFECT_API_URL`` from the environment, else from the active profile of
  ``$PREFECT_HOME/profiles.toml`` (what ``prefect config set PREFECT_API_URL=…`` writes) — read without importing
  Prefect (about 1.5 s), so commands that need no server pay nothing for asking.
- :func:`temporary_server`: a Prefect API server as a child of this process, for ``etl … --prefect`` without a
  configured server (``make run``). Prefect's own temporary server is stopped by an ``atexit`` hook, which a
  ``kill -9`` of the command never runs, so it stayed behind; this one watches its parent and exits when the
  command is gone (``flows/_server_child.py``), and is stopped on the way out otherwise.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etl.flows import ensure_prefect_home


def configured_api_url() -> str | None:
    """The Prefect API the environment or the active Prefect profile points at, or None."""
    url = os.environ.get("PREFECT_API_URL", "").strip()
    if url:
        return url
    home = Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()
    profiles_file = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    try:
        profiles = tomllib.loads(profiles_file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    value = profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(value).strip() or None if value else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _send_queued_logs() -> None:
    """Send the log records Prefect still queues for the API while the server is up: sent after it stopped, they
    ended every `etl ingest --prefect` with "--- Error logging to API --- All connection attempts failed"."""
    from prefect.logging.handlers import APILogWorker

    try:
        APILogWorker.drain_all(timeout=10, at_exit=False)
    except Exception:  # the run is over; its logs are also on the console
        logging.getLogger(__name__).debug("could not send the queued Prefect logs", exc_info=True)


@contextmanager
def temporary_server(timeout: float = 120.0) -> Iterator[str]:
    """Start a Prefect API server on a free loopback port for the block; yield its API URL; stop it after."""
    ensure_prefect_home()
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "etl.flows._server_child", str(os.getpid()), str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_healthy(url, server, timeout)
        yield url
    finally:
        _send_queued_logs()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_healthy(url: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            error = server.stderr.read().decode(errors="replace") if server.stderr else ""
            raise RuntimeError(f"the temporary Prefect server exited ({server.returncode}): {error[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the temporary Prefect server did not answer on {url} within {timeout:g} s")
