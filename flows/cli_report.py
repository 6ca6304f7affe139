"""The `etl` commands that write the warehouse's content out: `etl export` (Parquet files, or a lake as one
warehouse file), `etl docs` (the data dictionary), `etl report` (the HTML report), `etl bulletin` (督查通报)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from etl.flows.cli_common import WarehouseOption, app, console, err_console, period_key, print_error
from etl.settings import get_settings

if TYPE_CHECKING:
    from etl.export.parquet import ExportManifest


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
    console.print(_manifest_table(manifest))
    console.print(
        f"{len(manifest.views)} {file_format} file(s) and {MANIFEST} in {out_dir.resolve()} "
        f"({time.perf_counter() - started:.2f} s)"
    )


def _manifest_table(manifest: ExportManifest) -> Table:
    """The files `etl export` wrote: a line each, with its view, rows and bytes."""
    table = Table("view", "file", "rows", "bytes")
    for view in manifest.views:
        table.add_row(view.view, view.file, str(view.rows), str(view.bytes))
    return table


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
        result = write_report(target, settings.report_file, sql_dir=settings.sql_dir, period=period_key(period))
    except (FileNotFoundError, UnknownPeriodError) as exc:
        print_error(exc)
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
    from etl.bulletin import BulletinError, default_bulletin_path, write_bulletin

    settings = get_settings(warehouse=warehouse)
    key = period_key(period)
    target = out or default_bulletin_path(settings.warehouse, issuer, period)
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
        print_error(exc)
        raise typer.Exit(1) from exc
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--out") from exc
    console.print(result.describe(), markup=False)
