"""`pip install .` (a wheel, not editable) gives a working `etl`, run from another folder.

Builds the wheel, installs it into a fresh virtual environment (dependencies from pip's cache once they are
there) and runs `etl ingest` on a copy of the real report in an empty folder, with Prefect's temporary server,
as a new user would. The warehouse, the Prefect state and the report land in that folder, never in the install.
The wheel installs one package, etl (the Prefect wiring as etl.flows), and no top-level `flows`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from etl.extract.formats import FORMATS
from tests.conftest import PROJECT_ROOT, REAL_TEXT_DUMP

pytestmark = pytest.mark.wheel
LIST_FORMATS = "from etl.extract.formats import FORMATS; print(*(fmt.name for fmt in FORMATS))"


def test_the_installed_wheel_ingests_a_report_from_another_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(PROJECT_ROOT)],
        check=True,
        timeout=600,
    )
    (wheel,) = dist.glob("gov_report_etl-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "etl/sql/migrations/0001_baseline.sql.d/01_schemas_raw_and_report.sql" in names
    assert "etl/data/indicators.yaml" in names
    assert "etl/data/templates.yaml" in names
    # The input formats are found from the modules of etl.extract.readers: every one of them ships.
    readers = sorted(PROJECT_ROOT.joinpath("src/etl/extract/readers").glob("*.py"))
    assert len(readers) >= 10 and all(f"etl/extract/readers/{path.name}" in names for path in readers)
    # One namespace: the Prefect wiring (the repository's flows/) is etl.flows; nothing else at the top.
    assert "etl/flows/ingest.py" in names and "etl/flows/cli.py" in names
    tops = {name.split("/")[0] for name in names}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"etl"}, sorted(tops)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, str(wheel)], check=True, timeout=1800)

    work = tmp_path / "elsewhere"
    work.mkdir()
    report = work / "report.txt"
    shutil.copyfile(REAL_TEXT_DUMP, report)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "ETL_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    etl = str(venv / "bin" / "etl")
    result = subprocess.run(
        [etl, "ingest", "report.txt", "--warehouse", "x.duckdb"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    def python_in_venv(code: str) -> subprocess.CompletedProcess[str]:
        """``code`` run by the wheel's virtual environment, from the other folder, output captured."""
        python = str(venv / "bin" / "python")
        return subprocess.run(
            [python, "-c", code], cwd=work, env=env, capture_output=True, text=True, timeout=120, check=False
        )

    installed = python_in_venv(LIST_FORMATS)
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.split() == [fmt.name for fmt in FORMATS]  # the installed wheel finds the same formats
    with duckdb.connect(str(work / "x.duckdb"), read_only=True) as conn:
        assert conn.execute("select count(*) from core.report").fetchone() == (1,)
        assert conn.execute("select count(*) from mart.task_progress").fetchone() == (34,)
        assert conn.execute("select count(*) from core.indicator").fetchone() != (0,)  # the shipped catalog
    # Without a Prefect server the CLI runs in-process and leaves no Prefect state; where Prefect is used, its
    # state folder defaults to the working directory, never the install.
    assert not (work / "data" / ".prefect").exists(), "an in-process run leaves no Prefect state"
    home = python_in_venv("import os, etl.flows; print(os.environ['PREFECT_HOME'])")
    assert home.returncode == 0, home.stderr
    assert Path(home.stdout.strip()).resolve() == (work / "data" / ".prefect").resolve()
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert not (site / "data").exists() and not (site.parent / "data").exists()
    assert not (site / "flows").exists(), "the wheel installs no top-level package `flows`"
    assert (site / "etl" / "flows" / "ingest.py").is_file()
    no_flows = python_in_venv("import flows")
    assert no_flows.returncode != 0 and "No module named 'flows'" in no_flows.stderr, no_flows.stderr
    # Deployed flows of a wheel install run where ETL_PROJECT_DIR says: there is no checkout to fall back to.
    no_project = python_in_venv("from etl.flows.deploy_steps import project_directory as p; p()")
    assert no_project.returncode != 0 and "set ETL_PROJECT_DIR for the worker" in no_project.stderr
    dry = subprocess.run(
        [etl, "init", "--dry-run", "-w", "x.duckdb"], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )
    assert dry.returncode == 0 and "no pending migrations" in dry.stdout, dry.stdout + dry.stderr
