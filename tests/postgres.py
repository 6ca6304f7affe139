"""A throw-away PostgreSQL cluster for the lake's tests: Debian's server (``make system-deps`` installs the package
``postgresql``), made with initdb in a temporary folder, listening on a Unix socket in that folder only (no TCP).

PostgreSQL refuses to run as root, and tests (and CI) run as root: then the server runs as the unprivileged user
``nobody`` through ``setpriv``, keeping only the capability to traverse folders (CAP_DAC_READ_SEARCH, ambient), so
that it reaches a data folder under pytest's temporary folders (mode 0700, owned by root) without opening them to
every user. Its own data and socket folders are owned by ``nobody``. Run as another user, it runs as that user.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "etl"


def bin_dir() -> Path:
    """The newest installed PostgreSQL server's programs (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("no PostgreSQL server installed (initdb not found): run `make system-deps` (package postgresql)")


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    nobody = pwd.getpwnam("nobody")
    return [
        "setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
        "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", "--", *command,
    ]  # fmt: skip


def _owned_by_server(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
    folder.chmod(0o700)


@dataclass
class PostgresCluster:
    """A running cluster: ``dsn(db)`` is a libpq connection string over its socket."""

    base: Path
    bin: Path = field(default_factory=bin_dir)
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "sock"

    def start(self) -> PostgresCluster:
        _owned_by_server(self.data)
        _owned_by_server(self.socket_dir)
        self._run(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
             "--no-locale", "--no-sync"]
        )  # fmt: skip
        options = f"-c listen_addresses='' -k {self.socket_dir} -c fsync=off -c max_connections=200"
        self._run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "server.log"), "-w", "-t", "60",
             "-o", options, "start"]
        )  # fmt: skip
        return self

    def stop(self) -> None:
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"], check=False)

    def dsn(self, dbname: str) -> str:
        return f"dbname={dbname} host={self.socket_dir} user={SUPERUSER}"

    def create_database(self, prefix: str = "lake") -> str:
        name = f"{prefix}_{next(self._numbers)}"
        subprocess.run(
            [str(self.bin / "createdb"), "-h", str(self.socket_dir), "-U", SUPERUSER, name],
            check=True, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        return name

    def _run(self, command: list[str], *, check: bool = True) -> None:
        done = subprocess.run(
            _as_server_user(command), capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
        )
        if check and done.returncode != 0:
            log = self.data / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            what = " ".join(command[:2])
            raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr}{done.stdout}\n{tail}")
