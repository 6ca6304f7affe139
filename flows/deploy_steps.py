"""Deployment pull step: run a deployed flow in the project folder, wherever the worker was started.

A process worker starts each flow run in a new temporary folder. The deployments' entrypoints are module paths
(``etl.flows.ingest:poll_inbox``), imported from the package installed in the worker's Python, so the code is
found anywhere; their relative paths (``data/inbox``, ``data/warehouse.duckdb`` …) are not, so the pull step of
``prefect.yaml`` changes into the project folder. Prefect's own ``set_working_directory`` step needs the folder in
the file (an absolute path of one machine) or an environment template such as ``{{ $ETL_PROJECT_DIR }}``, which
``prefect deploy`` replaces by the deploying shell's value when it is set (pinning every worker to that machine's
path) and which fails with an empty path on a worker where it is unset. This step decides at run time, on the
worker:

1. ``ETL_PROJECT_DIR`` of the worker's environment, if set;
2. otherwise the checkout this package is installed from (the editable install of ``make``; a checkout has
   ``prefect.yaml`` at its root). Installed from a wheel there is none: ETL_PROJECT_DIR must be set.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR_ENV = "ETL_PROJECT_DIR"


def project_directory() -> Path:
    """The folder deployed flows run in: $ETL_PROJECT_DIR, else the checkout this package is installed from."""
    configured = os.environ.get(PROJECT_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    # This file is flows/deploy_steps.py of a checkout (src/etl/flows links to flows/), or etl/flows/ of a wheel.
    checkout = Path(__file__).resolve().parents[1]
    if not (checkout / "prefect.yaml").is_file():
        raise FileNotFoundError(
            f"etl is not installed from a checkout ({checkout} has no prefect.yaml): set {PROJECT_DIR_ENV} for the "
            "worker to the folder the deployments' data/ paths are relative to"
        )
    return checkout


def set_project_directory() -> dict[str, str]:
    """Pull step (``etl.flows.deploy_steps.set_project_directory``): change into the project folder.

    Returns ``{"directory": …}`` like Prefect's ``set_working_directory``, so the worker takes it as the flow
    run's working directory.
    """
    directory = project_directory()
    if not (directory / "data").is_dir():
        raise FileNotFoundError(
            f"{directory} is not the project folder (no data/ in it, where the deployments' paths point): "
            f"set {PROJECT_DIR_ENV} for the worker"
        )
    os.chdir(directory)
    return {"directory": str(directory)}
