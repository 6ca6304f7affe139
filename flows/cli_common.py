"""What every `etl` command module shares: the Typer app they register on, the consoles, the options several
commands take, and the small parsers and printers more than one command uses (flows/cli.py and the cli_* modules
beside it import this; it imports none of them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from etl.models import DeclaredMeta
from etl.settings import Settings

if TYPE_CHECKING:
    from pathlib import Path

    from etl.flows.sql_output import OutputFormat
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


def print_error(exc: BaseException) -> None:
    """``error: <message>`` on stderr, the message as text (file names and report content are never markup)."""
    err_console.print(Text.assemble(("error: ", "red"), str(exc)))


def declared_meta(issuer: str | None, period: str | None) -> DeclaredMeta | None:
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


def period_key(spec: str | None) -> PeriodKey | None:
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


def require_existing(paths: list[Path]) -> None:
    missing = [p for p in paths if not p.exists()]
    if missing:
        err_console.print(f"[red]not found:[/red] {', '.join(map(str, missing))}")
        raise typer.Exit(2)


def print_query(settings: Settings, query: str, output_format: OutputFormat = "table", as_of: Any = None) -> None:
    from etl.flows.sql_output import print_result
    from etl.load.query import run_query  # read-only, no access to other files, settings locked

    result = run_query(settings.warehouse, query, lake=lake_spec(settings), as_of=as_of)
    if result is None:
        return
    if result.snapshot:
        console.print(f"[dim]{result.snapshot}[/dim]")
    print_result(console, result.columns, result.rows, output_format)


def lake_spec(settings: Settings) -> Any:
    """The lake the settings name (etl.load.lake.LakeSpec), or None for a warehouse file."""
    from etl.load.lake import LakeSpec

    return LakeSpec.parse(settings.lake_catalog, settings.lake_data_path) if settings.lake_catalog else None
