"""A run's progress as events: ``start``, then per file ``parsed`` and one of ``loaded`` / ``unchanged`` /
``failed``. A run hands them to its context's sink (etl.pipeline.context.RunContext.events); the default sink,
:func:`broadcast`, passes them to the process's listeners, each added for the length of a block (the CLI's
progress bar listens so)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from etl.pipeline.results import FileOutcome

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunEvent:
    """``start`` (``total`` files), ``parsed`` per file, then one of ``loaded`` / ``unchanged`` / ``failed``."""

    kind: str
    file: str = ""
    total: int = 0
    detail: str = ""


Listener = Callable[[RunEvent], None]
_listeners: list[Listener] = []


class listening:
    """Call ``listener`` with the events of runs in this process while the block runs."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener

    def __enter__(self) -> None:
        _listeners.append(self.listener)

    def __exit__(self, *exc: object) -> None:
        _listeners.remove(self.listener)


def broadcast(event: RunEvent) -> None:
    """Every listener in this process gets ``event``."""
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:  # a broken progress display must not break a load
            log.debug("progress listener failed", exc_info=True)


def outcome_event(outcome: FileOutcome) -> RunEvent:
    """A file's outcome as its event: the first line of why it failed, or the rows it loaded."""
    detail = (outcome.message or "").split("\n")[0] if outcome.outcome == "failed" else f"{outcome.rows} rows"
    if outcome.message and outcome.outcome == "unchanged":
        detail = outcome.message
    return RunEvent(outcome.outcome, outcome.file, detail=detail)
