"""Apply the warehouse's DDL and views from the sql/ folder, in order and idempotently.

sql/schema/*.sql run in file-name order (schemas, tables: ``create … if not exists``); sql/views/*.sql are
then (re)created in dependency order: a view file is run after the files that create the views it reads.
"""

from __future__ import annotations

import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import duckdb

_CREATES = re.compile(r"create\s+or\s+replace\s+view\s+([a-z_]+\.[a-z_0-9]+)", re.IGNORECASE)
_READS = re.compile(r"\b((?:staging|mart|core)\.[a-z_0-9]+)\b", re.IGNORECASE)


class SchemaError(RuntimeError):
    """A DDL or view file that cannot be applied."""


def schema_files(sql_dir: Path) -> list[Path]:
    return sorted((sql_dir / "schema").glob("*.sql"))


def view_files(sql_dir: Path) -> list[Path]:
    """View files in an order where each comes after the views it reads."""
    files = sorted((sql_dir / "views").glob("*.sql"))
    creator: dict[str, Path] = {}
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    for path, text in texts.items():
        for name in _CREATES.findall(text):
            creator[name.lower()] = path
    graph: dict[Path, set[Path]] = {}
    for path, text in texts.items():
        reads = {creator[name.lower()] for name in _READS.findall(text) if name.lower() in creator}
        graph[path] = reads - {path}
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise SchemaError(f"views read each other in a cycle: {exc.args[1]}") from exc


def apply_schema(conn: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    """Create or upgrade every table, then (re)create every view, in one transaction."""
    if not (sql_dir / "schema").is_dir():
        raise SchemaError(f"no schema folder at {sql_dir / 'schema'}")
    files = schema_files(sql_dir) + view_files(sql_dir)
    conn.execute("begin transaction")
    try:
        for path in files:
            try:
                conn.execute(path.read_text(encoding="utf-8"))
            except duckdb.Error as exc:
                raise SchemaError(f"{path.name}: {exc}") from exc
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
