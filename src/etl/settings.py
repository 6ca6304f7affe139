"""One settings object: defaults that work with no configuration, overridden by ETL_* variables or CLI flags."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from etl.resources import SHIPPED_SQL_DIR, bundled_path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The oldest DuckDB able to open the warehouse files we write (BI drivers often bundle DuckDB 1.1).
DEFAULT_STORAGE_VERSION = "v1.1.0"
# Seconds a writer waits for another writer's lock on the warehouse.
DEFAULT_LOCK_TIMEOUT = 600.0

# Where the pipeline's batches are parsed: one guarded child process, several (process: one per worker), or Dask.
Executor = Literal["serial", "process", "dask"]


class Settings(BaseSettings):
    """Paths the pipeline reads and writes. Relative paths are taken from the current directory."""

    model_config = SettingsConfigDict(env_prefix="ETL_", env_file=None, extra="ignore")

    warehouse: Path = Field(
        default=Path("data/warehouse.duckdb"),
        description="DuckDB warehouse file, or a lake: ducklake:postgres:dbname=… host=… (ducklake:sqlite:…, "
        "ducklake:duckdb:…) with lake_data_path",
    )
    # The warehouse setting as given, when it names a lake (etl.load.lake.LakeSpec): kept as a string, since a
    # Path would fold the catalog's connection string (doubled or trailing slashes). Set from ``warehouse``.
    lake_catalog: str | None = Field(default=None, description="ducklake:… of the warehouse setting (derived)")
    lake_data_path: str | None = Field(
        default=None,
        description="Folder (or s3://…, via DuckDB's own settings) of a lake's Parquet files; needed to create one",
    )
    samples_dir: Path = Field(default=Path("data/samples"), description="Bundled sample reports")
    sql_dir: Path = Field(
        default=SHIPPED_SQL_DIR, description="Migrations and views (default: the shipped sql/)"
    )
    data_docs_dir: Path | None = Field(
        default=None,
        description="Great Expectations Data Docs (static HTML) built on each run [beside the warehouse: "
        "<folder>/<name>_gx_docs]; None given explicitly: no Data Docs",
    )
    indicators_file: Path = Field(
        default_factory=lambda: bundled_path("data", "indicators.yaml"),
        description="Indicator catalog seeded on every run (default: the shipped data/indicators.yaml)",
    )
    inbox_dir: Path = Field(default=Path("data/inbox"), description="Folder new reports arrive in (etl poll)")
    archive_dir: Path = Field(default=Path("data/archive"), description="Ingested inputs, by content hash")
    quarantine_dir: Path = Field(default=Path("data/quarantine"), description="Rejected inputs, with a reason")
    settle_seconds: float = Field(
        default=10.0, ge=0, description="An inbox file must be unchanged this long before it is taken"
    )
    storage_version: str = Field(
        default=DEFAULT_STORAGE_VERSION,
        pattern=r"^(v\d+\.\d+\.\d+|latest)$",
        description="DuckDB storage version new warehouse files are written with: the oldest DuckDB that opens them",
    )
    lock_timeout: float = Field(
        default=DEFAULT_LOCK_TIMEOUT,
        ge=0,
        description="Seconds a writer waits for another writer's lock on the warehouse",
    )
    docs_dir: Path = Field(default=Path("docs"), description="Where `etl docs` writes the data dictionary")
    report_file: Path = Field(
        default=Path("report.html"),
        description="Where `etl report` and each run write the report "
        "[beside the warehouse: <folder>/<name>_report.html]",
    )
    templates_file: Path | None = Field(
        default=None,
        description="Report table templates (header words per field); None: the bundled data/templates.yaml",
    )
    # Bounds on one input file's extraction (etl.extract.guarded): a hostile or broken file is rejected with a
    # ReportError naming the limit instead of hanging the run or exhausting the machine's memory.
    max_file_mb: float = Field(default=100.0, gt=0, description="Largest input file accepted, in MB")
    max_pages: int = Field(default=1000, ge=1, description="Most pages a PDF may have (counted before extraction)")
    max_extract_memory_mb: int = Field(
        default=2048, ge=256, description="Address-space limit (RLIMIT_AS) of the process that extracts a PDF, in MB"
    )
    max_extract_seconds: float = Field(
        default=300.0, gt=0, description="Wall-clock limit on extracting one PDF; the extractor is killed after it"
    )
    # How a batch is read and parsed (etl.pipeline): parse processes, or a Dask scheduler to parse on.
    backfill_task_runner: Executor | None = Field(
        default=None, description="serial | process | dask [default: dask with an address, else process]"
    )
    backfill_workers: int | None = Field(default=None, ge=1, description="Parse processes [default: CPU count]")
    dask_address: str | None = Field(default=None, description="A distributed scheduler, tcp://host:8786")

    @property
    def warehouse_setting(self) -> str:
        """The warehouse setting as text: the lake as given, or the file's path (to pass on, e.g. to a flow)."""
        return self.lake_catalog or str(self.warehouse)

    @model_validator(mode="before")
    @classmethod
    def _lake_catalog(cls, data: object) -> object:
        """A warehouse setting that starts with ``ducklake:`` names a lake: keep its text as given."""
        if isinstance(data, dict):
            value = data.get("warehouse")
            if isinstance(value, str) and value.startswith("ducklake:"):
                data = {**data, "lake_catalog": value}
            elif value is not None:
                data = {**data, "lake_catalog": None}
        return data

    @model_validator(mode="after")
    def _outputs_beside_the_warehouse(self) -> Settings:
        """The report and the Data Docs belong to their warehouse: unless set, they go beside it, named after it
        (data/warehouse.duckdb → data/warehouse_report.html, data/warehouse_gx_docs), so that a run on another
        warehouse never rewrites the default one's."""
        if self.lake_catalog:  # a lake is no file to stand beside: data/lake_report.html, data/lake_gx_docs
            folder, name = Path("data"), "lake"
        else:
            folder, name = self.warehouse.parent, self.warehouse.stem
        if "report_file" not in self.model_fields_set:
            self.report_file = folder / f"{name}_report.html"
        if "data_docs_dir" not in self.model_fields_set:
            self.data_docs_dir = folder / f"{name}_gx_docs"
        return self


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with CLI flags (non-None overrides) taking precedence."""
    values = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**values)  # type: ignore[arg-type]
