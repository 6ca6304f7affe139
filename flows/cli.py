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

import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

import etl.flows
from etl.errors import ReportError
from etl.models import DeclaredMeta
from etl.settings import Settings, get_settings

if TYPE_CHECKING:
    from etl.flows.sql_output import Format
    from etl.pipeline import RunSummary
    from etl.report.data import PeriodKey

app = typer.Typer(
    help="ETL of government task-completion tables (政府工作报告任务 / 重点工作 进展情况) into DuckDB.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)

WarehouseOption = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        "-w",
        help="DuckDB warehouse file, or a lake (ducklake:postgres:dbname=… host=…, with ETL_LAKE_DATA_PATH) "
        "[env ETL_WAREHOUSE; default data/warehouse.duckdb]",
    ),
]
AcceptDropsOption = Annotated[
    bool,
    typer.Option(
        "--accept-dropped-tasks",
        help="Load a version that drops tasks of the current version of its period (refused otherwise: a file cut "
        "short drops its last tasks); it becomes current, with a warning naming them",
    ),
]
PrefectOption = Annotated[
    bool | None,
    typer.Option(
        "--prefect/--no-prefect",
        help="Run as a Prefect flow (a temporary server if none is configured) or in this process "
        "[default: the flow if PREFECT_API_URL is configured, else in this process]",
    ),
]

IssuerOption = Annotated[
    str | None,
    typer.Option(
        "--issuer",
        help="Declare the issuer (e.g. 绍兴市政府) of files whose title does not name it; where it does, the two "
        "must agree. For a folder or the inbox, a <file>.meta.yaml sidecar per file does the same",
    ),
]
PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="Declare year and period of files whose title does not say them: 2021Q3, 2021H1, 2021M11 (January to "
        "November) or 2021Y; where the title says them, the two must agree",
    ),
]


def _error(exc: BaseException) -> None:
    """``error: <message>`` on stderr, the message as text (file names and report content are never markup)."""
    err_console.print(Text.assemble(("error: ", "red"), str(exc)))


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


def _declared(issuer: str | None, period: str | None) -> DeclaredMeta | None:
    """The run's declared metadata (--issuer, --period), None when neither is given; exit 2 on a malformed period."""
    from etl.periods import PeriodError, declared_period

    if issuer is None and period is None:
        return None
    if period is not None:
        try:
            declared_period(period)
        except PeriodError as exc:
            raise typer.BadParameter(str(exc), param_hint="--period") from exc
    return DeclaredMeta(issuer=issuer, period=period)


def _period_key(spec: str | None) -> PeriodKey | None:
    """The period a --period option names (2024Q3 → 2024 ending in month 9); exit 2 on a malformed one."""
    from etl.periods import PeriodError, declared_period
    from etl.report.data import PeriodKey

    if spec is None:
        return None
    try:
        year, period = declared_period(spec)
    except PeriodError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from exc
    return PeriodKey(year, period.end_month)


def _run(flow_name: str, use_prefect: bool | None, library: Callable[[], RunSummary], **params: Any) -> RunSummary:
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
        if url:
            os.environ["PREFECT_API_URL"] = url
            return _run_flow(flow_name, params)
        with temporary_server() as temporary:
            os.environ["PREFECT_API_URL"] = temporary
            return _run_flow(flow_name, params)
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


def _exit_if_failed(summary: RunSummary) -> None:
    """Exit 4 if a step after the publish failed (each said), else 1 if a file was rejected."""
    for problem in summary.after_publish_errors:
        err_console.print(f"[red]error after publishing:[/red] {problem}", markup=True, highlight=False)
    if summary.after_publish_errors:
        err_console.print("The warehouse was published with this run's reports; only the steps above failed.")
        raise typer.Exit(4)
    if summary.failed:
        raise typer.Exit(1)


def _run_flow(flow_name: str, params: dict[str, Any]) -> RunSummary:
    import etl.flows.backfill
    import etl.flows.ingest

    flow: Any = {
        "ingest-reports": etl.flows.ingest.ingest_reports,
        "backfill": etl.flows.backfill.backfill,
        "poll-inbox": etl.flows.ingest.poll_inbox,
    }[flow_name]
    state = flow(**params, return_state=True)
    return etl.flows.ingest.summary_of(state)


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


def _existing(paths: list[Path]) -> None:
    missing = [p for p in paths if not p.exists()]
    if missing:
        err_console.print(f"[red]not found:[/red] {', '.join(map(str, missing))}")
        raise typer.Exit(2)


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
    from etl.pipeline import RunOptions, discover_files, run_pipeline
    from etl.queries import query

    settings = get_settings(warehouse=warehouse)
    targets = paths or [settings.samples_dir]
    _existing(targets)
    declared = _declared(issuer, period)
    accept = DroppedTasksAccepted(everything=accept_dropped_tasks)
    summary = _run(
        "ingest-reports",
        prefect,
        lambda: run_pipeline(
            discover_files(targets), settings, RunOptions.resolve(settings, declared=declared, accept_dropped=accept)
        ),
        paths=[str(p) for p in targets],
        warehouse=settings.warehouse_setting,
        issuer=issuer,
        period=period,
        accept_dropped_tasks=accept.as_list(),
    )
    _print_summary(summary, settings)
    if summary.reports_in_warehouse:  # an example on an empty (or missing) warehouse would only fail
        example = query("cli_example")
        console.print(
            f"Try: etl sql {shlex.quote(_one_line(example))}{_warehouse_flag(settings)}", markup=False, soft_wrap=True
        )
        _print_query(settings, example)
    _exit_if_failed(summary)


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
    from etl.flows.sql_output import FORMATS
    from etl.load.lake import LakeError
    from etl.load.query import RefusedQuery

    if output_format not in FORMATS:
        raise typer.BadParameter(f"{output_format!r}: one of {', '.join(FORMATS)}", param_hint="--format")
    settings = get_settings(warehouse=warehouse)
    moment = snapshot_option(settings, as_of)
    try:
        _print_query(settings, query, output_format, moment)
    except (duckdb.Error, FileNotFoundError, RefusedQuery, LakeError) as exc:
        _error(exc)
        raise typer.Exit(1) from exc


def _print_query(settings: Settings, query: str, output_format: Format = "table", as_of: Any = None) -> None:
    from etl.flows.sql_output import print_result
    from etl.load.query import run_query  # read-only, no access to other files, settings locked

    result = run_query(settings.warehouse, query, lake=_lake(settings), as_of=as_of)
    if result is None:
        return
    if result.snapshot:
        console.print(f"[dim]{result.snapshot}[/dim]")
    print_result(console, result.columns, result.rows, output_format)


def _lake(settings: Settings) -> Any:
    """The lake the settings name (etl.load.lake.LakeSpec), or None for a warehouse file."""
    from etl.load.lake import LakeSpec

    return LakeSpec.parse(settings.lake_catalog, settings.lake_data_path) if settings.lake_catalog else None


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
        report = parsed_report(path, declared=_declared(issuer, period))
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
    console.print(table)
    low = low_confidence_cells(report, OCR_MIN_CONFIDENCE)
    if low:
        console.print(f"[yellow]warning:[/yellow] {len(low)} OCR cell(s) below {OCR_MIN_CONFIDENCE} confidence:")
        console.print("\n".join(low), markup=False)


@app.command()
def indicators(
    unmatched: Annotated[bool, typer.Option("--unmatched", help="List metrics no catalog indicator matches")] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Show how many metrics each catalog indicator took, or (--unmatched) the metrics none took."""
    from etl.queries import query

    settings = get_settings(warehouse=warehouse)
    _print_query(settings, query("cli_unmatched_metrics" if unmatched else "cli_indicators"))


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
    for line in done.plan.describe(applied=True):
        console.print(line)
    changed = done.figures_changed
    console.print(
        f"figures re-read with this release's grammar: {len(changed)} of {done.reports} reports changed"
        + (f" ({', '.join(changed)})" if changed else "")
    )
    console.print(f"Warehouse ready: {settings.warehouse.resolve()}")


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
    from etl.pipeline import RunOptions, poll_inbox

    settings = get_settings(
        warehouse=warehouse,
        inbox_dir=inbox,
        archive_dir=archive,
        quarantine_dir=quarantine,
        settle_seconds=settle_seconds,
    )
    accept = DroppedTasksAccepted(everything=accept_dropped_tasks)
    summary = _run(
        "poll-inbox",
        prefect,
        lambda: poll_inbox(settings, RunOptions.resolve(settings, "serial", accept_dropped=accept))[0],
        inbox=str(settings.inbox_dir),
        archive=str(settings.archive_dir),
        quarantine=str(settings.quarantine_dir),
        warehouse=settings.warehouse_setting,
        settle_seconds=settings.settle_seconds,
        accept_dropped_tasks=accept_dropped_tasks,
    )
    for f in summary.files:
        console.print(f"{f.file}: {f.outcome}" + (f" — {f.message}" if f.message else ""))
    console.print(
        f"{len(summary.files)} file(s); warehouse {settings.warehouse}: {summary.reports_in_warehouse} reports"
    )
    _exit_if_failed(summary)


@app.command()
def rebuild(
    archive: Annotated[Path | None, typer.Option(help="Folder of archived inputs [env ETL_ARCHIVE_DIR]")] = None,
    warehouse: WarehouseOption = None,
    prefect: PrefectOption = None,
) -> None:
    """Rebuild the warehouse from the archived inputs: the damaged file is moved aside, every input replayed."""
    from etl.load.rebuild import accepted_drops, interrupted_rebuild, move_aside, replay_files
    from etl.load.versions import DroppedTasksAccepted
    from etl.pipeline import RunOptions, run_pipeline

    settings = get_settings(warehouse=warehouse, archive_dir=archive)
    if settings.lake_catalog:
        from etl.flows.cli_lake import refuse_rebuild

        refuse_rebuild()
    archive = settings.archive_dir
    with replay_files(archive) as files:  # in arrival order, under the names they arrived with
        if not files:
            err_console.print(f"[red]no archived inputs in {archive}[/red]")
            raise typer.Exit(2)
        resumed = interrupted_rebuild(settings.warehouse)
        if resumed:
            console.print(f"Resuming an interrupted rebuild (the previous warehouse is in {resumed})")
        elif aside := move_aside(settings.warehouse):
            console.print(f"Moved the old warehouse aside: {aside}")
        accept = DroppedTasksAccepted(files=accepted_drops(archive))  # what the polls accepted, again
        options = RunOptions.resolve(settings, rebuild=True, accept_dropped=accept)
        summary = _run(
            "ingest-reports",
            prefect,
            lambda: run_pipeline(files, settings, options),
            paths=[str(p) for p in files],
            warehouse=settings.warehouse_setting,
            rebuild=True,
            accept_dropped_tasks=accept.as_list(),
        )
    console.print(
        f"Rebuilt {settings.warehouse} from {len(files)} archived file(s): {summary.reports_in_warehouse} reports, "
        f"{summary.task_rows_in_warehouse} task rows; {len(summary.failed)} failed."
    )
    _exit_if_failed(summary)


@app.command()
def export(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the files and manifest.json into")],
    file_format: Annotated[
        str, typer.Option("--format", "-f", help="parquet (mart views), or duckdb (a lake as one warehouse file)")
    ] = "parquet",
    warehouse: WarehouseOption = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="duckdb: the lake's snapshot id or date/time")] = None,
) -> None:
    """Write every mart view as a file (Parquet) plus manifest.json, for tools that cannot open DuckDB; or, with
    --format duckdb, a lake's snapshot as a new warehouse file OUT (for BI tools that need one file)."""
    import time

    from etl.export.parquet import MANIFEST, export_parquet

    if file_format not in ("parquet", "duckdb"):
        err_console.print(f"[red]error:[/red] unknown format {file_format!r}: the formats are: parquet, duckdb")
        raise typer.Exit(2)
    settings = get_settings(warehouse=warehouse)
    if file_format == "duckdb":
        from etl.flows.cli_lake import export_file

        export_file(settings, out_dir, as_of)
        return
    started = time.perf_counter()
    try:
        from etl.load.backend import warehouse_backend

        source = warehouse_backend(settings)
        manifest = export_parquet(settings.warehouse if source.kind == "file" else source, out_dir)
    except FileNotFoundError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    table = Table("view", "file", "rows", "bytes")
    for view in manifest.views:
        table.add_row(view.view, view.file, str(view.rows), str(view.bytes))
    console.print(table)
    console.print(
        f"{len(manifest.views)} {file_format} file(s) and {MANIFEST} in {out_dir.resolve()} "
        f"({time.perf_counter() - started:.2f} s)"
    )


@app.command()
def docs(
    out_dir: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder to write into [default: docs/ of the project]")
    ] = None,
    schema_only: Annotated[
        bool, typer.Option("--schema-only", help="Document a warehouse built in memory from sql/, not the file")
    ] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Write the data dictionary (Markdown and HTML) generated from the warehouse's own catalog."""
    from etl.docs.dictionary import schema_only_warehouse, write_dictionary

    settings = get_settings(warehouse=warehouse)
    target = out_dir or settings.docs_dir
    try:
        if schema_only:
            with schema_only_warehouse(settings.sql_dir) as conn:
                written = write_dictionary(conn, settings.sql_dir, target)
        else:
            from etl.load.backend import warehouse_backend

            with warehouse_backend(settings).reading() as conn:
                written = write_dictionary(conn, settings.sql_dir, target)
    except FileNotFoundError as exc:
        err_console.print(f"[red]error:[/red] {exc} (or use --schema-only)")
        raise typer.Exit(1) from exc
    for path in written:
        console.print(f"Wrote {path.resolve()}")


@app.command()
def report(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="HTML file to write [env ETL_REPORT_FILE; default <warehouse name>_report.html beside]"
        ),
    ] = None,
    warehouse: WarehouseOption = None,
    period: Annotated[
        str | None,
        typer.Option("--period", help="The period the page leads with: 2024Q3, 2024H1, 2024M11, 2024Y [latest]"),
    ] = None,
) -> None:
    """Render a static, self-contained HTML report of the warehouse (charts; opens offline) and print its path."""
    from etl.report import write_report
    from etl.report.data import UnknownPeriodError

    settings = get_settings(warehouse=warehouse, report_file=out)
    try:
        from etl.load.backend import warehouse_backend

        source = warehouse_backend(settings)
        target = settings.warehouse if source.kind == "file" else source
        result = write_report(target, settings.report_file, sql_dir=settings.sql_dir, period=_period_key(period))
    except (FileNotFoundError, UnknownPeriodError) as exc:
        _error(exc)
        raise typer.Exit(1) from exc
    console.print(f"Report ({result.charts} charts, {result.bytes / 1e6:.1f} MB): {result.path.resolve()}")


@app.command()
def bulletin(
    period: Annotated[
        str | None, typer.Option("--period", help="The period: 2024Q3, 2024H1, 2024M11, 2024Y [the issuer's latest]")
    ] = None,
    issuer: Annotated[
        str | None, typer.Option("--issuer", help="The issuer, e.g. 市工信局 [the only one with that period]")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help=".docx, .md or .html [bulletin_<issuer>_<period>.docx beside the warehouse]"),
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Write the supervision office's bulletin (督查通报) of one issuer and period from the marts: counts and shares,
    the targets behind 序时进度 with their gaps, the open tasks by responsible unit, every figure with its source."""
    from etl.bulletin import BulletinError, write_bulletin

    settings = get_settings(warehouse=warehouse)
    key = _period_key(period)
    target = out or settings.warehouse.parent / f"bulletin_{issuer or 'latest'}_{period or 'latest'}.docx"
    try:
        result = write_bulletin(
            settings.warehouse,
            target,
            year=key.year if key else None,
            end_month=key.end_month if key else None,
            issuer=issuer,
            sql_dir=settings.sql_dir,
        )
    except (BulletinError, FileNotFoundError) as exc:
        _error(exc)
        raise typer.Exit(1) from exc
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--out") from exc
    p, s = result.data.period, result.data.summary
    console.print(
        f"Bulletin of {p.issuer} {p.year} {p.label or p.end_month} ({s['tasks']} tasks, {s['targets_behind']} "
        f"target(s) behind): {result.path.resolve()}",
        markup=False,
    )


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
        str | None,
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
    if task_runner not in (None, "process", "dask", "serial"):
        err_console.print(f"[red]unknown task runner:[/red] {task_runner} (process, dask or serial)")
        raise typer.Exit(2)
    _existing(paths)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # the progress bar says what the logs would
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")  # a Dask cluster logs every worker's start/stop
    from etl.flows.progress import BackfillProgress, print_backfill_summary
    from etl.pipeline import RunOptions, discover_files, listening, run_pipeline

    settings = get_settings(warehouse=warehouse)
    options = RunOptions.resolve(settings, task_runner, workers, dask_address, batch_size=batch_size)  # type: ignore[arg-type]
    with BackfillProgress(console) as progress, listening(progress.show):
        summary = _run(
            "backfill",
            prefect,
            lambda: run_pipeline(discover_files(paths), settings, options),
            paths=[str(p) for p in paths],
            warehouse=settings.warehouse_setting,
            executor=options.executor,
            workers=options.workers,
            dask_address=options.dask_address,
            batch_size=batch_size,
        )
    print_backfill_summary(summary, settings, progress.already, console, err_console)
    _exit_if_failed(summary)


# The lake's commands (etl migrate-to-lake, etl snapshots) are registered on `app` by their module.
import etl.flows.cli_lake  # noqa: E402, F401


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
