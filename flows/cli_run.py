"""How a command runs the pipeline: in this process, or as its Prefect flow (the configured server, or a temporary
one), and the exit codes a run ends with (see flows/cli.py's docstring)."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

import typer

from etl.flows.cli_common import err_console

if TYPE_CHECKING:
    from etl.pipeline import RunOptions, RunSummary


def run_or_flow(
    flow_name: str, use_prefect: bool | None, library: Callable[[], RunSummary], **params: Any
) -> RunSummary:
    """Run the library pipeline here, or the named flow of flows/ (same steps) with ``params``; errors → exit 3."""
    import duckdb

    from etl.flows.server import configured_api_url, temporary_server
    from etl.load.lake import LakeError
    from etl.load.rebuild import InterruptedRebuildError
    from etl.load.warehouse import WarehouseCorruptError

    url = configured_api_url()
    try:
        if not (use_prefect if use_prefect is not None else bool(url)):
            return library()
        with nullcontext(url) if url else temporary_server() as api_url:  # the configured server, or one of our own
            os.environ["PREFECT_API_URL"] = api_url
            return run_flow(flow_name, params)
    except (WarehouseCorruptError, InterruptedRebuildError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(3) from exc
    except LakeError as exc:  # the lake's catalog unreachable, an extension missing …
        err_console.print(
            f"[red]error:[/red] {exc}\nReports committed before the error stay in the lake (each is a snapshot of "
            "its own); the input files were left where they were: run again to load the rest."
        )
        raise typer.Exit(3) from exc
    except (OSError, duckdb.IOException) as exc:  # disk full, read-only folder, writer lock not obtained …
        err_console.print(
            f"[red]error:[/red] cannot write the warehouse {params.get('warehouse')}: {exc}\n"
            "Nothing was published (the warehouse is as before) and the input files were left where they were."
        )
        raise typer.Exit(3) from exc
    except duckdb.Error as exc:  # raised before the publish: what fails after it is in the summary instead
        err_console.print(
            f"[red]error:[/red] the run stopped with a database error: {exc}\n"
            "Nothing was published (the warehouse is as before) and the input files were left where they were."
        )
        raise typer.Exit(3) from exc


def parsing_params(options: RunOptions) -> dict[str, Any]:
    """The flow parameters that say how a run parses (the ``backfill`` and ``ingest-reports`` flows), as the
    command's options resolved them: the flow parses as the run here would."""
    return {
        "executor": options.executor,
        "workers": options.workers,
        "dask_address": options.dask_address,
        "batch_size": options.batch_size,
    }


def exit_if_failed(summary: RunSummary) -> None:
    """Exit 4 if a step after the publish failed (each said), else 1 if a file was rejected."""
    for problem in summary.after_publish_errors:
        err_console.print(f"[red]error after publishing:[/red] {problem}", markup=True, highlight=False)
    if summary.after_publish_errors:
        err_console.print("The warehouse was published with this run's reports; only the steps above failed.")
        raise typer.Exit(4)
    if summary.failed:
        raise typer.Exit(1)


def run_flow(flow_name: str, params: dict[str, Any]) -> RunSummary:
    import etl.flows.backfill
    import etl.flows.ingest

    flow: Any = {
        "ingest-reports": etl.flows.ingest.ingest_reports,
        "backfill": etl.flows.backfill.backfill,
        "poll-inbox": etl.flows.ingest.poll_inbox,
    }[flow_name]
    state = flow(**params, return_state=True)
    return etl.flows.ingest.summary_of(state)
