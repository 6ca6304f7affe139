"""Shared fixtures: the bundled real report and temporary warehouses."""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest

import etl.flows  # noqa: F401  (Prefect environment defaults before prefect is imported)
from etl.declared import read_sidecar
from etl.extract.guarded import ExtractLimits, extract_guarded
from etl.extract.source import read_source
from etl.extract.text_dump import read_text_dump
from etl.load.schema import apply_schema
from etl.load.seeds import seed_indicator_catalog
from etl.load.warehouse import LoadResult, connect, load_reports
from etl.metrics.catalog import load_catalog
from etl.models import RawReport, Report
from etl.parse.report import parse_report
from etl.settings import PROJECT_ROOT
from etl.validate.gate import QualityGate, ValidationOutcome, history_frames_many, published_frames, report_frames

# Prefect's state of a test session (PREFECT_HOME: result storage, memo store) in a temporary folder of its own, set
# before any test module imports Prefect, instead of etl.flows' default data/.prefect in the checkout: a test run
# leaves nothing in the repository, and sessions side by side (pytest-xdist workers, two checkouts) share no files.
_PREFECT_HOME = tempfile.mkdtemp(prefix="etl-test-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)

SAMPLES = PROJECT_ROOT / "data" / "samples"
REAL_TEXT_DUMP = SAMPLES / "2024Q3_市工信局_政府工作报告任务完成情况.txt"
REAL_PDF = SAMPLES / "typeset" / "2024Q3_市工信局_政府工作报告任务完成情况.pdf"
SQL_DIR = PROJECT_ROOT / "sql"
INDICATORS = PROJECT_ROOT / "data" / "indicators.yaml"
SYNTHETIC = sorted(SAMPLES.glob("*synthetic*.txt"))


@pytest.fixture(scope="session")
def real_report() -> Report:
    """The bureau's real 2024 Q3 report, parsed from the text dump as delivered."""
    return parse_report(read_text_dump(REAL_TEXT_DUMP))


@pytest.fixture
def real_dump_lines() -> list[str]:
    return REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")


def read_source_guarded(path: Path, limits: ExtractLimits | None = None) -> RawReport:
    """The RawReport the guarded child reads from ``path`` (as the pipeline reads it, without its parse step)."""
    return extract_guarded(path, limits).raw


def write_dump(tmp_path: Path, lines: list[str], name: str = "report.txt") -> Path:
    """A text dump made from (possibly edited) lines of the real one."""
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


TREND_MARTS = (
    "task_progress",
    "quarterly_completion",
    "office_quarterly_completion",
    "task_history",
    "metric_observation",
    "indicator_yoy",
    "target_attainment",
)


def mart_snapshot(warehouse: Path, *, without: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    """Every trend mart view's rows (sorted) without the named columns, plus core.task_version: to compare runs."""
    snapshot = {}
    with connect(warehouse, read_only=True) as conn:
        for view in TREND_MARTS:
            columns = [
                name
                for (name,) in conn.execute(
                    "select column_name from duckdb_columns() where schema_name = 'mart' and table_name = ? "
                    "and not list_contains(?, column_name)",
                    [view, list(without)],
                ).fetchall()
            ]
            snapshot[view] = conn.execute(f"select {', '.join(columns)} from mart.{view} order by all").fetchall()
        snapshot["task_version"] = conn.execute("select * from core.task_version order by all").fetchall()
    return snapshot


def load_report(conn: duckdb.DuckDBPyConnection, report: Report, *, run_id: str | None = None) -> LoadResult:
    """One report loaded in a transaction of its own (etl.load.warehouse.load_reports of one): how tests build a
    warehouse report by report; the pipeline loads a batch at a time."""
    return load_reports(conn, [report], run_id=run_id)[0]


# The quality gate's suites on one report, one report's history or the published warehouse: what a run validates a
# batch at a time (etl.pipeline.gate_and_load, etl.pipeline.run.check_published), for one, as the suites' tests ask.
def validate_report(gate: QualityGate, report: Report) -> ValidationOutcome:
    """The report_* suites on the parsed report: its rows, its tasks, its header and (a scan) its OCR cells."""
    return gate.validate_batch([report_frames(report)], run_names=[report.raw.source_file])[0]


def validate_history(gate: QualityGate, conn: duckdb.DuckDBPyConnection, report: Report) -> ValidationOutcome:
    """The history_* suites: the report against the current reports of its issuer and year, before loading it."""
    return gate.validate_batch(history_frames_many(conn, [report]), run_names=[report.raw.source_file])[0]


def validate_published(gate: QualityGate, conn: duckdb.DuckDBPyConnection) -> ValidationOutcome:
    """The published_* suites on the warehouse after loading: one current version each, all rows loaded."""
    return gate.validate_batch([published_frames(conn)], run_names=["published"])[0]


def build_warehouse(path: Path, files: Iterable[Path]) -> list[LoadResult]:
    """A warehouse loaded with the library alone (no Prefect), in the order given (with each file's declared
    metadata, its .meta.yaml sidecar, as the pipeline reads it)."""
    with connect(path) as conn:
        apply_schema(conn, SQL_DIR)
        seed_indicator_catalog(conn, load_catalog(INDICATORS))
        return [load_report(conn, parse_report(read_source(file), read_sidecar(file))) for file in files]


REAL_TABLES = PROJECT_ROOT / "tests" / "fixtures" / "real_tables"


def real_tables_folder(folder: Path, form: str = "html") -> list[Path]:
    """Every real table of other issuers (tests/fixtures/real_tables, derived) copied into ``folder`` in one form, each
    with its declared metadata (its fixture's ``declared``) as the sidecar <file>.meta.yaml that etl.declared reads."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for expected_file in sorted(REAL_TABLES.glob("*/*.expected.yaml")):
        name = expected_file.name.removesuffix(".expected.yaml")
        expected = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
        target = folder / f"{name}.{form}"
        target.write_bytes((expected_file.parent / f"{name}.{form}").read_bytes())
        if expected.get("declared"):
            sidecar = folder / f"{name}.{form}.meta.yaml"
            sidecar.write_text(yaml.safe_dump(expected["declared"], allow_unicode=True), encoding="utf-8")
        copies.append(target)
    return copies


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real report, its PDF and the synthetic history, loaded once for the view tests (read-only use)."""
    path = tmp_path_factory.mktemp("samples") / "warehouse.duckdb"
    build_warehouse(path, [REAL_TEXT_DUMP, REAL_PDF, *SYNTHETIC])
    return path


# One temporary Prefect server for the whole session: flows run for real, the start-up is paid once.


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture(scope="session")
def prefect_api_url(prefect_harness: None) -> str:
    """The session server's API address, for `etl` commands run as real subprocesses."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    assert url, "the Prefect test harness did not set an API URL"
    return str(url)


@pytest.fixture(autouse=True)
def data_docs_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Great Expectations Data Docs of test runs go to a temporary folder, not the project's data/."""
    monkeypatch.setenv("ETL_DATA_DOCS_DIR", str(tmp_path_factory.mktemp("gx_docs")))


def make_many_reports_module() -> ModuleType:
    """scripts/make_many_reports.py (synthetic reports derived from the real one), imported from its path (scripts/
    is not a package); registered in sys.modules so its dataclasses resolve."""
    name = "make_many_reports"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "scripts" / "make_many_reports.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


def run_etl(args: list[str], api_url: str) -> subprocess.CompletedProcess[str]:
    """`etl …` as a user runs it: a real process, talking to the session's Prefect server."""
    env = {**os.environ, "PREFECT_API_URL": api_url, "COLUMNS": "200"}
    etl = Path(sys.executable).parent / "etl"
    return subprocess.run([str(etl), *args], capture_output=True, text=True, env=env, timeout=300, check=False)


# The lake backend: one throw-away PostgreSQL cluster per session (tests/postgres.py), a new database per lake.


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A running PostgreSQL cluster on a Unix socket under the session's temporary folder."""
    from tests.postgres import PostgresCluster

    cluster = PostgresCluster(tmp_path_factory.mktemp("pg")).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def lake_env(postgres: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A new, empty lake on the session's PostgreSQL (catalog in a new database, data under tmp_path), set as the
    warehouse in the environment; the two settings are returned too (for subprocesses and get_settings)."""
    setting = {
        "ETL_WAREHOUSE": f"ducklake:postgres:{postgres.dsn(postgres.create_database())}",
        "ETL_LAKE_DATA_PATH": str(tmp_path / "lake_data"),
    }
    for name, value in setting.items():
        monkeypatch.setenv(name, value)
    return setting
