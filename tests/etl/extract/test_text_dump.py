from __future__ import annotations

from pathlib import Path

import pytest

from etl.errors import ReportError
from etl.extract.text_dump import parse_text_dump, read_text_dump
from tests.conftest import REAL_TEXT_DUMP, write_dump


def test_the_real_dump_as_delivered() -> None:
    raw = read_text_dump(REAL_TEXT_DUMP)
    assert raw.title == "市工信局 2024 年政府工作报告任务 三季度完成情况"
    assert raw.period_header == "第三季度" and raw.header_end_month == 9
    assert raw.page_count == 7
    assert len(raw.rows) == 34
    assert raw.source_format == "text"
    assert raw.byte_size == REAL_TEXT_DUMP.stat().st_size
    # Headers repeated on every page never become rows.
    assert not any(row.cells[0] == "序号" or row.cells[6] == "已完成" for row in raw.rows)
    # Raw cells are kept as found, markup included.
    assert any(row.cell("plan_kind") == "施工图" and row.cell("period_plan").startswith("<p>") for row in raw.rows)


def test_page_numbers_follow_the_repeated_headers() -> None:
    raw = read_text_dump(REAL_TEXT_DUMP)
    pages = {row.cell("task_no"): row.pages for row in raw.rows if row.cell("task_no")}
    assert pages["1"] == (1,) and pages["6"] == (2,) and pages["18"] == (5,) and pages["31"] == (7,)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_other_encodings_are_read(tmp_path: Path, encoding: str) -> None:
    text = REAL_TEXT_DUMP.read_text(encoding="utf-8")
    path = tmp_path / "r.txt"
    path.write_bytes(text.encode(encoding, errors="strict") if encoding != "gb18030" else _gbk(text))
    raw = read_text_dump(path)
    assert raw.title == "市工信局 2024 年政府工作报告任务 三季度完成情况" and len(raw.rows) == 34


def _gbk(text: str) -> bytes:
    return text.encode("gb18030")


def test_undecodable_bytes_are_refused_clearly() -> None:
    with pytest.raises(ReportError, match="x.txt: line 1: text is neither UTF-8 nor GB18030/GBK: byte 0x"):
        parse_text_dump(b"\xff\xfe\x00\x81\x30\x81" * 10, "x.txt")


def test_empty_file_is_rejected() -> None:
    with pytest.raises(ReportError, match="empty.txt: the file is empty"):
        parse_text_dump(b"  \n", "empty.txt")


def test_a_table_with_other_columns_is_rejected_with_found_and_expected_columns(tmp_path: Path) -> None:
    lines = ["某报表", "", "代码\t名称\t金额", "1\t甲\t3"]
    with pytest.raises(ReportError) as caught:
        read_text_dump(write_dump(tmp_path, lines))
    assert "no table header" in str(caught.value)
    # 编号 is a header word of task_no (data/templates.yaml): the line is taken as the header and refused.
    lines = ["某报表", "", "编号\t名称\t金额", "1\t甲\t3"]
    with pytest.raises(ReportError, match=r"found columns \[编号, 名称, 金额\]"):
        read_text_dump(write_dump(tmp_path, lines))
    lines = ["标题 2024年 三季度", "序号\t目标任务\t金额", "1\t甲\t3"]
    with pytest.raises(ReportError) as caught:
        read_text_dump(write_dump(tmp_path, lines))
    assert "found columns [序号, 目标任务, 金额], expected [序号, 目标任务, 责任分工" in str(caught.value)


def test_a_missing_column_is_rejected_with_the_line(tmp_path: Path, real_dump_lines: list[str]) -> None:
    lines = list(real_dump_lines)
    lines[6] = "\t".join(lines[6].split("\t")[:8])
    with pytest.raises(ReportError, match="page 1, line 7: expected 9 tab-separated cells, found 8"):
        read_text_dump(write_dump(tmp_path, lines))
