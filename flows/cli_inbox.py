"""The `etl` commands of the inbox and its archive: `etl poll` (one pass over the inbox) and `etl rebuild` (the
warehouse replayed from the archived inputs)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from etl.flows.cli_common import AcceptDropsOption, PrefectOption, WarehouseOption, app, console, err_console
from etl.flows.cli_run import exit_if_failed, run_or_flow
from etl.settings import Settings, get_settings

if TYPE_CHECKING:
    from etl.pipeline import RunSummary


@app.command()
def poll(
    inbox: Annotated[Path | None, typer.Option(help="Folder new reports arrive in [env ETL_INBOX_DIR]")] = None,
    archive: Annotated[Path | None, typer.Option(help="Ingested files, by content hash [env ETL_ARCHIVE_DIR]")] = None,
    quarantine: Annotated[
        Path | None, typer.Option(help="Rejected files, with a reason [env ETL_QUARANTINE_DIR]")
    ] = None,
    settle_seconds: Annotated[
        float | None, typer.Option(help="A file must be unchanged this long [env ETL_SETTLE_SECONDS; 10]")
    ] = None,
    warehouse: WarehouseOption = None,
    prefect: PrefectOption = None,
    accept_dropped_tasks: AcceptDropsOption = False,
) -> None:
    """Run the inbox poll once: ingest settled files, archive them or quarantine the rejected ones."""
    from etl.load.versions import DroppedTasksAccepted
    from etl.pipeline import RunOptions, inbox_poll, run_context

    settings = get_settings(
        warehouse=warehouse,
        inbox_dir=inbox,
        archive_dir=archive,
        quarantine_dir=quarantine,
        settle_seconds=settle_seconds,
    )
    accept = DroppedTasksAccepted(everything=accept_dropped_tasks)
    summary = run_or_flow(
        "poll-inbox",
        prefect,
        lambda: inbox_poll(run_context(settings, RunOptions.resolve(settings, "serial", accept_dropped=accept)))[0],
        inbox=str(settings.inbox_dir),
        archive=str(settings.archive_dir),
        quarantine=str(settings.quarantine_dir),
        warehouse=settings.warehouse_setting,
        settle_seconds=settings.settle_seconds,
        accept_dropped_tasks=accept_dropped_tasks,
    )
    _print_polled(summary, settings)
    exit_if_failed(summary)


def _print_polled(summary: RunSummary, settings: Settings) -> None:
    """Each file of the poll with its outcome (and why), then the count and the warehouse's reports."""
    for f in summary.files:
        console.print(f"{f.file}: {f.outcome}" + (f" — {f.message}" if f.message else ""))
    console.print(
        f"{len(summary.files)} file(s); warehouse {settings.warehouse}: {summary.reports_in_warehouse} reports"
    )


@app.command()
def rebuild(
    archive: Annotated[Path | None, typer.Option(help="Folder of archived inputs [env ETL_ARCHIVE_DIR]")] = None,
    warehouse: WarehouseOption = None,
    prefect: PrefectOption = None,
) -> None:
    """Rebuild the warehouse from the archived inputs: the damaged file is moved aside, every input replayed."""
    from etl.load.rebuild import accepted_drops, clear_for_rebuild, replay_files
    from etl.load.versions import DroppedTasksAccepted
    from etl.pipeline import RunOptions, run_context, run_pipeline

    settings = get_settings(warehouse=warehouse, archive_dir=archive)
    if settings.lake_catalog:
        from etl.flows.cli_lake import refuse_rebuild

        refuse_rebuild()
    archive = settings.archive_dir
    with replay_files(archive) as files:  # in arrival order, under the names they arrived with
        if not files:
            err_console.print(f"[red]no archived inputs in {archive}[/red]")
            raise typer.Exit(2)
        if done := clear_for_rebuild(settings.warehouse):
            console.print(done)
        accept = DroppedTasksAccepted(files=accepted_drops(archive))  # what the polls accepted, again
        options = RunOptions.resolve(settings, rebuild=True, accept_dropped=accept)
        summary = run_or_flow(
            "ingest-reports",
            prefect,
            lambda: run_pipeline(files, run_context(settings, options)),
            paths=[str(p) for p in files],
            warehouse=settings.warehouse_setting,
            rebuild=True,
            accept_dropped_tasks=accept.as_list(),
        )
    console.print(
        f"Rebuilt {settings.warehouse} from {len(files)} archived file(s): {summary.reports_in_warehouse} reports, "
        f"{summary.task_rows_in_warehouse} task rows; {len(summary.failed)} failed."
    )
    exit_if_failed(summary)
