"""The report's SQL: one named query per file under ``sql/report/`` (no SQL strings in the Python).

Each file is one ``select`` in the views' style (import CTEs first, a final select) over the ``mart`` views, with
DuckDB named parameters (``$year``) where it needs the quarter the page leads with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

REPORT_SQL_FOLDER = "report"


class ReportQueryError(LookupError):
    """A report query file that is missing, empty, or asks for a parameter the caller did not give."""


def query_path(sql_dir: Path, name: str) -> Path:
    return sql_dir / REPORT_SQL_FOLDER / f"{name}.sql"


def load_query(sql_dir: Path, name: str) -> str:
    """The text of ``sql/report/<name>.sql``."""
    path = query_path(sql_dir, name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportQueryError(f"{path}: report query {name!r} not found") from None
    if not text.strip():
        raise ReportQueryError(f"{path}: report query {name!r} is empty")
    return text


def run_query(
    conn: duckdb.DuckDBPyConnection, sql_dir: Path, name: str, params: dict[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """Run ``sql/report/<name>.sql`` with the named parameters it uses (a ``$name`` in its text)."""
    text = load_query(sql_dir, name)
    given = params or {}
    used = {key: value for key, value in given.items() if f"${key}" in text}
    try:
        return conn.execute(text, used).fetchall()
    except duckdb.InvalidInputException as error:  # e.g. a $parameter the caller did not pass
        raise ReportQueryError(f"{query_path(sql_dir, name)}: {error}") from error
