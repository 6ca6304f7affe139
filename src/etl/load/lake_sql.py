"""The warehouse's SQL files as a lake runs them: the constructs DuckLake (1.5.5) refuses, taken out.

The lake runs the same migrations and views as the file warehouse (sql/bootstrap, sql/migrations, sql/views), each
statement through :func:`for_lake`, which changes only what DuckLake refuses (measured:
tests/etl/load/test_lake_sql.py):

1. ``PRIMARY KEY`` and ``UNIQUE`` ("PRIMARY KEY/UNIQUE constraints are not supported in DuckLake") and ``CHECK``
   ("CHECK constraints are not supported") are removed from ``create table`` (a key's column stays NOT NULL).
   What they held is held elsewhere:
   one file per SHA-256, and one report per content, by the loader (etl.load.warehouse.load_reports, under the
   lake's key lock: etl.load.lake_locks); one row per report, task and plan type by the parser and the quality
   gate (report_rows: compound_columns_to_be_unique); the vocabularies (status, plan_type, kind, comparator …)
   by the parser and the gate's value-set expectations.
   No migration sets NOT NULL after creation (DuckLake refuses it on a table without data files, "Cannot SET NOT
   NULL … no stats are available"; such a migration would need a variant file), so a lake's columns have the
   file's nullability.
2. ``comment on column`` of a view is left out ("Cannot comment on columns for entry … it is not a table"); the
   views' own comments stay. The data dictionary of the view columns comes from the file schema
   (``etl docs --schema-only``).

Anything else DuckLake refuses in a future migration fails the lake's schema test; it then gets a variant file
``sql/lake/migrations/<the same name>.sql``, which a lake runs instead of the migration.
"""

from __future__ import annotations

import re

import duckdb

# A column or table constraint DuckLake refuses, up to (not including) what follows it.
_CONSTRAINT = re.compile(r"(,\s*primary\s+key\s*\(|\s+primary\s+key\b|\s+unique\b|\s+check\s*\()", re.IGNORECASE)
# (statements are matched without their comments: without_comments)
_CREATE_TABLE = re.compile(r"\s*create\s+(?:or\s+replace\s+)?table\b", re.IGNORECASE)
_COLUMN_KEY = re.compile(r"\s+primary\s+key", re.IGNORECASE)
_NOT_NULL = re.compile(r"\bnot\s+null\b", re.IGNORECASE)
_COMMENT_ON_COLUMN = re.compile(r"\s*comment\s+on\s+column\b", re.IGNORECASE)


def statements(sql: str) -> list[str]:
    """The statements of a SQL text, as DuckDB's parser splits them (comments dropped)."""
    with duckdb.connect() as conn:
        return [statement.query.strip().rstrip(";").strip() for statement in conn.extract_statements(sql)]


def for_lake(sql: str, *, view_file: bool = False) -> str:
    """``sql`` without the constructs a lake refuses (see the module docstring); statements joined by ``;``."""
    kept = []
    for statement in map(without_comments, statements(sql)):
        if view_file and _COMMENT_ON_COLUMN.match(statement):
            continue
        if _CREATE_TABLE.match(statement):
            statement = without_constraints(statement)
        kept.append(statement)
    return ";\n".join(kept) + (";" if kept else "")


def without_comments(statement: str) -> str:
    """``statement`` without its ``--`` and ``/* */`` comments (string literals kept as they are)."""
    out: list[str] = []
    position, literal = 0, False
    while position < len(statement):
        char = statement[position]
        if char == "'":
            literal = not literal
        elif not literal and statement.startswith("--", position):
            end = statement.find("\n", position)
            position = len(statement) if end < 0 else end
            continue
        elif not literal and statement.startswith("/*", position):
            end = statement.find("*/", position + 2)
            position = len(statement) if end < 0 else end + 2
            continue
        out.append(char)
        position += 1
    return "".join(out).strip()


def without_constraints(statement: str) -> str:
    """A ``create table`` statement without its PRIMARY KEY, UNIQUE and CHECK clauses (string literals and nested
    parentheses inside a CHECK are skipped whole)."""
    out: list[str] = []
    position = 0
    while True:
        match = _CONSTRAINT.search(statement, position)
        if match is None:
            out.append(statement[position:])
            return "".join(out)
        if _inside_literal(statement, match.start()):
            out.append(statement[position : match.end()])
            position = match.end()
            continue
        out.append(statement[position : match.start()])
        position = match.end()
        if _COLUMN_KEY.fullmatch(match.group(0)) and not _NOT_NULL.search(_this_column(statement, match.start())):
            out.append(" not null")  # a key's column is not null: that part of the key a lake keeps
        if statement[match.end() - 1] == "(":
            position = _after_parenthesis(statement, position)


def _this_column(statement: str, index: int) -> str:
    """The column definition ``index`` is in: from the comma or parenthesis before it."""
    start = max(statement.rfind(",", 0, index), statement.find("(")) + 1
    return statement[start:index]


def _inside_literal(text: str, index: int) -> bool:
    return text.count("'", 0, index) % 2 == 1


def _after_parenthesis(text: str, position: int) -> int:
    """The index after the ``)`` closing the parenthesis opened just before ``position``."""
    depth = 1
    while depth:
        char = text[position]
        if char == "'":
            position = text.index("'", position + 1)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        position += 1
    return position
