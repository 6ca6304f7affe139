"""Named SQL queries (sql/queries/*.sql), loaded by name: no multi-line SQL strings in Python."""

from __future__ import annotations

from functools import cache
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parents[2] / "sql" / "queries"


@cache
def query(name: str) -> str:
    """The text of ``sql/queries/<name>.sql``."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no named query {name!r} ({path})")
    return path.read_text(encoding="utf-8")
