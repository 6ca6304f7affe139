"""Every kind of bad input is quarantined with a reason naming the file, the run goes on, the exit code says so."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pikepdf
import pytest

from etl.load.warehouse import connect
from tests.conftest import PROJECT_ROOT, REAL_PDF, REAL_TEXT_DUMP, flat, run_etl

pytestmark = pytest.mark.prefect
LAYOUTS = PROJECT_ROOT / "tests" / "fixtures" / "pdf_layouts"


def _dump_with(edit: tuple[int, int, str] | None = None, line3: str | None = None) -> str:
    lines = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
    if line3 is not None:
        lines[2] = line3
    if edit is not None:
        line_no, column, value = edit
        cells = lines[line_no - 1].split("\t")
        cells[column] = value
        lines[line_no - 1] = "\t".join(cells)
    return "\n".join(lines)


def _bad_inputs(folder: Path) -> dict[str, str]:
    """Write the bad files; return file name → a phrase its quarantine reason must contain."""
    expected: dict[str, str] = {}

    def put(name: str, data: bytes, reason: str) -> None:
        (folder / name).write_bytes(data)
        expected[name] = reason

    pdf = REAL_PDF.read_bytes()
    put("empty.txt", b"", "the file is empty")
    put("not_a_pdf.pdf", b"<html>a web page</html>", "not a PDF")
    put("truncated.pdf", pdf[: len(pdf) // 2], "truncated")
    with pikepdf.open(REAL_PDF) as document:
        document.save(folder / "encrypted.pdf", encryption=pikepdf.Encryption(owner="o", user="secret"))
    expected["encrypted.pdf"] = "encrypted"
    put("scan.pdf", (LAYOUTS / "hostile_scan.pdf").read_bytes(), "too coarse to read by OCR")
    put("other_table.pdf", (LAYOUTS / "hostile_other_table.pdf").read_bytes(), "found columns [序号, 项目名称")
    lines = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
    lines[6] = "\t".join(lines[6].split("\t")[:8])
    put("missing_column.txt", "\n".join(lines).encode(), "line 7: expected 9 tab-separated cells, found 8")
    put("duplicate_task.txt", _dump_with((11, 0, "4")).encode(), "task 4 has a second 施工图 row")
    put("both_status.txt", _dump_with((7, 7, "✓")).encode(), "status in both columns")
    # issue 16, defect 1: a 序号 that str.isdigit() accepts but int() does not crashed the whole batch.
    put("circled_task_number.txt", _dump_with((7, 0, "④")).encode(), "line 7, column 序号: task number '④'")
    put("unknown_status.txt", _dump_with((9, 6, "待定")).encode(), "unrecognised status '待定'")
    no_period = _dump_with(line3="市工信局 2024 年政府工作报告任务完成情况").encode()
    put("no_quarter.txt", no_period, "does not name the period")
    put("utf16.txt", REAL_TEXT_DUMP.read_text(encoding="utf-8").encode("utf-16"), "neither UTF-8 nor GB18030")
    return expected


def test_bad_inputs_are_quarantined_with_reasons_and_good_ones_loaded(tmp_path: Path, prefect_api_url: str) -> None:
    from etl.flows.ingest import poll_inbox, summary_of

    inbox, archive, quarantine = tmp_path / "inbox", tmp_path / "archive", tmp_path / "quarantine"
    inbox.mkdir()
    expected = _bad_inputs(inbox)
    shutil.copy(REAL_TEXT_DUMP, inbox / "good 报告 'q3'.txt")  # spaces, quotes and Chinese in the name
    (inbox / "gbk.txt").write_bytes(REAL_TEXT_DUMP.read_text(encoding="utf-8").encode("gb18030"))
    for path in inbox.iterdir():
        os.utime(path, (time.time() - 60, time.time() - 60))
    os.utime(inbox / "good 报告 'q3'.txt", (time.time() - 120, time.time() - 120))  # arrived first

    state = poll_inbox(
        str(inbox), str(archive), str(quarantine), str(tmp_path / "w.duckdb"), settle_seconds=5, return_state=True
    )
    summary = summary_of(state)  # a run with rejected files ends Failed (issue 13): its summary is the state's data
    outcomes = {f.file: f.outcome for f in summary.files}
    assert outcomes.pop("good 报告 'q3'.txt") == "loaded"
    assert outcomes.pop("gbk.txt") == "unchanged"  # the same report in another encoding: read, same content
    assert outcomes == dict.fromkeys(expected, "failed")
    assert list(inbox.iterdir()) == []
    for name, phrase in expected.items():
        sidecar = json.loads((quarantine / f"{name}.error.json").read_text(encoding="utf-8"))
        assert sidecar["reason"].startswith(f"{name}: "), sidecar["reason"]
        assert phrase in sidecar["reason"], (name, sidecar["reason"])
        assert (quarantine / name).exists()
    with connect(tmp_path / "w.duckdb", read_only=True) as conn:
        assert conn.execute("select count(*) from core.report").fetchone() == (1,)
        failed = conn.execute("select count(*) from ops.ingest_file where outcome = 'failed'").fetchone()
        assert failed == (len(expected),)


def test_the_cli_exit_code_says_files_failed(tmp_path: Path, prefect_api_url: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _bad_inputs(folder)
    shutil.copy(REAL_TEXT_DUMP, folder / "good.txt")
    result = run_etl(["ingest", str(folder), "--warehouse", str(tmp_path / "w.duckdb")], prefect_api_url)
    assert result.returncode == 1
    assert "failed: encrypted.pdf:" in flat(result.stderr)
    assert "1 report file(s)" in flat(result.stdout)


def test_two_polls_at_once_take_turns_and_load_each_file_once(tmp_path: Path, prefect_api_url: str) -> None:
    import subprocess
    import sys

    from tests.conftest import SYNTHETIC

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for source in [REAL_TEXT_DUMP, *SYNTHETIC]:
        shutil.copy(source, inbox / source.name)
        os.utime(inbox / source.name, (time.time() - 60, time.time() - 60))
    args = [
        "poll",
        "--inbox",
        str(inbox),
        "--archive",
        str(tmp_path / "archive"),
        "--quarantine",
        str(tmp_path / "quarantine"),
        "--settle-seconds",
        "5",
        "--warehouse",
        str(tmp_path / "w.duckdb"),
    ]
    env = {**os.environ, "PREFECT_API_URL": prefect_api_url, "COLUMNS": "200"}
    etl = str(Path(sys.executable).parent / "etl")
    runs = [
        subprocess.Popen([etl, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    loaded = sum(out.count(": loaded") for out, _ in outputs)
    assert loaded == 1 + len(SYNTHETIC), outputs
    assert list(inbox.iterdir()) == []
    assert len(list((tmp_path / "archive").rglob("*.txt"))) == 1 + len(SYNTHETIC)
    with connect(tmp_path / "w.duckdb", read_only=True) as conn:
        assert conn.execute("select count(*) from core.report").fetchone() == (1 + len(SYNTHETIC),)
        assert conn.execute("select count(*) from ops.ingest_file where outcome = 'loaded'").fetchone() == (
            1 + len(SYNTHETIC),
        )
