"""Deployment pull step: run a deployed flow in the project folder, wherever the worker was started.

A process worker starts each flow run in a new temporary folder, so the pull step of ``prefect.yaml`` has to
change into the project: the entrypoint (``flows/ingest.py``) and the deployments' relative paths
(``data/inbox``, ``data/warehouse.duckdb`` …) are taken from there. Prefect's own ``set_working_directory`` step
needs the folder in the file (an absolute path of one machine) or an environment template such as
``{{ $ETL_PROJECT_DIR }}``, which ``prefect deploy`` replaces by the deploying shell's value when it is set
(pinning every worker to that machine's path) and which fails with an empty path on a worker where it is unset.
This step decides at run time, on the worker:

1. ``ETL_PROJECT_DIR`` of the worker's environment, if set;
2. otherwise the project this package is installed from (the checkout, with the editable install of ``make``).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR_ENV = "ETL_PROJECT_DIR"


def project_directory() -> Path:
    """The folder deployed flows run in: $ETL_PROJECT_DIR, else the project this package belongs to."""
    configured = os.environ.get(PROJECT_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(__file__).resolve().parents[1]


def set_project_directory() -> dict[str, str]:
    """Pull step (``flows.deploy_steps.set_project_directory``): change into the project folder.

    Returns ``{"directory": …}`` like Prefect's ``set_working_directory``, so the worker takes it as the flow
    run's working directory.
    """
    directory = project_directory()
    if not (directory / "flows").is_dir():
        raise FileNotFoundError(
            f"{directory} is not the project folder (no flows/ in it): set {PROJECT_DIR_ENV} for the worker"
        )
    os.chdir(directory)
    return {"directory": str(directory)}
