"""The report's SQL: one named query per file under ``sql/report/`` (no SQL strings in the Python); the bulletin's
under ``sql/bulletin/`` (``folder``).

Each file is one ``select`` in the views' style (import CTEs first, a final select) over the ``mart`` views, with
DuckDB named parameters (``$year``) where it needs the period the page leads with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

REPORT_SQL_FOLDER = "report"


class ReportQueryError(LookupError):
    """A report query file that is missing, empty, or asks for a parameter the caller did not give."""


def query_path(sql_dir: Path, name: str, folder: str = REPORT_SQL_FOLDER) -> Path:
    return sql_dir / folder / f"{name}.sql"


def load_query(sql_dir: Path, name: str, folder: str = REPORT_SQL_FOLDER) -> str:
    """The text of ``sql/<folder>/<name>.sql`` (``sql/report/`` by default)."""
    path = query_path(sql_dir, name, folder)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportQueryError(f"{path}: report query {name!r} not found") from None
    if not text.strip():
        raise ReportQueryError(f"{path}: report query {name!r} is empty")
    return text


def run_named_query(
    conn: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    name: str,
    params: dict[str, Any] | None = None,
    folder: str = REPORT_SQL_FOLDER,
) -> list[tuple[Any, ...]]:
    """Run ``sql/<folder>/<name>.sql`` with the named parameters it uses (a ``$name`` in its text)."""
    text = load_query(sql_dir, name, folder)
    given = params or {}
    used = {key: value for key, value in given.items() if f"${key}" in text}
    try:
        return conn.execute(text, used).fetchall()
    except duckdb.InvalidInputException as error:  # e.g. a $parameter the caller did not pass
        raise ReportQueryError(f"{query_path(sql_dir, name, folder)}: {error}") from error
