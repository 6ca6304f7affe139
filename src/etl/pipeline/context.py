"""What a run takes from its edge, made once there and passed down: :class:`RunContext`.

The edge (the `etl` commands in flows/cli_*.py, the flows' entry in flows/ingest.py) reads the settings
(``etl.settings.get_settings``, with its flags), decides the run's options, and calls :func:`run_context` once; from
there on the run (``etl.pipeline.run.run_pipeline``, ``inbox_poll``) reads every path, the warehouse and where its
progress goes from the context it was handed, never from the environment again. The library builds no context and
reads no settings itself (tests/etl/test_layering.py holds both).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from etl.extract.guarded import ExtractLimits
from etl.load.backend import Warehouse, warehouse_backend
from etl.pipeline.events import Listener, RunEvent, broadcast
from etl.pipeline.options import RunOptions
from etl.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunContext:
    """One run's settings (and the paths in them: the warehouse, the SQL folder, the report, the Data Docs, the
    inbox folders), its options, what it derives from them once (the warehouse handle, the extraction limits) and
    its event sink."""

    settings: Settings
    options: RunOptions
    warehouse: Warehouse
    limits: ExtractLimits
    # Where the run's progress goes. By default every listener in this process (etl.pipeline.events.listening):
    # `etl backfill` shows its bar so whether the run is here or a flow started from the command, which builds
    # its own context at its entry.
    events: Listener = broadcast

    def emit(self, event: RunEvent) -> None:
        """Hand ``event`` to the sink; a broken progress display must not break a load."""
        try:
            self.events(event)
        except Exception:
            log.debug("the run's event sink failed", exc_info=True)


def run_context(settings: Settings, options: RunOptions | None = None, *, events: Listener = broadcast) -> RunContext:
    """The one builder, called at the edge with the settings it read: the warehouse the settings name (a file or a
    lake: etl.load.backend) and the limits on reading one file, derived here once."""
    return RunContext(
        settings=settings,
        options=options or RunOptions(),
        warehouse=warehouse_backend(settings),
        limits=ExtractLimits.from_settings(settings),
        events=events,
    )
