"""The supervision office's bulletin (督查通报) of one issuer and period, from the marts: Word, Markdown or HTML.

    write_bulletin(warehouse, Path("bulletin.docx"), year=2024, end_month=9)

``data`` reads the marts (read-only), ``compose`` writes the office's text as blocks, ``render`` lays the blocks out
in each format: the three formats say the same words and figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from etl.bulletin.compose import compose
from etl.bulletin.data import BulletinData, BulletinError, read_bulletin_data
from etl.bulletin.render import BULLETIN_SUFFIXES, bulletin_suffix, write
from etl.load.warehouse import connect
from etl.resources import SHIPPED_SQL_DIR

__all__ = ["BULLETIN_SUFFIXES", "BulletinError", "BulletinResult", "default_bulletin_path", "write_bulletin"]


@dataclass(frozen=True)
class BulletinResult:
    path: Path
    data: BulletinData

    def describe(self) -> str:
        """What was written: the issuer and period, the tasks and targets behind it counts, and where."""
        period, summary = self.data.period, self.data.summary
        return (
            f"Bulletin of {period.issuer} {period.year} {period.label or period.end_month} ({summary['tasks']} tasks, "
            f"{summary['targets_behind']} target(s) behind): {self.path.resolve()}"
        )


def default_bulletin_path(warehouse: Path, issuer: str | None, period: str | None) -> Path:
    """Where a bulletin goes when no file is named: a Word file beside the warehouse, named for what was asked
    (``bulletin_<issuer>_<period>.docx``, ``latest`` for what was left to the warehouse)."""
    return warehouse.parent / f"bulletin_{issuer or 'latest'}_{period or 'latest'}.docx"


def write_bulletin(
    warehouse: Path,
    out: Path,
    *,
    year: int | None = None,
    end_month: int | None = None,
    issuer: str | None = None,
    sql_dir: Path | None = None,
    generated_at: datetime | None = None,
) -> BulletinResult:
    """Write the bulletin of ``issuer`` for the period ending in ``end_month`` of ``year`` (default: the latest) to
    ``out`` (.docx, .md or .html). BulletinError when there is no such report (or several issuers and none chosen);
    ValueError for another suffix; FileNotFoundError for a missing warehouse."""
    bulletin_suffix(out)  # refused before the warehouse is read
    with connect(warehouse, read_only=True) as conn:
        data = read_bulletin_data(conn, sql_dir or SHIPPED_SQL_DIR, year=year, end_month=end_month, issuer=issuer)
    return BulletinResult(write(compose(data, generated_at=generated_at), out), data)
