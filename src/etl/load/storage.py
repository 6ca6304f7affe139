"""The DuckDB storage version of warehouse files: which DuckDB releases can open them.

A database file's storage version is fixed when the file is created (``ATTACH … (STORAGE_VERSION 'v1.1.0')``);
later writes keep it. The warehouse is created with the configured version (setting ``storage_version``, env
``ETL_STORAGE_VERSION``, default ``v1.1.0``) so that the DuckDB 1.1.x bundled by many BI drivers reads it.

Every connection that writes a warehouse file must use :func:`writer_config`. DuckDB 1.5 re-uses, by default
(setting ``experimental_metadata_reuse``), the table metadata a previous checkpoint wrote for tables a checkpoint
finds unchanged, and frees metadata blocks it no longer needs itself. With an older storage version the re-used
metadata still holds pointers that DuckDB 1.5 does not mark as in use but DuckDB 1.1–1.4 follow when they open
the file: once such a block is freed and dropped (a checkpoint that changes two tables but not a third was
enough: ``etl ingest`` of a new quarter plus a junk file), DuckDB 1.1.3, 1.2.2 and 1.4.1 fail with "INTERNAL Error:
Failed to load metadata pointer"; while the block survives they read stale metadata. With re-use off every
checkpoint rewrites the metadata of every table, so no stale pointer is left: this also repairs a file damaged
so, at the next run that writes it.
"""

from __future__ import annotations

import tempfile
from contextlib import closing
from functools import lru_cache
from pathlib import Path

import duckdb

_ALIAS = "etl_storage_probe"

# DuckDB configuration of every connection that writes a warehouse file (see the module docstring). (A smaller WAL
# checkpoint threshold, 4 MB, was tried for memory: no lower peak over a 1,000-file backfill, whose peak is the
# report at the end, and 40 % more CPU in the loading process, as each commit then checkpointed.)
WRITER_CONFIG: dict[str, str | bool | int | float | list[str]] = {"experimental_metadata_reuse": False}


def writer_config(**extra: str | bool | int | float | list[str]) -> dict[str, str | bool | int | float | list[str]]:
    """The DuckDB ``config`` for a connection that writes a warehouse file, plus ``extra`` settings."""
    return {**WRITER_CONFIG, **extra}


def _quote(text: str) -> str:
    """A SQL string literal (ATTACH takes no prepared parameters)."""
    return "'" + text.replace("'", "''") + "'"


def create_database(path: Path, storage_version: str) -> None:
    """Create an empty database file at ``path`` written with ``storage_version``; the file must not exist."""
    if path.exists():
        raise FileExistsError(f"{path} exists already: its storage version was fixed when it was created")
    with closing(duckdb.connect(config=writer_config())) as conn:
        conn.execute(f"attach {_quote(str(path))} as {_ALIAS} (storage_version {_quote(storage_version)})")
        conn.execute(f"detach {_ALIAS}")


def storage_tag(path: Path) -> str:
    """The storage version DuckDB reports for an existing file, e.g. ``v1.0.0+`` (read-only, file unchanged)."""
    with closing(duckdb.connect()) as conn:
        conn.execute(f"attach {_quote(str(path))} as {_ALIAS} (read_only)")
        row = conn.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = ?", [_ALIAS]
        ).fetchone()
        conn.execute(f"detach {_ALIAS}")
    if row is None or row[0] is None:
        raise RuntimeError(f"DuckDB reports no storage version for {path}")
    return str(row[0])


@lru_cache
def tag_for_version(storage_version: str) -> str:
    """The storage tag a file created with ``storage_version`` carries (``v1.1.0`` → ``v1.0.0+``)."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe.duckdb"
        create_database(probe, storage_version)
        return storage_tag(probe)


def has_storage_version(path: Path, storage_version: str) -> bool:
    """True when the existing file at ``path`` is written in the format ``storage_version`` creates."""
    return storage_tag(path) == tag_for_version(storage_version)


def copy_database(source: Path, target: Path, storage_version: str) -> None:
    """Copy every schema, table, view, comment and row of ``source`` into a new file written with
    ``storage_version`` (``COPY FROM DATABASE``); ``source`` is opened read-only."""
    create_database(target, storage_version)
    with closing(duckdb.connect(config=writer_config())) as conn:
        conn.execute(f"attach {_quote(str(source))} as etl_copy_source (read_only)")
        conn.execute(f"attach {_quote(str(target))} as etl_copy_target")
        conn.execute("copy from database etl_copy_source to etl_copy_target")
        conn.execute("checkpoint etl_copy_target")
        conn.execute("detach etl_copy_target")
        conn.execute("detach etl_copy_source")
