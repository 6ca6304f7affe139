"""Older client releases in their own virtual environments: DuckDB as bundled by BI drivers, to open warehouse
files; SQLAlchemy 2.0 for the BI route (tests/etl/load/test_sqlalchemy_route.py).

Each set of pinned packages is installed from PyPI into .cache/<name>/ the first time (about 10 s for DuckDB
alone), then reused while the installed versions are the pinned ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from filelock import FileLock

from etl.settings import PROJECT_ROOT

OLD_DUCKDB = "1.1.3"  # the oldest release the default storage version (v1.1.0) is for
OTHER_OLD_DUCKDBS = ("1.2.2", "1.4.1")  # releases the metadata-reuse defect also broke

# Run by the old DuckDB: open read-only, then read every row of every table and of every mart view (each row
# cast to text in SQL, so every column is read and no Python type conversion is needed).
READ_EVERYTHING = textwrap.dedent(
    """
    import json, sys
    import duckdb

    result = {"version": duckdb.__version__}
    try:
        conn = duckdb.connect(sys.argv[1], read_only=True)
        views = [v for (v,) in conn.execute(
            "select view_name from duckdb_views() where schema_name = 'mart' order by view_name").fetchall()]
        tables = [t for (t,) in conn.execute(
            "select schema_name || '.' || table_name from duckdb_tables() order by 1").fetchall()]
        def read(relation):
            return len(conn.execute(f"select cast(r as varchar) from {relation} as r").fetchall())
        result["rows"] = {v: read(f"mart.{v}") for v in views}
        result["table_rows"] = {t: read(t) for t in tables}
        result["columns"] = {v: [c for (c,) in conn.execute(
            "select column_name from duckdb_columns() where schema_name = 'mart' and table_name = ? "
            "order by column_index", [v]).fetchall()] for v in views}
    except Exception as exc:
        result["error"] = repr(exc)
    print(json.dumps(result))
    """
)


def cached_venv(name: str, pins: dict[str, str]) -> Path:
    """The interpreter of a virtual environment .cache/``name`` holding exactly the ``pins`` (distribution →
    version) and their dependencies, made once and reused while ``importlib.metadata`` reports those versions."""
    env = PROJECT_ROOT / ".cache" / name
    python = env / "bin" / "python"
    env.parent.mkdir(parents=True, exist_ok=True)
    probe = "import importlib.metadata as m, sys; print(' '.join(m.version(d) for d in sys.argv[1:]))"
    with FileLock(str(env) + ".lock"):
        check = [str(python), "-c", probe, *pins]
        if python.exists() and subprocess.run(check, capture_output=True, text=True).stdout.split() == list(
            pins.values()
        ):
            return python
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(env)], check=True)
        requirements = [f"{dist}=={version}" for dist, version in pins.items()]
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements],
            check=True,
            timeout=900,
        )
    return python


def old_duckdb_python(version: str = OLD_DUCKDB) -> Path:
    """The interpreter of a virtual environment with DuckDB ``version`` (.cache/duckdb-<version>)."""
    return cached_venv(f"duckdb-{version}", {"duckdb": version})


def read_with_old_duckdb(warehouse: Path, version: str = OLD_DUCKDB) -> dict[str, object]:
    """What DuckDB ``version`` sees in the file: rows per mart view and table, mart columns, or the error."""
    result = subprocess.run(
        [str(old_duckdb_python(version)), "-c", READ_EVERYTHING, str(warehouse)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(result.stdout))


QUARTER_WORDS = {1: "一", 2: "二", 3: "三", 4: "四"}


def quarter_dump(
    folder: Path, year: int, quarter: int, *, revision: bool = False, edit: str = "", tag: str = ""
) -> Path:
    """A synthetic report: the real 2024 Q3 text dump with another year and quarter in its title and quarter
    header (and, for a re-issue, （修订） after the title and ``edit`` appended to the first progress cell)."""
    from tests.conftest import REAL_TEXT_DUMP

    text = REAL_TEXT_DUMP.read_text(encoding="utf-8")
    word = QUARTER_WORDS[quarter]
    title = "2024 年政府工作报告任务 三季度完成情况"
    assert text.count(title) >= 1 and "第三季度" in text
    new_title = f"{year} 年政府工作报告任务 {word}季度完成情况" + ("（修订）" if revision else "")
    text = text.replace(title, new_title).replace("第三季度", f"第{word}季度")
    if edit:
        text = text.replace("全市新增“小巨人”企业6户。", f"全市新增“小巨人”企业6户。{edit}", 1)
    suffix = "_修订" if revision else ""
    path = folder / f"{year}Q{quarter}_市工信局_synthetic{suffix}{tag}.txt"
    path.write_text(text, encoding="utf-8")
    return path
