"""Prefect orchestration of the etl library: thin tasks and flows, the CLI, deployment entry points.

Prefect reads its settings when first imported, so the project's defaults are put in the environment here,
before any module of this package imports prefect: PREFECT_HOME inside the project's data folder (no state
in the user's home), and telemetry off (offline its heartbeat logs a `database is locked` traceback).
Anything the user has set already wins.
"""

import os
from pathlib import Path

_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
os.environ.setdefault("PREFECT_HOME", str(_DATA_DIR / ".prefect"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Prefect's client analytics thread is waited for at exit even with server analytics off (0.5 s per command).
os.environ.setdefault("DO_NOT_TRACK", "1")
