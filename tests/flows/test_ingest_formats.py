"""Every form the report arrives in loads through `etl ingest` like any other file (issue 14, items 1-2).

Word and Excel originals and a PDF of a SYNTHETIC changed template (headers reworded, columns moved, one extra
column; tests/fixtures/formats/, made by scripts/make_format_fixtures.py and typeset by LibreOffice) each load
cell-exact against the text dump: the same task rows and the same mart rows as the text dump loaded alone.
Unknown headers and a legacy .doc are refused with the clear error, the rest of the batch loads, and the refused
files change nothing in the warehouse.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import docx
import pytest
from typer.testing import CliRunner

from etl.flows.cli import app
from etl.load.warehouse import connect
from tests.conftest import REAL_TEXT_DUMP, flat, mart_snapshot, run_etl
from tests.etl.extract.html_pages import gov_page, split_dump

FORMATS = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
WORD = FORMATS / "layouts" / "word_landscape_serif_10.5.docx"
EXCEL = FORMATS / "workbook_with_cover_sheet.xlsx"
CHANGED_PDF = FORMATS / "changed_template_synthetic.pdf"
# What differs by format by design: which file, its bytes and where on its pages a row was.
# is_synthetic is read from the file name, like source_file
LINEAGE = (
    "source_file",
    "source_sha256",
    "source_pages",
    "source_pages_text",
    "source_line",
    "report_id",
    "is_synthetic",
)


def _task_rows(warehouse: Path) -> list[tuple[Any, ...]]:
    with connect(warehouse, read_only=True) as conn:
        columns = [
            name
            for (name,) in conn.execute(
                "select column_name from duckdb_columns() where schema_name = 'core' and table_name = 'task_row' "
                "and not list_contains(?, column_name)",
                [list(LINEAGE)],
            ).fetchall()
        ]
        return conn.execute(f"select {', '.join(columns)} from core.task_row order by all").fetchall()


def _table_counts(warehouse: Path) -> dict[str, int]:
    with connect(warehouse, read_only=True) as conn:
        tables = conn.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ('raw', 'core')"
        ).fetchall()
        counts: dict[str, int] = {}
        for schema, table in tables:
            row = conn.execute(f"select count(*) from {schema}.{table}").fetchone()
            counts[f"{schema}.{table}"] = int(row[0]) if row else 0
        return counts


@pytest.fixture(scope="module")
def dump_warehouse(tmp_path_factory: pytest.TempPathFactory, prefect_api_url: str) -> Path:
    warehouse = tmp_path_factory.mktemp("dump") / "w.duckdb"
    result = run_etl(["ingest", str(REAL_TEXT_DUMP), "--warehouse", str(warehouse)], prefect_api_url)
    assert result.returncode == 0, result.stdout + result.stderr
    return warehouse


@pytest.mark.prefect
@pytest.mark.parametrize(
    ("source", "source_format"),
    [(WORD, "docx"), (EXCEL, "xlsx"), (CHANGED_PDF, "pdf")],
    ids=["word", "excel", "changed_pdf"],
)
def test_each_format_loads_cell_exact_against_the_text_dump(
    tmp_path: Path, prefect_api_url: str, dump_warehouse: Path, source: Path, source_format: str
) -> None:
    warehouse = tmp_path / "w.duckdb"
    result = run_etl(["ingest", str(source), "--warehouse", str(warehouse)], prefect_api_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 report file(s) (1 current), 17 tasks, 34 task rows" in flat(result.stdout)
    assert _task_rows(warehouse) == _task_rows(dump_warehouse)
    assert mart_snapshot(warehouse, without=LINEAGE) == mart_snapshot(dump_warehouse, without=LINEAGE)
    with connect(warehouse, read_only=True) as conn:
        assert conn.execute("select source_format, template from raw.source_file").fetchall() == [
            (source_format, "two_mark_columns")
        ]
        assert conn.execute("select count(*) from raw.extracted_cell where column_name <> 'extra'").fetchone() == (
            34 * 9,
        )
    if source == CHANGED_PDF:
        _check_the_changed_templates_raw_cells(warehouse)


@pytest.mark.prefect
def test_a_web_page_loads_cell_exact_against_the_text_dump(
    tmp_path: Path, prefect_api_url: str, dump_warehouse: Path
) -> None:
    """The bureau's report as a government site serves it (GB2312 declared, page chrome, merged cells) loads
    through `etl ingest` of a folder like any other file (issue 20 item 3)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "report.html").write_bytes(gov_page(split_dump(REAL_TEXT_DUMP)))
    warehouse = tmp_path / "w.duckdb"
    result = run_etl(["ingest", str(inbox), "--warehouse", str(warehouse)], prefect_api_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 report file(s) (1 current), 17 tasks, 34 task rows" in flat(result.stdout)
    assert _task_rows(warehouse) == _task_rows(dump_warehouse)
    assert mart_snapshot(warehouse, without=LINEAGE) == mart_snapshot(dump_warehouse, without=LINEAGE)
    with connect(warehouse, read_only=True) as conn:
        assert conn.execute("select source_format, template from raw.source_file").fetchall() == [
            ("html", "two_mark_columns")
        ]


def _check_the_changed_templates_raw_cells(warehouse: Path) -> None:
    """The changed template's column mapping and its extra column 备注 are kept with the raw cells."""
    with connect(warehouse, read_only=True) as conn:
        mapping = conn.execute(
            "select distinct column_name, source_column, source_header from raw.extracted_cell order by source_column"
        ).fetchall()
        remarks = conn.execute(
            "select replace(replace(cell_text, chr(10), ''), ' ', '') from raw.extracted_cell "
            "where column_name = 'extra' order by row_no"
        ).fetchall()
        plan_rows = conn.execute("select task_no, plan_type_label from core.task_row order by source_line").fetchall()
    assert mapping == [
        ("task_no", 0, "序号"),
        ("task_title", 1, "重点任务"),
        ("plan_kind", 2, "类别"),
        ("period_plan", 3, "1-9月"),
        ("done", 4, "完成情况已完成"),
        ("not_done", 5, "未完成"),
        ("progress", 6, "工作进展"),
        ("responsible", 7, "牵头单位"),
        ("supervision", 8, "联系电话"),
        ("extra", 9, "备注"),
    ]
    assert [text for (text,) in remarks] == [f"任务{task}{label}" for task, label in plan_rows]


def test_check_says_which_template_matched_and_how_each_column_was_mapped() -> None:
    result = CliRunner().invoke(app, ["check", str(CHANGED_PDF)])
    assert result.exit_code == 0, result.output
    output = flat(result.output)
    assert "template two_mark_columns" in output
    assert "column 2 重点任务 → task_title (目标任务)" in output
    assert "column 4 1-9月 → period_plan (第N季度)" in output
    assert "column 10 备注 → extra column (kept in raw.extracted_cell)" in output
    workbook = CliRunner().invoke(app, ["check", str(EXCEL)])
    assert workbook.exit_code == 0, workbook.output
    assert "sheet '完成情况' (the one holding the table)" in flat(workbook.output)


@pytest.mark.prefect
def test_refused_files_name_the_problem_the_rest_loads_and_the_warehouse_is_unchanged(
    tmp_path: Path, prefect_api_url: str
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(WORD, inbox / "a_report.docx")
    shutil.copy(FORMATS / "legacy.doc", inbox / "b_legacy.doc")
    unknown = docx.Document(str(WORD))
    unknown.tables[0].rows[0].cells[1].text = "工作目标"  # 目标任务 reworded to a word no template knows
    unknown.save(str(inbox / "c_unknown_headers.docx"))
    warehouse = tmp_path / "w.duckdb"
    batch = run_etl(["ingest", str(inbox), "--warehouse", str(warehouse)], prefect_api_url)
    assert batch.returncode == 1
    errors = flat(batch.stderr)
    assert "b_legacy.doc: a legacy Word 97-2003 document (.doc)" in errors
    assert "libreoffice --headless --convert-to docx 'b_legacy.doc'" in errors
    assert "c_unknown_headers.docx: page 1: the table is not a task-completion report table" in errors
    assert "missing fields: task_title (目标任务)" in errors and 'add the line "- 工作目标"' in errors
    assert "1 report file(s) (1 current), 17 tasks, 34 task rows" in flat(batch.stdout)

    before_counts, before_marts = _table_counts(warehouse), mart_snapshot(warehouse, without=())
    refused = tmp_path / "refused"
    refused.mkdir()
    for name in ("b_legacy.doc", "c_unknown_headers.docx"):
        shutil.copy(inbox / name, refused / name)
    again = run_etl(["ingest", str(refused), "--warehouse", str(warehouse)], prefect_api_url)
    assert again.returncode == 1
    assert _table_counts(warehouse) == before_counts
    assert mart_snapshot(warehouse, without=()) == before_marts
    with connect(warehouse, read_only=True) as conn:
        failed = conn.execute(
            "select file_name, outcome from ops.ingest_file where outcome = 'failed' order by all"
        ).fetchall()
    assert ("b_legacy.doc", "failed") in failed and ("c_unknown_headers.docx", "failed") in failed
