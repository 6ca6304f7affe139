"""The batch pipeline: the whole run as plain, typed library code (no Prefect).

discover files (``discover``) → hash, skip what is loaded → read and parse, in parallel (``read``) → quality gate
per batch and load (``load``, ``gate``) → one publish per run → Data Docs and report (``finish``); the order of
the steps is ``run``, what it takes from its edge ``context`` (built once there), how a run parses ``options`` and
``parallel``, its progress ``events``. Result types
(``FileOutcome``, ``RunSummary``) are in ``results``. ``flows/`` runs the same steps as Prefect tasks.
"""

from etl.pipeline.context import RunContext, run_context
from etl.pipeline.discover import discover_files, inbox_files
from etl.pipeline.events import RunEvent, listening
from etl.pipeline.options import RunOptions
from etl.pipeline.results import FileOutcome, ParsedFile, RunSummary
from etl.pipeline.run import Steps, inbox_poll, run_pipeline

__all__ = [
    "FileOutcome",
    "ParsedFile",
    "RunContext",
    "RunEvent",
    "RunOptions",
    "RunSummary",
    "Steps",
    "discover_files",
    "inbox_files",
    "inbox_poll",
    "listening",
    "run_context",
    "run_pipeline",
]
