"""Every ``mart`` view as a Parquet file, with a manifest (``manifest.json``) describing them.

Read over a read-only connection, so an export runs beside readers and never blocks a load. Each file is written
under a temporary name and renamed when complete; the manifest is written last, so a folder with a manifest
holds complete files. Rows are sorted, so the same warehouse state gives the same rows in the same order.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from etl.digest import sha256_file
from etl.load.backend import Readable
from etl.load.introspect import Relation, mart_views
from etl.load.warehouse import connect

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ExportedColumn:
    name: str
    type: str
    comment: str | None


@dataclass(frozen=True)
class ExportedView:
    view: str
    file: str
    rows: int
    bytes: int
    sha256: str
    comment: str | None
    columns: list[ExportedColumn]


@dataclass(frozen=True)
class ExportManifest:
    format: str
    warehouse: str
    exported_at: str
    duckdb_version: str
    views: list[ExportedView]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


def export_parquet(warehouse: Path | Readable, out_dir: Path) -> ExportManifest:
    """Write every mart view of the warehouse (a file, or a lake's latest snapshot: etl.load.backend) to
    ``out_dir`` as ``<view>.parquet`` and the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    reading = connect(warehouse, read_only=True) if isinstance(warehouse, Path) else warehouse.reading()
    with reading as conn:
        views = [export_view(conn, view, out_dir) for view in mart_views(conn)]
    manifest = ExportManifest(
        format="parquet",
        warehouse=str(warehouse.resolve()) if isinstance(warehouse, Path) else warehouse.describe(),
        exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duckdb_version=duckdb.__version__,
        views=views,
    )
    _write_atomically(out_dir / MANIFEST, manifest.to_json().encode("utf-8"))
    return manifest


def export_view(conn: duckdb.DuckDBPyConnection, view: Relation, out_dir: Path) -> ExportedView:
    """Copy one view, sorted on all its columns, to ``<name>.parquet`` (zstd-compressed)."""
    target = out_dir / f"{view.name}.parquet"
    partial = target.with_name(target.name + ".partial")
    quoted = "'" + str(partial).replace("'", "''") + "'"
    result = conn.execute(
        f'copy (select * from "{view.schema}"."{view.name}" order by all) to {quoted} '
        "(format parquet, compression zstd)"
    ).fetchone()
    os.replace(partial, target)
    return ExportedView(
        view=view.qualified_name,
        file=target.name,
        rows=int(result[0]) if result else 0,
        bytes=target.stat().st_size,
        sha256=sha256_file(target),
        comment=view.comment,
        columns=[ExportedColumn(c.name, c.type, c.comment) for c in view.columns],
    )



def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)
