"""The `etl` command: it parses options, runs the library pipeline (or its Prefect flow) and prints.

Where a run runs: with a Prefect API configured (``PREFECT_API_URL`` in the environment or the active Prefect
profile, e.g. after ``make serve``), ``etl ingest`` / ``backfill`` / ``poll`` / ``rebuild`` run the Prefect flow
against it (task runs, artifacts, a Failed state when a file is rejected); without one they run the same library
pipeline in this process, with no Prefect server at all. ``--prefect`` forces the flow (starting a temporary
server tied to this command when none is configured: ``make run``), ``--no-prefect`` the library.

Exit codes: 0 done; 1 a file was rejected (the others were loaded and published), or `etl sql` refused or failed;
2 a usage error (a path that does not exist); 3 nothing was published (a damaged warehouse: run `etl rebuild`; the
disk full or a read-only folder; the writer lock not obtained), the input files left where they were; 4 the warehouse
was published, but a step after it failed (the HTML report, Data Docs, moving an inbox file): the message says what
was and was not done.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

import etl.flows
from etl.errors import ReportError
from etl.flows.cli_common import (
    AcceptDropsOption,
    IssuerOption,
    PeriodOption,
    PrefectOption,
    WarehouseOption,
    app,
    console,
    declared_meta,
    err_console,
    print_error,
    print_query,
    require_existing,
)
from etl.flows.cli_run import exit_if_failed, run_or_flow
from etl.settings import Settings, get_settings

if TYPE_CHECKING:
    from etl.load.upgrade import Initialized
    from etl.models import Report
    from etl.pipeline import RunSummary

__all__ = ["app", "main"]


def _warehouse_flag(settings: Settings) -> str:
    """`` -w <path>`` when the warehouse is not the one `etl sql` opens by default, so the hint runs as printed."""
    if settings.lake_catalog:
        return f" -w {shlex.quote(settings.lake_catalog)}"
    default = get_settings().warehouse
    if settings.warehouse.resolve() == default.resolve():
        return ""
    return f" -w {shlex.quote(str(settings.warehouse))}"


def _one_line(sql_text: str) -> str:
    return " ".join(line for line in sql_text.splitlines() if not line.lstrip().startswith("--")).strip()


def _print_summary(summary: RunSummary, settings: Settings) -> None:
    table = Table(title="Files")
    table.add_column("file", overflow="fold")
    for column in ("outcome", "issuer", "year", "quarter", "tasks", "rows", "seconds"):
        table.add_column(column, no_wrap=True)
    for f in summary.files:
        style = {"failed": "red", "unchanged": "dim"}.get(f.outcome, "green")
        table.add_row(
            f.file,
            f"[{style}]{f.outcome}[/{style}]",
            f.issuer or "",
            str(f.year or ""),
            str(f.quarter or ""),
            str(f.tasks),
            str(f.rows),
            f"{f.seconds:.2f}",
        )
    console.print(table)
    _print_messages(summary)
    _print_warehouse(summary, settings)


def _print_messages(summary: RunSummary) -> None:
    for f in summary.files:
        if f.outcome == "failed":
            err_console.print(f"[red]failed:[/red] {f.message}")
        elif f.message:
            console.print(f"[dim]{f.file}: {f.message}[/dim]")


def _print_warehouse(summary: RunSummary, settings: Settings) -> None:
    console.print(
        f"Warehouse [bold]{summary.warehouse}[/bold]: {summary.reports_in_warehouse} report file(s) "
        f"({summary.current_reports} current), {summary.tasks_in_warehouse} tasks, "
        f"{summary.task_rows_in_warehouse} task rows, {summary.open_warnings} open data-quality warning(s)."
    )
    if not summary.published:
        console.print("Nothing new: every file was loaded before; the warehouse was not written.")
    if summary.report:
        console.print(f"HTML report: {summary.report}")
    if summary.data_docs:
        console.print(f"Data Docs: {summary.data_docs}")


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Report files or folders (searched recursively) [default: the samples]")
    ] = None,
    warehouse: WarehouseOption = None,
    prefect: PrefectOption = None,
    issuer: IssuerOption = None,
    period: PeriodOption = None,
    accept_dropped_tasks: AcceptDropsOption = False,
) -> None:
    """Ingest report files and folders; exit 1 if any file was rejected (the others are loaded)."""
    from etl.load.versions import DroppedTasksAccepted
    from etl.pipeline import RunOptions, discover_files, run_context, run_pipeline

    settings = get_settings(warehouse=warehouse)
    targets = paths or [settings.samples_dir]
    require_existing(targets)
    declared = declared_meta(issuer, period)
    accept = DroppedTasksAccepted(everything=accept_dropped_tasks)
    summary = run_or_flow(
        "ingest-reports",
        prefect,
        lambda: run_pipeline(
            discover_files(targets),
            run_context(settings, RunOptions.resolve(settings, declared=declared, accept_dropped=accept)),
        ),
        paths=[str(p) for p in targets],
        warehouse=settings.warehouse_setting,
        issuer=issuer,
        period=period,
        accept_dropped_tasks=accept.as_list(),
    )
    _print_summary(summary, settings)
    if summary.reports_in_warehouse:  # an example on an empty (or missing) warehouse would only fail
        _print_example(settings)
    exit_if_failed(summary)


def _print_example(settings: Settings) -> None:
    """The example query as a command to type (``Try: etl sql …``), then its result."""
    from etl.named_queries import query

    example = query("cli_example")
    console.print(
        f"Try: etl sql {shlex.quote(_one_line(example))}{_warehouse_flag(settings)}", markup=False, soft_wrap=True
    )
    print_query(settings, example)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run (read-only connection)")],
    warehouse: WarehouseOption = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="A lake only: read the snapshot with this id, or the latest at this date/time"),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="table | csv | json | markdown (nothing is ever cut)")
    ] = "table",
) -> None:
    """Run a query on the warehouse over a read-only connection and print the result (a table by default; a lake:
    at its latest snapshot, or the one --as-of names; the snapshot read is printed first)."""
    import duckdb

    from etl.flows.cli_lake import snapshot_option
    from etl.flows.sql_output import OUTPUT_FORMATS
    from etl.load.lake import LakeError
    from etl.load.query import RefusedQuery

    if output_format not in OUTPUT_FORMATS:
        raise typer.BadParameter(f"{output_format!r}: one of {', '.join(OUTPUT_FORMATS)}", param_hint="--format")
    settings = get_settings(warehouse=warehouse)
    moment = snapshot_option(settings, as_of)
    try:
        print_query(settings, query, output_format, moment)
    except (duckdb.Error, FileNotFoundError, RefusedQuery, LakeError) as exc:
        print_error(exc)
        raise typer.Exit(1) from exc


@app.command()
def check(
    path: Annotated[Path, typer.Argument(help="A report file to check without loading it")],
    issuer: IssuerOption = None,
    period: PeriodOption = None,
) -> None:
    """Extract and parse one file and show what would be loaded; exit 1 with the reasons if it is bad (a table no
    template accepts: with the template entry to add)."""
    from etl.extract.template import describe_source
    from etl.pipeline.read import parsed_report
    from etl.validate.frames import low_confidence_cells
    from etl.validate.suites import OCR_MIN_CONFIDENCE

    try:
        report = parsed_report(path, declared=declared_meta(issuer, period))
    except ReportError as exc:
        err_console.print("[red]rejected:[/red]")
        err_console.print(str(exc), markup=False)
        raise typer.Exit(1) from exc
    meta = report.meta
    console.print(
        f"{path.name}: {meta.issuer} {meta.year} {meta.period_label} (to month {meta.period_end_month}), "
        f"{report.task_count} tasks, {len(report.rows)} rows, {report.raw.page_count} pages",
        markup=False,
    )
    console.print("\n".join(describe_source(report.raw)), markup=False)
    console.print(_rows_table(report))
    low = low_confidence_cells(report, OCR_MIN_CONFIDENCE)
    if low:
        console.print(f"[yellow]warning:[/yellow] {len(low)} OCR cell(s) below {OCR_MIN_CONFIDENCE} confidence:")
        console.print("\n".join(low), markup=False)


def _rows_table(report: Report) -> Table:
    """The parsed rows as `etl check` shows them: one line a row, the title cut at 40 characters."""
    table = Table("task_no", "plan_type", "status", "lead_office", "units", "people", "title")
    for row in report.rows:
        table.add_row(
            str(row.task_no),
            row.plan_type or "",
            row.status or "",
            row.lead_office or "",
            "、".join(row.responsible_units),
            "、".join(row.responsible_people),
            row.task_title[:40],
        )
    return table


@app.command()
def indicators(
    unmatched: Annotated[bool, typer.Option("--unmatched", help="List metrics no catalog indicator matches")] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Show how many metrics each catalog indicator took, or (--unmatched) the metrics none took."""
    from etl.named_queries import query

    settings = get_settings(warehouse=warehouse)
    print_query(settings, query("cli_unmatched_metrics" if unmatched else "cli_indicators"))


@app.command()
def init(
    warehouse: WarehouseOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List pending migrations, change nothing")] = False,
) -> None:
    """Create the warehouse file, or upgrade it in place (pending migrations, views, catalog), loading nothing."""
    from etl.load.rebuild import InterruptedRebuildError
    from etl.load.schema import SchemaError
    from etl.load.upgrade import initialize_warehouse, upgrade_plan

    settings = get_settings(warehouse=warehouse)
    if settings.lake_catalog:
        from etl.flows.cli_lake import init_lake

        init_lake(settings, dry_run=dry_run)
        return
    try:
        if dry_run:
            for line in upgrade_plan(settings.warehouse, settings.sql_dir).describe():
                console.print(line)
            return
        done = initialize_warehouse(
            settings.warehouse,
            settings.sql_dir,
            settings.indicators_file,
            storage_version=settings.storage_version,
            lock_timeout=settings.lock_timeout,
        )
    except SchemaError as exc:
        err_console.print(f"[red]error:[/red] {settings.warehouse}: {exc}")
        raise typer.Exit(1) from exc
    except InterruptedRebuildError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(3) from exc
    _print_initialized(done, settings)


def _print_initialized(done: Initialized, settings: Settings) -> None:
    """What `etl init` applied, which reports' figures the release's grammar changed, and where the warehouse is."""
    for line in done.plan.describe(applied=True):
        console.print(line)
    changed = done.figures_changed
    console.print(
        f"figures re-read with this release's grammar: {len(changed)} of {done.reports} reports changed"
        + (f" ({', '.join(changed)})" if changed else "")
    )
    console.print(f"Warehouse ready: {settings.warehouse.resolve()}")


# The other command groups register on `app` as they are imported, in the order `etl --help` lists them.
# isort: off
import etl.flows.cli_inbox  # noqa: E402
import etl.flows.cli_report  # noqa: E402
import etl.flows.cli_backfill  # noqa: E402
import etl.flows.cli_lake  # noqa: E402, F401
# isort: on


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
