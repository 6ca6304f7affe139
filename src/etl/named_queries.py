"""Named SQL queries (sql/queries/*.sql), loaded by name: no multi-line SQL strings in Python. (The report's and the
bulletin's queries, read from the settings' sql/ folder, are loaded by etl.report.queries.)"""

from __future__ import annotations

from functools import cache

from etl.resources import SHIPPED_SQL_DIR

QUERIES_DIR = SHIPPED_SQL_DIR / "queries"  # shipped in the wheel with the rest of sql/ (etl.resources)


@cache
def query(name: str) -> str:
    """The text of ``sql/queries/<name>.sql``."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no named query {name!r} ({path})")
    return path.read_text(encoding="utf-8")
