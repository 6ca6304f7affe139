"""Where a warehouse's files are: the file a warehouse path names, and the staging file, writer lock and DuckDB
write-ahead log beside it (etl.load.publish writes them; etl.load.rebuild moves them aside)."""

from __future__ import annotations

import os
from pathlib import Path


def published_target(published: Path) -> Path:
    """The file a warehouse path names: a symbolic link's target (resolved whole), so that every name of one
    file shares one lock and one staging file, and publishing replaces the target, not the link."""
    return Path(os.path.realpath(published))


def staging_path(published: Path) -> Path:
    """The staging file a writer loads, beside the published file (same folder, so the rename is atomic)."""
    return published.with_name(published.name + ".staging")


def lock_path(published: Path) -> Path:
    """The writer lock file beside the published file."""
    return published.with_name(published.name + ".lock")


def wal_path(database: Path) -> Path:
    """DuckDB's write-ahead log of a database file."""
    return database.with_name(database.name + ".wal")
