"""Office packages (.docx, .xlsx) are ZIP archives: bounded before anything is parsed.

A 2.9 MB workbook whose sheet XML unzips to 1.2 GB held a worker (and the inbox poll's writer lock) for the whole
extraction time limit; a .docx bomb ended in lxml's "unknown error (<string>, line 0)". The ZIP directory says how
large each member unzips to, so the package is refused from it, before parsing, naming the largest member. A
directory that understates a size cannot get past it: Python's zipfile, which openpyxl and python-docx read
through, stops at the declared size and fails the member's CRC check.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from etl.errors import ReportError

# What a report's package may unzip to, all members together. The bureau's real 17-task report unzips to 0.09 MB as
# .xlsx and 0.9 MB as .docx (tests/fixtures/formats/layouts); the 459-task report of the hostile-PDF tests would be
# about 25 MB as .docx. 64 MB leaves room for embedded images and still parses in seconds.
MAX_UNZIPPED_MB = 64
# A ZIP of many tiny members costs time per member.
MAX_MEMBERS = 10_000


def check_package(path: Path, kind: str) -> None:
    """Raise ReportError if the package at ``path`` would unzip to more than MAX_UNZIPPED_MB or has too many members.

    ``kind`` names the format in the message ("Word document (.docx)").
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReportError.single(path.name, f"not a readable {kind}: {exc}") from exc
    total = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS:
        raise ReportError.single(
            path.name, f"a ZIP of {len(members):,} members, more than the {MAX_MEMBERS:,} a {kind} may hold: not read"
        )
    if total > MAX_UNZIPPED_MB * 1_000_000:
        largest = max(members, key=lambda member: member.file_size)
        raise ReportError.single(
            path.name,
            f"a zip bomb: this {kind} of {path.stat().st_size / 1e6:.1f} MB would unzip to {total / 1e6:,.0f} MB "
            f"({largest.filename}: {largest.file_size / 1e6:,.0f} MB), more than the {MAX_UNZIPPED_MB} MB a report "
            "may unzip to; not read",
        )
