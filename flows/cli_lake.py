"""The `etl` commands of the lake backend: `etl migrate-to-lake`, `etl snapshots`; and the lake's side of `etl init`
and `etl export --format duckdb` (registered on etl.flows.cli_common's app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from etl.flows.cli_common import WarehouseOption, app, console, err_console
from etl.settings import Settings, get_settings


def _spec(settings: Settings) -> object:
    from etl.load.lake import LakeSpec

    if not settings.lake_catalog:
        err_console.print(
            "[red]error:[/red] this needs a lake: set ETL_WAREHOUSE=ducklake:postgres:dbname=… host=… (or "
            "ducklake:sqlite:… / ducklake:duckdb:…) and ETL_LAKE_DATA_PATH"
        )
        raise typer.Exit(2)
    return LakeSpec.parse(settings.lake_catalog, settings.lake_data_path)


def _print_copy(report: object) -> bool:
    from etl.load.lake_migrate import CopyReport

    assert isinstance(report, CopyReport)
    tables = Table("table", "rows in source", "rows in target", "same")
    for t in report.tables:
        tables.add_row(t.table, str(t.source_rows), str(t.target_rows), "yes" if t.same else "[red]NO[/red]")
    console.print(tables)
    marts = Table("mart view", "rows", "differing rows", "same answer")
    for m in report.marts:
        shown = "missing on one side" if m.differing_rows < 0 else str(m.differing_rows)
        marts.add_row(m.view, str(m.rows), shown, "yes" if m.same else "[red]NO[/red]")
    console.print(marts)
    verdict = "identical" if report.identical else "[red]DIFFERENT[/red]"
    console.print(f"{report.source} → {report.target} ({report.snapshot}): {verdict}", markup=True)
    return report.identical


@app.command("migrate-to-lake")
def migrate_to_lake(
    source: Annotated[Path, typer.Argument(help="The warehouse file to copy (opened read-only)")],
    warehouse: WarehouseOption = None,
) -> None:
    """Copy a warehouse file into a new lake (ETL_WAREHOUSE=ducklake:…) as one snapshot, then compare every
    table's row count and every mart's answer; exit 1 if anything differs."""
    from etl.load.lake import LakeError, LakeSpec
    from etl.load.lake_migrate import MigrateError
    from etl.load.lake_migrate import migrate_to_lake as migrate
    from etl.load.schema import SchemaError
    from etl.metrics.catalog import load_catalog

    settings = get_settings(warehouse=warehouse)
    spec = _spec(settings)
    assert isinstance(spec, LakeSpec)
    try:
        report = migrate(source, spec, settings.sql_dir, load_catalog(settings.indicators_file))
    except (MigrateError, LakeError, SchemaError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    if not _print_copy(report):
        raise typer.Exit(1)
    console.print(f"Now point the warehouse setting at the lake: ETL_WAREHOUSE={settings.lake_catalog}")


@app.command()
def snapshots(
    warehouse: WarehouseOption = None,
    last: Annotated[int, typer.Option("--last", "-n", help="How many of the latest snapshots")] = 20,
) -> None:
    """List a lake's latest snapshots (id, time, what changed): the ids and times `etl sql --as-of` takes."""
    from etl.load import lake

    settings = get_settings(warehouse=warehouse)
    spec = _spec(settings)
    assert isinstance(spec, lake.LakeSpec)
    with lake.connect(spec, read_only=True) as conn:
        rows = conn.execute(
            "select snapshot_id, snapshot_time::varchar, changes::varchar from lake.snapshots() "
            "order by snapshot_id desc limit ?",
            [last],
        ).fetchall()
    table = Table("snapshot", "time", "changes")
    for snapshot_id, moment, changes in rows:
        table.add_row(str(snapshot_id), str(moment), str(changes))
    console.print(table)


def init_lake(settings: Settings, *, dry_run: bool) -> None:
    """`etl init` of a lake: its schema and catalog seed (created, or brought up to date), nothing loaded."""
    from etl.load import lake
    from etl.load.backend import prepare_lake
    from etl.load.lake_schema import lake_plan
    from etl.metrics.catalog import load_catalog

    spec = _spec(settings)
    assert isinstance(spec, lake.LakeSpec)
    try:
        if dry_run:
            with lake.connect(spec) as conn:
                for line in lake_plan(conn, settings.sql_dir).describe():
                    console.print(line)
            return
        prepare_lake(spec, settings.sql_dir, load_catalog(settings.indicators_file))
    except lake.LakeError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"Lake ready: {spec.describe()}")


def export_file(settings: Settings, out: Path, as_of: str | None) -> None:
    """`etl export OUT --format duckdb`: a lake's snapshot as a warehouse file."""
    from etl.load import lake
    from etl.load.lake_migrate import MigrateError, export_lake
    from etl.metrics.catalog import load_catalog

    spec = _spec(settings)
    assert isinstance(spec, lake.LakeSpec)
    try:
        moment = lake.AsOf.parse(as_of) if as_of else None
        report = export_lake(
            spec,
            out,
            settings.sql_dir,
            load_catalog(settings.indicators_file),
            storage_version=settings.storage_version,
            as_of=moment,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--as-of") from exc
    except (MigrateError, lake.LakeError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    if not _print_copy(report):
        raise typer.Exit(1)


def snapshot_option(settings: Settings, as_of: str | None) -> object:
    """`--as-of` read (etl.load.lake.AsOf), None without it; exit 2 if malformed or the warehouse is a file."""
    from etl.load.lake import AsOf

    if as_of is None:
        return None
    try:
        moment = AsOf.parse(as_of)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--as-of") from exc
    if not settings.lake_catalog:
        err_console.print("[red]error:[/red] --as-of reads a lake's snapshot; a warehouse file has no snapshots")
        raise typer.Exit(2)
    return moment


def refuse_rebuild() -> None:
    err_console.print(
        "[red]error:[/red] etl rebuild replaces a damaged warehouse file; a lake is not rebuilt (restore its "
        "catalog database and data folder, or read an earlier snapshot: etl sql --as-of)"
    )
    raise typer.Exit(2)
