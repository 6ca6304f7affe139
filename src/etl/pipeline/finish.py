"""Step 7 of a run, after the publish: Data Docs and the HTML report.

The warehouse is published when this runs, so a failure here must not read as "nothing was published": with the
disk full, writing report.html failed with ENOSPC, the run said "Nothing was published (the warehouse is as before)"
and left report.html.partial. Each failure is caught here and returned as a sentence saying what was published and
what was not written (``Finished.problems``); the run summary carries it, the CLI prints it and exits 4, a Prefect
run ends Failed with it. Nothing here raises.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from etl.load.backend import Warehouse
    from etl.pipeline.gate_worker import Gate
    from etl.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finished:
    data_docs: str = ""
    report: str = ""
    problems: tuple[str, ...] = ()  # what could not be done after the publish, one sentence each


def finish(settings: Settings, source: Warehouse, gate: Gate | None, *, write_report: bool) -> Finished:
    """Data Docs (if anything was validated) and the HTML report of the warehouse ``source`` (the run's: a lake is
    read at its latest snapshot), once per run; failures as ``problems``."""
    problems: list[str] = []
    docs_future = None
    if gate is not None:
        try:
            docs_future = gate.start_data_docs()  # in the gate worker, while this process writes the report
        except Exception as exc:
            problems.append(_docs_problem(settings, exc))
    report = ""
    if write_report:
        try:
            from etl.report import write_report as render_report  # plotly: only when a report is written

            written = render_report(
                settings.warehouse if source.kind == "file" else source, settings.report_file, sql_dir=settings.sql_dir
            )
            report = str(written.path.resolve())
        except Exception as exc:
            log.debug("writing the HTML report failed after the publish", exc_info=True)
            problems.append(
                f"the HTML report {settings.report_file} was not written ({_reason(exc)}); no partial file was left, "
                "and a report already there is from an earlier run. Run `etl report` to write it"
            )
    docs = None
    if docs_future is not None:
        try:
            docs = docs_future.result()
        except Exception as exc:
            problems.append(_docs_problem(settings, exc))
    return Finished(data_docs=str(docs.resolve()) if docs else "", report=report, problems=tuple(problems))


def _docs_problem(settings: Settings, exc: BaseException) -> str:
    log.debug("building the Data Docs failed after the publish", exc_info=exc)
    return (
        f"the Data Docs in {settings.data_docs_dir} were not built ({_reason(exc)}); they may be incomplete until the "
        "next run builds them again"
    )


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__
