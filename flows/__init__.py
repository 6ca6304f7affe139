"""Prefect orchestration of the etl library: thin tasks and flows, the CLI, deployment entry points.

Installed and imported as ``etl.flows`` (one namespace: the wheel puts nothing at the top of site-packages but
``etl``). The code lives in the repository's top-level ``flows/``; ``src/etl/flows`` is a link to it, as
``src/etl/sql`` is to ``sql/``. The library (every other module of ``etl``) never imports it nor Prefect
(tests/etl/test_layering.py).

Prefect reads its settings when first imported, so the project's defaults are put in the environment here,
before any module of this package imports prefect: PREFECT_HOME in data/.prefect under the working directory
(no state in the user's home, none in the install), and telemetry off (offline its heartbeat logs a
`database is locked` traceback).
Anything the user has set already wins.
"""

import os
from pathlib import Path

# From a checkout's root (pytest puts it on sys.path) this folder is also reachable as a package `flows`: a second
# copy of every module, with its own flow objects and exception classes (an `except RejectedFiles` that misses).
if __name__ != "etl.flows":
    raise ImportError(f"the Prefect wiring is the package etl.flows: import etl.flows, not {__name__}")

# Like every default path, relative to the working directory (never the install: a wheel's site-packages).
os.environ.setdefault("PREFECT_HOME", str(Path("data/.prefect").resolve()))
# Prefect's first start in a new folder migrates a new database (over a minute on a busy 2-core machine, past
# Prefect's 20 s default).
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Prefect's client analytics thread is waited for at exit even with server analytics off (0.5 s per command).
os.environ.setdefault("DO_NOT_TRACK", "1")


def ensure_prefect_home() -> Path:
    """Create PREFECT_HOME where Prefect is about to be used (its temporary server does not create it).

    Not done at import: a CLI run without a Prefect server imports this package but must leave no Prefect state.
    """
    home = Path(os.environ["PREFECT_HOME"]).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home
