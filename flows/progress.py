"""What `etl backfill` shows while it runs and when it is done: a parse bar and a load bar drawn from the run's
progress events (etl.pipeline.events), each file's outcome as it is loaded, then the run's totals."""

from __future__ import annotations

import os
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from etl.pipeline import RunEvent, RunSummary
    from etl.settings import Settings

STYLES = {"loaded": "green", "unchanged": "dim", "failed": "red"}


class BackfillProgress:
    """The bars, while the block runs; ``show`` is the run's event listener. Files whose bytes are loaded already
    are counted (``already``), not listed: a re-run lists only what changed."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[status]}"),
            console=console,
        )
        self.parse_bar = self.progress.add_task("parse", total=None, status="")
        self.load_bar = self.progress.add_task("load", total=None, status="")
        self.already = 0

    def __enter__(self) -> BackfillProgress:
        # The bars say what the logs would: Prefect's run logs and a Dask cluster's worker start/stop lines are
        # kept to warnings (unless set otherwise).
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
        self.progress.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.progress.__exit__(kind, exc, traceback)

    def show(self, event: RunEvent) -> None:
        progress = self.progress
        if event.kind == "start":
            progress.update(self.parse_bar, total=event.total, status=event.detail)
            progress.update(self.load_bar, total=event.total)
        elif event.kind == "parsed":
            progress.update(self.parse_bar, advance=1, status=event.file)
        else:
            not_read = event.detail.startswith("already loaded")
            if not_read or (event.kind == "failed" and not event.detail):
                progress.update(self.parse_bar, advance=1)
            style = STYLES.get(event.kind, "")
            progress.update(self.load_bar, advance=1, status=f"[{style}]{event.kind}[/{style}] {event.file}")
            if not_read:
                self.already += 1
            else:
                progress.console.print(f"[{style}]{event.kind:<9}[/{style}] {event.file}  [dim]{event.detail}[/dim]")


def print_backfill_summary(
    summary: RunSummary, settings: Settings, already: int, console: Console, err_console: Console
) -> None:
    """Each failure, the files not read again, the counts and timings, and what the warehouse now holds."""
    for f in summary.failed:
        err_console.print(f"[red]failed:[/red] {f.message}")
    if already:
        console.print(f"[dim]{already} file(s) already loaded (the same bytes): not read again[/dim]")
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(summary.counts().items()))
    console.print(
        f"{len(summary.files)} file(s): {counts}; parsed with {summary.executor} ({summary.workers} worker(s)) in "
        f"{summary.parse_seconds:.1f} s, whole backfill {summary.total_seconds:.1f} s."
    )
    console.print(
        f"Warehouse [bold]{summary.warehouse}[/bold]: {summary.reports_in_warehouse} report file(s) "
        f"({summary.current_reports} current), {summary.task_rows_in_warehouse} task rows."
    )
