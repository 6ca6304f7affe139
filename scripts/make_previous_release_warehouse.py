"""Write tests/fixtures/previous_release/warehouse_0.1.0.duckdb.gz: a warehouse made by release 0.1.0 itself.

Release 0.1.0 is commit 45f65da, the last one before numbered migrations (its tables came from sql/schema/*.sql,
`create … if not exists` on every run). This script checks that commit out into a temporary git worktree and runs
*its* `etl ingest` (the real Prefect flow, in its local mode) on *its* bundled samples plus one junk file, so the
fixture holds what an analyst's warehouse of that release holds: raw, core and ops rows, validation results and a
failed file. It is committed gzipped (9 MB of mostly empty 256 KB blocks → 0.2 MB). The upgrade test
(tests/etl/load/test_upgrade.py) upgrades a copy with today's `etl init`.

    .venv/bin/python scripts/make_previous_release_warehouse.py [OUT.duckdb.gz]

It runs with this checkout's virtual environment (the dependencies did not change in ways 0.1.0 notices); the old
code is put first on the path, and the script checks that it is the old code that ran.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

PREVIOUS_RELEASE = "45f65da"
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "previous_release" / "warehouse_0.1.0.duckdb.gz"

RUN_OLD_CLI = (
    "import sys, etl, flows.cli\n"
    "assert etl.__file__.startswith(sys.argv[1]), etl.__file__\n"
    "sys.argv = ['etl', *sys.argv[2:]]\n"
    "flows.cli.app()\n"
)


def main(out_gz: Path) -> None:
    out_gz.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="etl-0.1.0-") as folder:
        out = Path(folder) / "warehouse.duckdb"
        old = Path(folder) / "checkout"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), PREVIOUS_RELEASE],
            check=True,
            capture_output=True,
        )
        try:
            junk = Path(folder) / "junk.txt"
            junk.write_text("not a report at all\n", encoding="utf-8")
            env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join([str(old / "src"), str(old)]),
                "PREFECT_HOME": str(Path(folder) / "prefect"),
                "ETL_DATA_DOCS_DIR": str(Path(folder) / "gx_docs"),
                "ETL_REPORT_FILE": str(Path(folder) / "report.html"),
            }
            env.pop("PREFECT_API_URL", None)
            result = subprocess.run(
                [sys.executable, "-c", RUN_OLD_CLI, str(old), "ingest", "data/samples", str(junk), "-w", str(out)],
                cwd=old,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if result.returncode != 1 or "junk.txt" not in result.stderr:  # 1: the junk file failed, as meant
                raise SystemExit(f"release {PREVIOUS_RELEASE} ingest did not run as expected:\n{result.stderr}")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=True)
        with duckdb.connect(str(out), read_only=True) as conn:
            reports = conn.execute("select count(*) from core.report").fetchone()
            ledger = conn.execute(
                "select count(*) from duckdb_tables() where schema_name = 'ops' and table_name = 'schema_migration'"
            ).fetchone()
        assert ledger == (0,), "a 0.1.0 warehouse has no migration ledger"
        assert not out.with_name(out.name + ".wal").exists(), "the published file is self-contained"
        with out.open("rb") as source, gzip.GzipFile(out_gz, "wb", compresslevel=9, mtime=0) as target:
            shutil.copyfileobj(source, target)
        size = out.stat().st_size
    print(f"wrote {out_gz} ({out_gz.stat().st_size} bytes; {size} unpacked; {reports[0] if reports else 0} reports)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)
