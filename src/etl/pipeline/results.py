"""Result types of a pipeline run: what happened to each file, and the run as a whole (no Prefect in here)."""

from __future__ import annotations

from pydantic import BaseModel

from etl.models import Report
from etl.vocabulary import OutcomeKind


class ParsedFile(BaseModel):
    """What reading and parsing one file gave: the report, or why the file is not one (picklable both ways)."""

    path: str
    sha256: str | None = None
    report: Report | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]


class FileOutcome(BaseModel):
    """What happened to one file in one run."""

    file: str
    outcome: OutcomeKind
    path: str | None = None
    sha256: str | None = None
    issuer: str | None = None
    year: int | None = None
    quarter: int | None = None
    period_end_month: int | None = None
    period_label: str | None = None
    tasks: int = 0
    rows: int = 0
    seconds: float = 0.0
    message: str | None = None
    warnings: int = 0
    accepted_drops: list[int] = []  # tasks of the replaced version it dropped, accepted by --accept-dropped-tasks


class RunSummary(BaseModel):
    """The result of a run, as the CLI prints it and the Prefect artifacts show it."""

    run_id: str
    warehouse: str
    files: list[FileOutcome]
    reports_in_warehouse: int = 0
    current_reports: int = 0
    tasks_in_warehouse: int = 0
    task_rows_in_warehouse: int = 0
    open_warnings: int = 0
    data_docs: str = ""
    report: str = ""
    executor: str = "serial"
    workers: int = 1
    skipped: int = 0  # files already in the warehouse: hashed, not parsed again
    parse_seconds: float = 0.0  # from the first file read until every file is parsed
    total_seconds: float = 0.0
    published: bool = False  # False: nothing new, the warehouse was not written (a no-op run)
    published_failures: list[str] = []  # warehouse-wide critical expectations that failed after loading
    # What failed after the warehouse was published (the HTML report, Data Docs, moving inbox files), one sentence
    # each: the published data stands; the CLI exits 4.
    after_publish_errors: list[str] = []
    steps: dict[str, float] = {}  # wall seconds per step of the run (benchmarks/single_report.py shows them)

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.outcome == "failed"]

    def counts(self) -> dict[str, int]:
        """Files per outcome, e.g. {'loaded': 3, 'unchanged': 1}."""
        out: dict[str, int] = {}
        for f in self.files:
            out[f.outcome] = out.get(f.outcome, 0) + 1
        return out

    def failure_message(self) -> str:
        """One line naming every rejected file and what failed after the publish (a Failed flow-run state, alerts)."""
        names = ", ".join(f.file for f in self.failed)
        parts = [f"{len(self.failed)} of {len(self.files)} file(s) rejected: {names}"] if self.failed else []
        if self.after_publish_errors:
            parts.append("published, but: " + "; ".join(self.after_publish_errors))
        return "; ".join(parts)
