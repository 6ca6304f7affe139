"""`etl backfill`: many report files through the ingest run, parsing in parallel processes (or on Dask), with a
progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from etl.flows.cli_common import PrefectOption, WarehouseOption, app, console, err_console, require_existing
from etl.flows.cli_run import exit_if_failed, parsing_params, run_or_flow
from etl.settings import Executor, get_settings


@app.command()
def backfill(
    paths: Annotated[list[Path], typer.Argument(help="Report files or folders (folders are searched recursively)")],
    workers: Annotated[
        int | None, typer.Option("--workers", "-n", help="Parsing processes [env ETL_BACKFILL_WORKERS; CPU count]")
    ] = None,
    dask_address: Annotated[
        str | None,
        typer.Option("--dask-address", help="Parse on this Dask scheduler (tcp://host:8786) [env ETL_DASK_ADDRESS]"),
    ] = None,
    task_runner: Annotated[
        Executor | None,
        typer.Option(
            "--task-runner",
            help="process | dask | serial [env ETL_BACKFILL_TASK_RUNNER; dask with an address, else process]",
        ),
    ] = None,
    batch_size: Annotated[int | None, typer.Option("--batch-size", help="Files per parse batch [auto]")] = None,
    warehouse: WarehouseOption = None,
    prefect: PrefectOption = None,
) -> None:
    """Backfill many report files: the ingest run with a progress bar, parsing in parallel processes (or on Dask)."""
    require_existing(paths)
    from etl.flows.progress import BackfillProgress, print_backfill_summary
    from etl.pipeline import RunOptions, discover_files, listening, run_context, run_pipeline

    settings = get_settings(warehouse=warehouse)
    options = RunOptions.resolve(settings, task_runner, workers, dask_address, batch_size=batch_size)
    with BackfillProgress(console) as progress, listening(progress.show):
        summary = run_or_flow(
            "backfill",
            prefect,
            lambda: run_pipeline(discover_files(paths), run_context(settings, options)),
            paths=[str(p) for p in paths],
            warehouse=settings.warehouse_setting,
            **parsing_params(options),
        )
    print_backfill_summary(summary, settings, progress.already, console, err_console)
    exit_if_failed(summary)
