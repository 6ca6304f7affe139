"""The report's SQL lives in sql/report/*.sql, one query per file in the views' style, read by one loader."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from etl.report import write_report
from etl.report.queries import ReportQueryError, load_query, run_named_query
from tests.conftest import PROJECT_ROOT, SQL_DIR

REPORT_SQL = SQL_DIR / "report"
REPORT_PACKAGE = PROJECT_ROOT / "src" / "etl" / "report"


def query_names() -> list[str]:
    return sorted(path.stem for path in REPORT_SQL.glob("*.sql"))


def test_every_query_file_is_used_and_every_query_used_has_a_file() -> None:
    source = "\n".join(path.read_text(encoding="utf-8") for path in REPORT_PACKAGE.glob("*.py"))
    used = set(re.findall(r'run_named_query\(conn, sql_dir, "(\w+)"', source))
    assert used == set(query_names()) and len(used) >= 9


def test_no_sql_strings_in_the_report_code() -> None:
    """Guide: no multi-line SQL strings in Python; the report's queries are files."""
    for path in REPORT_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not re.search(r"\bselect\b.+\bfrom\b", node.value, re.IGNORECASE | re.DOTALL), (
                    f"{path.name}: SQL in a string: {node.value[:80]!r}"
                )


@pytest.mark.parametrize("name", query_names())
def test_each_file_is_one_commented_query_with_import_ctes_first(name: str) -> None:
    text = load_query(SQL_DIR, name)
    assert text.startswith("-- "), "starts with a comment saying what it answers"
    assert "Grain:" in text, "states its grain"
    code = "\n".join(line.split("--")[0] for line in text.splitlines())
    assert code.count(";") == 1 and code.rstrip().endswith(";"), "one statement"
    body = code.strip().lower()
    assert body.startswith("with ") or body.startswith("select"), "import CTEs first, then a final select"
    if body.startswith("with "):
        first_cte = re.match(r"with\s+(\w+)\s+as\s*\(\s*select \* from (mart|core)\.\w+", body)
        assert first_cte, f"{name}: the first CTE imports a view (select * from mart.…)"


@pytest.mark.parametrize("name", query_names())
def test_each_query_runs_on_the_samples(name: str, sample_warehouse: Path) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as conn:
        rows = run_named_query(conn, SQL_DIR, name, {"year": 2024, "period_end_month": 9})
    assert rows, f"{name} returns rows on the sample warehouse"


def test_a_missing_query_file_is_named(tmp_path: Path) -> None:
    shutil.copytree(SQL_DIR, tmp_path / "sql")
    (tmp_path / "sql" / "report" / "open_tasks.sql").unlink()
    with pytest.raises(ReportQueryError, match=r"sql/report/open_tasks\.sql: report query 'open_tasks' not found"):
        load_query(tmp_path / "sql", "open_tasks")
    (tmp_path / "sql" / "report" / "headline.sql").write_text("\n", encoding="utf-8")
    with pytest.raises(ReportQueryError, match=r"headline\.sql: report query 'headline' is empty"):
        load_query(tmp_path / "sql", "headline")


def test_a_parameter_not_given_is_an_error_naming_the_file(sample_warehouse: Path) -> None:
    with (
        duckdb.connect(str(sample_warehouse), read_only=True) as conn,
        pytest.raises(ReportQueryError, match=r"open_tasks\.sql: .*parameters: (year|period_end_month)"),
    ):
        run_named_query(conn, SQL_DIR, "open_tasks", {"year": 2024})


def test_the_report_reads_its_queries_from_the_sql_dir_it_is_given(sample_warehouse: Path, tmp_path: Path) -> None:
    """write_report(sql_dir=…) is settings.sql_dir (ETL_SQL_DIR) in the flows and the CLI: the queries come from it."""
    shutil.copytree(SQL_DIR, tmp_path / "sql")
    latest = tmp_path / "sql" / "report" / "latest_period.sql"
    text = latest.read_text(encoding="utf-8")
    latest.write_text(text.replace("where is_current", "where is_current and period_end_month = 6"), encoding="utf-8")
    page = write_report(sample_warehouse, tmp_path / "report.html", sql_dir=tmp_path / "sql").path.read_text("utf-8")
    assert "政府工作报告任务完成情况 · 2024年二季度（合成）</h1>" in page
    default = write_report(sample_warehouse, tmp_path / "default.html").path.read_text("utf-8")
    assert "政府工作报告任务完成情况 · 2024年三季度</h1>" in default
