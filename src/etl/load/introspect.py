"""What the warehouse declares about itself: its tables and views, their columns, types and COMMENTs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import duckdb

# Layers in the order data flows through them (the baseline migration, sql/migrations/0001_baseline.sql.d/); other
# schemas follow by name.
LAYERS = ("raw", "core", "staging", "mart", "ops")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str | None
    nullable: bool


@dataclass(frozen=True)
class Relation:
    """A table or view of the warehouse."""

    schema: str
    name: str
    kind: Literal["table", "view"]
    comment: str | None
    columns: tuple[Column, ...]

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


def schema_names(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """The warehouse's own schemas (not DuckDB's), layers first."""
    rows = conn.execute(
        "select schema_name from duckdb_schemas() where database_name = current_database() and not internal "
        "and schema_name <> 'main' "
        "union select schema_name from duckdb_tables() where database_name = current_database() "
        "union select schema_name from duckdb_views() where database_name = current_database() and not internal"
    ).fetchall()
    return sorted({str(name) for (name,) in rows}, key=_schema_order)


def _schema_order(schema: str) -> tuple[int, str]:
    return (LAYERS.index(schema) if schema in LAYERS else len(LAYERS), schema)


def relations(conn: duckdb.DuckDBPyConnection, schema: str | None = None) -> list[Relation]:
    """Every table and view (of one schema, or all), ordered by layer then name, with their columns."""
    rows = conn.execute(
        """
        select schema_name, table_name as name, 'table' as kind, comment
        from duckdb_tables() where database_name = current_database()
        union all
        select schema_name, view_name, 'view', comment
        from duckdb_views() where database_name = current_database() and not internal
        """
    ).fetchall()
    found = [
        Relation(str(s), str(n), "table" if k == "table" else "view", c, columns(conn, str(s), str(n)))
        for s, n, k, c in rows
        if schema is None or s == schema
    ]
    return sorted(found, key=lambda r: (_schema_order(r.schema), r.name))


def columns(conn: duckdb.DuckDBPyConnection, schema: str, name: str) -> tuple[Column, ...]:
    rows = conn.execute(
        "select column_name, data_type, comment, is_nullable from duckdb_columns() "
        "where database_name = current_database() and schema_name = ? and table_name = ? order by column_index",
        [schema, name],
    ).fetchall()
    return tuple(Column(str(n), str(t), c, bool(nullable)) for n, t, c, nullable in rows)


def mart_views(conn: duckdb.DuckDBPyConnection) -> list[Relation]:
    """The contract views for analysts and BI tools."""
    return [r for r in relations(conn, "mart") if r.kind == "view"]
