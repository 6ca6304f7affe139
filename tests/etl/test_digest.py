"""The SHA-256 of a file: the same as hashing its bytes at once, for files spanning several read blocks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from etl.digest import sha256_file


@pytest.mark.parametrize("size", [0, 1, (1 << 20) - 1, 1 << 20, 3 * (1 << 20) + 17])
def test_the_digest_is_the_bytes_digest(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
