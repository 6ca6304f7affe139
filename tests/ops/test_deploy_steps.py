"""The pull step of prefect.yaml: deployed flows run in the project folder, decided on the worker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from etl.flows.deploy_steps import project_directory, set_project_directory
from etl.settings import PROJECT_ROOT


@pytest.fixture(autouse=True)
def keep_cwd() -> Iterator[None]:
    cwd = Path.cwd()
    yield
    os.chdir(cwd)


def test_without_etl_project_dir_flows_run_in_the_installed_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ETL_PROJECT_DIR", raising=False)
    assert project_directory() == PROJECT_ROOT
    assert set_project_directory() == {"directory": str(PROJECT_ROOT)}
    assert Path.cwd() == PROJECT_ROOT


def test_etl_project_dir_of_the_worker_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("ETL_PROJECT_DIR", str(tmp_path))
    assert set_project_directory() == {"directory": str(tmp_path.resolve())}
    assert Path.cwd() == tmp_path.resolve()


def test_a_folder_that_is_not_the_project_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ETL_PROJECT_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="set ETL_PROJECT_DIR for the worker"):
        set_project_directory()


def test_prefect_yaml_holds_no_absolute_path_and_uses_the_step() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    assert config["pull"] == [{"etl.flows.deploy_steps.set_project_directory": {}}]
    names = {d["name"]: d for d in config["deployments"]}
    assert set(names) == {"quarterly", "inbox-poll", "backfill", "single"}
    assert names["backfill"]["entrypoint"] == "etl.flows.backfill:backfill"


def test_every_entrypoint_is_a_flow_of_the_installed_package() -> None:
    """Module paths (imported as Prefect does), so a worker needs the package, not the project's flows/ files."""
    from prefect import Flow
    from prefect.flows import load_flow_from_entrypoint

    import etl.flows.ingest

    config = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    flows = {d["name"]: load_flow_from_entrypoint(d["entrypoint"]) for d in config["deployments"]}
    assert all(isinstance(flow, Flow) for flow in flows.values())
    # The very objects of etl.flows (one module, one flow object), not a second copy loaded from a file path.
    assert flows["inbox-poll"] is etl.flows.ingest.poll_inbox
    assert flows["single"] is etl.flows.ingest.ingest_report

    def strings(node: object) -> list[str]:
        if isinstance(node, dict):
            return [s for value in node.values() for s in strings(value)]
        if isinstance(node, list):
            return [s for value in node for s in strings(value)]
        return [node] if isinstance(node, str) else []

    assert not [s for s in strings(config) if s.startswith(("/", "~")) or ":\\" in s]
