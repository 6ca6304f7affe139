"""Helpers for the inbox tests: real `etl poll` / `etl rebuild` processes on a folder of their own, and every mart
view's rows to compare warehouses."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from etl.load.warehouse import connect

# Columns that say when or in which run something happened: they differ between any two runs.
RUN_COLUMNS = ("loaded_at", "recorded_at", "run_id", "ingested_at")


@dataclass(frozen=True)
class Place:
    """A warehouse with its inbox, archive and quarantine, in one folder."""

    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.root / "w.duckdb"

    def env(self, **more: str) -> dict[str, str]:
        values = {
            "ETL_WAREHOUSE": str(self.warehouse),
            "ETL_INBOX_DIR": str(self.inbox),
            "ETL_ARCHIVE_DIR": str(self.archive),
            "ETL_QUARANTINE_DIR": str(self.quarantine),
            "ETL_SETTLE_SECONDS": "0",
            "ETL_REPORT_FILE": str(self.root / "report.html"),
            "ETL_DATA_DOCS_DIR": str(self.root / "docs"),
        }
        return {**values, **more}

    def arrive(self, source: Path | bytes, name: str, *, age_days: float = 0.0) -> Path:
        """A file dropped into the inbox under ``name``, its modification time ``age_days`` old."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        path = self.inbox / name
        path.write_bytes(source if isinstance(source, bytes) else source.read_bytes())
        stamp = time.time() - age_days * 86400 - 1
        os.utime(path, (stamp, stamp))
        return path


def etl(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`etl …` as a user runs it, in this process's library (no Prefect server)."""
    command = [str(Path(sys.executable).parent / "etl"), *args, "--no-prefect"]
    full = {**os.environ, "COLUMNS": "200", **env}
    full.pop("PREFECT_API_URL", None)
    return subprocess.run(command, capture_output=True, text=True, env=full, timeout=600, check=False)


def marts(warehouse: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every mart view's rows, sorted, without the columns that say when or in which run (RUN_COLUMNS)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with connect(warehouse, read_only=True) as conn:
        found = conn.execute("select view_name from duckdb_views() where schema_name = 'mart'").fetchall()
        views = [str(view) for (view,) in found]
        for view in sorted(views):
            columns = [
                f'"{name}"'
                for (name,) in conn.execute(
                    "select column_name from duckdb_columns() where schema_name = 'mart' and table_name = ? "
                    "order by column_index",
                    [view],
                ).fetchall()
                if name not in RUN_COLUMNS
            ]
            out[view] = conn.execute(f"select {', '.join(columns)} from mart.{view} order by all").fetchall()
    return out


def current_versions(warehouse: Path) -> list[tuple[Any, ...]]:
    """(issuer, year, quarter, source file) of every current report version."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(
            "select issuer, year, quarter, source_file from mart.report_versions where is_current order by all"
        ).fetchall()
