"""Parsing rules, driven by the bureau's real 2024 Q3 report."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.errors import ReportError
from etl.extract.source import read_source
from etl.extract.text_dump import read_text_dump
from etl.models import Report, TaskRow
from etl.parse.report import parse_report
from etl.settings import PROJECT_ROOT
from tests.conftest import REAL_TEXT_DUMP, write_dump


def rows_of(report: Report, task_no: int) -> dict[str, TaskRow]:
    return {row.plan_type: row for row in report.rows if row.task_no == task_no}


def test_metadata_comes_from_the_title(real_report: Report) -> None:
    meta = real_report.meta
    assert (meta.issuer, meta.year, meta.quarter) == ("市工信局", 2024, 3)


def test_seventeen_tasks_each_with_a_schedule_and_a_roadmap_row(real_report: Report) -> None:
    assert real_report.task_count == 17
    assert len(real_report.rows) == 34
    assert [row.task_no for row in real_report.rows[::2]] == [
        1,
        4,
        5,
        6,
        8,
        9,
        10,
        11,
        12,
        18,
        19,
        22,
        23,
        25,
        29,
        30,
        31,
    ]
    for task_no in {row.task_no for row in real_report.rows}:
        assert set(rows_of(real_report, task_no)) == {"schedule", "roadmap"}


def test_task_columns_are_inherited_by_the_roadmap_row(real_report: Report) -> None:
    task = rows_of(real_report, 25)
    assert task["schedule"].task_title == task["roadmap"].task_title == "行政村5G通达率达95%"
    assert task["roadmap"].plan_type_label == "施工图"
    assert task["schedule"].plan_type_label == "进度安排"
    assert task["roadmap"].phone == "5511490"


def test_statuses(real_report: Report) -> None:
    statuses = {row.task_no: row.status for row in real_report.rows}
    assert statuses[19] == statuses[22] == "in_progress"
    assert rows_of(real_report, 19)["schedule"].status_text == "正在推进"
    assert rows_of(real_report, 22)["roadmap"].status_text == "持续推进"
    assert rows_of(real_report, 18)["schedule"].status_text == "√"
    assert rows_of(real_report, 1)["schedule"].status_text == "✓"
    assert {n for n, s in statuses.items() if s != "completed"} == {19, 22}


def test_responsible_units_and_lead_office(real_report: Report) -> None:
    task4 = rows_of(real_report, 4)["schedule"]
    assert task4.responsible_units == ("市经济和信息化局", "安庆石化", "安庆高新区管委会")
    assert task4.lead_office == "产业科"
    task22 = rows_of(real_report, 22)["roadmap"]
    assert task22.responsible_units[1] == "市财政局(市国资委)"
    assert task22.lead_office == "中小办"
    assert rows_of(real_report, 5)["schedule"].responsible_units == (
        "市经济和信息化局",
        "市招商中心",
        "市科技局",
    )


def test_empty_progress_cells_stay_empty(real_report: Report) -> None:
    empty = sorted(row.task_no for row in real_report.rows if row.progress_text == "")
    assert empty == [11, 12, 23]
    assert all(row.plan_type == "roadmap" for row in real_report.rows if row.progress_text == "")


def test_no_markup_survives_and_numbered_items_are_lines(real_report: Report) -> None:
    for row in real_report.rows:
        for text in (row.task_title, row.plan_text, row.progress_text):
            assert "<p>" not in text and "</p>" not in text and "&nbsp;" not in text
    plan = rows_of(real_report, 8)["roadmap"].plan_text.split("\n")
    assert [line[:2] for line in plan] == ["1.", "2.", "3.", "4.", "5."]


def test_text_is_kept_as_written(real_report: Report) -> None:
    roadmap22 = rows_of(real_report, 22)["roadmap"].plan_text
    assert "主流media上公布" in roadmap22
    assert rows_of(real_report, 18)["schedule"].plan_text.startswith(
        "持续做好衡川电池隔膜、国轩二期、集泰新材料等20个20亿元工业项目服务,实现早竣工"
    )
    assert rows_of(real_report, 9)["schedule"].task_title == "新增规上制造业企业数字化改造200家以上"


def test_every_row_knows_its_source(real_report: Report) -> None:
    assert real_report.raw.source_file.endswith(".txt")
    assert len(real_report.raw.source_sha256) == 64
    assert rows_of(real_report, 1)["schedule"].source_pages == (1,)
    assert rows_of(real_report, 31)["roadmap"].source_pages == (7,)
    assert rows_of(real_report, 31)["roadmap"].source_line == 58


def _edited(lines: list[str], line_no: int, column: int, value: str) -> list[str]:
    cells = lines[line_no - 1].split("\t")
    cells[column] = value
    edited = list(lines)
    edited[line_no - 1] = "\t".join(cells)
    return edited


@pytest.mark.parametrize(
    ("line_no", "column", "value", "message"),
    [
        (7, 6, "", "page 1, line 7, column 已完成: no status"),
        (7, 7, "✓", "page 1, line 7, column 已完成: status in both columns"),
        (9, 6, "待定", "page 1, line 9, column 已完成: unrecognised status '待定'"),
        (8, 4, "路线图", "page 1, line 8, column 季度类别: unknown row kind '路线图'"),
        (7, 0, "一", "page 1, line 7, column 序号: task number '一' is not a positive whole number"),
        (7, 3, "电话", "page 1, line 7, column 监督方式: supervision contact '电话' is not a phone number"),
        (11, 0, "4", "page 1, line 12, column 序号: task 4 has a second 施工图 row"),
        (8, 1, "多余的标题", "page 1, line 8, column 序号: 序号 is empty but 目标任务 is filled"),
    ],
)
def test_bad_rows_are_rejected_with_page_line_and_column(
    tmp_path: Path, real_dump_lines: list[str], line_no: int, column: int, value: str, message: str
) -> None:
    path = write_dump(tmp_path, _edited(real_dump_lines, line_no, column, value))
    with pytest.raises(ReportError) as caught:
        parse_report(read_text_dump(path))
    assert f"report.txt: {message}" in str(caught.value)


def test_all_bad_rows_are_reported_at_once(tmp_path: Path, real_dump_lines: list[str]) -> None:
    lines = _edited(_edited(real_dump_lines, 7, 6, ""), 48, 6, "??")
    with pytest.raises(ReportError) as caught:
        parse_report(read_text_dump(write_dump(tmp_path, lines)))
    assert [p.line for p in caught.value.problems] == [7, 48]


def test_a_title_without_quarter_is_rejected_not_guessed_from_the_file_name(
    tmp_path: Path, real_dump_lines: list[str]
) -> None:
    lines = list(real_dump_lines)
    lines[2] = "市工信局 2024 年政府工作报告任务完成情况"
    path = write_dump(tmp_path, lines, name="2024Q3_市工信局.txt")
    with pytest.raises(ReportError, match="2024Q3_市工信局.txt: page 1: title .* does not name the period"):
        parse_report(read_text_dump(path))


def test_a_quarter_header_that_contradicts_the_title_is_rejected(tmp_path: Path, real_dump_lines: list[str]) -> None:
    lines = [line.replace("第三季度", "第二季度") for line in real_dump_lines]
    with pytest.raises(ReportError, match="title says 三季度 .* period column header names a period ending in month 6"):
        parse_report(read_text_dump(write_dump(tmp_path, lines)))


# Issue 22, defect 8, in the keys the marts group by (units, lead office): format characters (Cf) and spaces (Zs)
# that a word processor or a copy from a web page leaves in a name. Before: U+2009 made a second office 中小\u2009办
# and split 市经济和信\u2009息化局 into two units; a U+200B after a unit's name refused the row ("cannot tell where
# the unit name … ends").
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u2060", "\u2066", "\ufeff", "\u00ad"]  # Cf
SPACES = ["\u00a0", "\u2002", "\u2009", "\u200a", "\u202f", "\u205f", "\u3000"]  # Zs


@pytest.mark.parametrize("character", INVISIBLE + SPACES, ids=lambda c: f"U+{ord(c):04X}")
def test_format_and_space_characters_in_units_and_offices_make_no_new_keys(
    tmp_path: Path, real_report: Report, character: str
) -> None:
    c = character
    text = REAL_TEXT_DUMP.read_text(encoding="utf-8")
    edited = text.replace("市经济和信息化局【中小办】", f"{c}市经济和信{c}息化局{c}【{c}中小{c}办{c}】{c}")
    assert edited != text
    path = tmp_path / "report.txt"
    path.write_text(edited, encoding="utf-8")
    report = parse_report(read_text_dump(path))
    keys = [(row.task_no, row.plan_type, row.responsible_units, row.lead_office) for row in report.rows]
    assert keys == [(row.task_no, row.plan_type, row.responsible_units, row.lead_office) for row in real_report.rows]


# 责任领导 as the town of 泗洲头镇 writes it (tests/fixtures/real_tables/, a stored public page; the copies below are
# derived from it, one cell edited): a two-character name padded with an ideographic space is one person, whole names
# separated by a space or written one a line are several. Before: every space beside a CJK character was dropped
# before the cell was split, so 欧乾震 吴宇凡 (and 欧乾震<br>吴宇凡) was one person 欧乾震吴宇凡.
XIANGSHAN_NAME = "xiangshan_sizhoutouzhen_2024q2"
XIANGSHAN = PROJECT_ROOT / "tests/fixtures/real_tables" / XIANGSHAN_NAME / f"{XIANGSHAN_NAME}.html"


@pytest.mark.parametrize(
    ("written", "people"),
    [
        ("欧乾震", ("欧乾震",)),
        ("王\u3000伟", ("王伟",)),
        ("欧乾<br>震", ("欧乾震",)),
        ("欧乾震 吴宇凡", ("欧乾震", "吴宇凡")),
        ("欧乾震\u3000吴宇凡", ("欧乾震", "吴宇凡")),
        ("欧乾震<br>吴宇凡", ("欧乾震", "吴宇凡")),
        ("欧乾震、吴宇凡", ("欧乾震", "吴宇凡")),
    ],
)
def test_people_of_a_real_table_are_split_into_whole_names(
    tmp_path: Path, written: str, people: tuple[str, ...]
) -> None:
    page = XIANGSHAN.read_text(encoding="utf-8")
    assert page.count("欧乾震") == 1
    path = tmp_path / XIANGSHAN.name
    path.write_text(page.replace("欧乾震", written), encoding="utf-8")
    report = parse_report(read_source(path))
    assert report.rows[0].responsible_people == people
    assert report.rows[1].responsible_people == ("吴宇凡",)
