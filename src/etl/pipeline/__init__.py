"""The batch pipeline: the whole run as plain, typed library code (no Prefect).

discover files (``discover``) → hash, skip what is loaded → read and parse, in parallel (``read``) → quality gate
per batch and load (``load``, ``gate``) → one publish per run → Data Docs and report (``run``). Result types
(``FileOutcome``, ``RunSummary``) are in ``results``. ``flows/`` runs the same steps as Prefect tasks.
"""

from etl.pipeline.discover import discover_files, inbox_files
from etl.pipeline.results import FileOutcome, ParsedFile, RunSummary
from etl.pipeline.run import RunEvent, RunOptions, Steps, listening, poll_inbox, run_pipeline

__all__ = [
    "FileOutcome",
    "ParsedFile",
    "RunEvent",
    "RunOptions",
    "RunSummary",
    "Steps",
    "discover_files",
    "inbox_files",
    "listening",
    "poll_inbox",
    "run_pipeline",
]
