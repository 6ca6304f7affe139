"""The SHA-256 of a file's bytes: the warehouse's identity of an input file (and the archive's folder name)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of the file's bytes, read in 1 MB blocks (a large file is never held in memory whole)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
