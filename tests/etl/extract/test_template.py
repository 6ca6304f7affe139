"""The template mechanism (data/templates.yaml + etl.extract.template) on the real report and changed copies of it.

The changed copies are made here from the real text dump by explicit edits (headers reworded, columns moved, an
extra column added), so the records they must give are the real dump's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.errors import ReportError
from etl.extract.guarded import ExtractLimits
from etl.extract.source import read_source
from etl.extract.template import TemplateMismatch, drop_stray_marks
from etl.extract.template_file import TemplateError, bundled_templates_text, load_templates, parse_templates
from etl.extract.text_dump import read_text_dump
from etl.models import COLUMN_NAMES, Report
from etl.parse.report import parse_report
from etl.settings import PROJECT_ROOT
from tests.conftest import REAL_TEXT_DUMP, read_source_guarded, write_dump
from tests.fidelity import record_differences

TEMPLATES = load_templates()
# The real dump's columns in a new order (source position of each new column), new header words, and one extra
# column 备注 inserted before 落实情况 (now 工作进展).
NEW_ORDER = (0, 1, 4, 5, 6, 7, 2, 3, 8)
RENAMED = {
    "目标任务": "重点任务",
    "责任分工": "牵头单位",
    "监督方式": "联系电话",
    "落实情况": "工作进展",
    "第三季度": "1-9月",
}
EXTRA_AT = 8  # 备注 goes before the last column
REAL_WIDTH = 9  # the real dump's columns


def changed_template(lines: list[str]) -> tuple[list[str], list[str]]:
    """The real dump's lines with columns moved, headers reworded and a 备注 column; also each body row's 备注."""
    out: list[str] = []
    remarks: list[str] = []
    in_header = False
    for line in lines:
        cells = line.split("\t")
        if len(cells) != REAL_WIDTH:
            out.append(line)
            in_header = False
            continue
        header = cells[0] == "序号" or (in_header and cells[0] == "")
        in_header = header and cells[0] == "序号"
        moved = [cells[i] for i in NEW_ORDER]
        if header:
            moved = [RENAMED.get(cell, cell) for cell in moved]
            extra = "备注" if cells[0] == "序号" else ""
        else:
            extra = f"备注{len(remarks) + 1}"
            remarks.append(extra)
        moved.insert(EXTRA_AT, extra)
        out.append("\t".join(moved))
    return out, remarks


@pytest.fixture(scope="module")
def real() -> Report:
    return parse_report(read_text_dump(REAL_TEXT_DUMP))


def test_the_real_dump_matches_the_2024_template_column_by_column() -> None:
    raw = read_text_dump(REAL_TEXT_DUMP)
    assert raw.template == "two_mark_columns"
    assert [(c.position, c.header, c.field) for c in raw.columns] == [
        (0, "序号", "task_no"),
        (1, "目标任务", "task_title"),
        (2, "责任分工", "responsible"),
        (3, "监督方式", "supervision"),
        (4, "季度类别", "plan_kind"),  # page 1 splits it over two lines: 季度 / 类别
        (5, "第三季度", "period_plan"),
        (6, "完成情况已完成", "done"),  # 完成情况 spans 已完成 / 未完成
        (7, "未完成", "not_done"),
        (8, "落实情况", "progress"),
    ]
    assert raw.header_end_month == 9 and raw.period_header == "第三季度" and raw.extra_headers == ()


def test_a_changed_template_gives_the_real_reports_records(
    tmp_path: Path, real_dump_lines: list[str], real: Report
) -> None:
    lines, remarks = changed_template(real_dump_lines)
    assert "重点任务" in lines[4] and "备注" in lines[4]  # the edit did apply
    raw = read_text_dump(write_dump(tmp_path, lines))
    assert raw.template == "two_mark_columns"
    assert raw.period_header == "1-9月" and raw.header_end_month == 9
    mapping = {c.header: c.field for c in raw.columns}
    assert mapping["重点任务"] == "task_title" and mapping["牵头单位"] == "responsible"
    assert mapping["工作进展"] == "progress" and mapping["备注"] is None
    assert raw.extra_headers == ("备注",)
    assert [row.extra for row in raw.rows] == [(remark,) for remark in remarks]
    # The cells of every field are the real dump's, cell for cell, and so are the records.
    assert [row.cells for row in raw.rows] == [row.cells for row in read_text_dump(REAL_TEXT_DUMP).rows]
    assert record_differences(real, parse_report(raw), keep=5) == []


@pytest.mark.parametrize(
    ("header", "end_month"),
    [
        ("第三季度", 9),
        ("三季度", 9),
        ("1-9月", 9),
        ("1－9月", 9),
        ("1—9月份", 9),
        ("1至9月", 9),
        ("一季度", 3),
        ("1-12月", 12),
        ("1-11月", 11),
        ("前三季度", 9),
        ("上半年", 6),
    ],
)
def test_period_headers_name_their_period(header: str, end_month: int) -> None:
    column_map = TEMPLATES.match([["序号", "目标任务", "责任单位", "类别", header, "已完成", "未完成", "落实情况"]])
    assert column_map.period is not None and column_map.period.end_month == end_month
    assert column_map.period_header == header  # as printed; only matching folds the dashes
    assert column_map.fields[4] == "period_plan"


def test_the_quarter_header_is_cross_checked_with_the_title(tmp_path: Path, real_dump_lines: list[str]) -> None:
    lines = [line.replace("\t第三季度\t", "\t1-6月\t") for line in real_dump_lines]
    raw = read_text_dump(write_dump(tmp_path, lines))
    assert raw.header_end_month == 6
    message = (
        r"title says 三季度 \(quarter ending in month 9\) but the period column header names a period ending in month 6"
    )
    with pytest.raises(ReportError, match=message):
        parse_report(raw)


def test_unknown_headers_are_refused_with_the_headers_found_the_missing_field_and_the_line_to_add(
    tmp_path: Path, real_dump_lines: list[str], real: Report
) -> None:
    lines = [line.replace("\t目标任务\t", "\t工作目标\t") for line in real_dump_lines]
    path = write_dump(tmp_path, lines)
    with pytest.raises(ReportError) as caught:
        read_text_dump(path)
    message = str(caught.value)
    assert message.startswith("report.txt: page 1, line 5: the table is not a task-completion report table")
    assert (
        "found columns [序号, 工作目标, 责任分工, 监督方式, 季度类别, 第三季度, 完成情况已完成, 未完成, 落实情况]"
        in message
    )
    assert "missing fields: task_title (目标任务)" in message
    line = re.search(
        r'add the line "(- 工作目标)" to bundled data/templates.yaml under fields → task_title → headers', message
    )
    assert line, message
    # Adding exactly that line to (a copy of) the template file makes the file load, with the real records.
    text = bundled_templates_text().replace("      - 目标任务\n", f"      - 目标任务\n      {line.group(1)}\n", 1)
    custom = tmp_path / "templates.yaml"
    custom.write_text(text, encoding="utf-8")
    raw = read_source(path, load_templates(custom))
    assert record_differences(real, parse_report(raw)) == []


def test_a_settings_template_file_reaches_the_guarded_reader(tmp_path: Path, real_dump_lines: list[str]) -> None:
    lines = [line.replace("\t目标任务\t", "\t工作目标\t") for line in real_dump_lines]
    path = write_dump(tmp_path, lines)
    custom = tmp_path / "templates.yaml"
    custom.write_text(bundled_templates_text().replace("- 目标任务\n", "- 目标任务\n      - 工作目标\n", 1), "utf-8")
    with pytest.raises(ReportError, match="missing fields: task_title"):
        read_source_guarded(path, ExtractLimits())
    raw = read_source_guarded(path, ExtractLimits(templates_file=custom))
    assert {c.header: c.field for c in raw.columns}["工作目标"] == "task_title"


def test_one_column_of_status_words(tmp_path: Path, real: Report) -> None:
    """The status_words template: one 完成情况 column of words; 未完成 in it means not done."""
    raw_real = read_text_dump(REAL_TEXT_DUMP)
    lines = [raw_real.title, "", "序号\t目标任务\t责任单位\t监督方式\t类别\t第三季度\t完成情况\t落实情况"]
    words = []
    for row in raw_real.rows:
        word = {"✓": "已完成", "√": "已完成"}.get(row.cell("done").strip(), row.cell("done").strip())
        word = word or "未完成"
        words.append(word)
        cells = [row.cell(name) for name in COLUMN_NAMES[:9] if name not in ("done", "not_done")]
        cells.insert(6, word)
        lines.append("\t".join(cells))
    raw = read_text_dump(write_dump(tmp_path, lines))
    assert raw.template == "status_words"
    report = parse_report(raw)
    assert [r.status for r in report.rows] == [r.status for r in real.rows]
    assert {"completed", "in_progress"} <= {r.status for r in report.rows}
    for row, word in zip(raw.rows, words, strict=True):  # the status column's word is kept as written
        assert row.cell("status") == word and not row.cell("done") and not row.cell("not_done")


def test_two_columns_naming_one_field_are_refused() -> None:
    header = ["序号", "目标任务", "责任单位", "牵头单位", "类别", "第三季度", "已完成", "未完成", "落实情况"]
    with pytest.raises(
        TemplateMismatch, match=r"more than one column names the same field \(responsible: 责任单位, 牵头单位\)"
    ):
        TEMPLATES.match([header])


def test_optional_supervision_may_be_absent_and_extra_columns_do_not_reject() -> None:
    header = [
        "序号",
        "存在问题",
        "任务名称",
        "责任部门",
        "项目",
        "第三季度",
        "已完成",
        "未完成",
        "推进情况",
        "下步打算",
    ]
    column_map = TEMPLATES.match([header])
    assert column_map.extra_headers == ("存在问题", "下步打算")
    cells = ["1", "问题", "标题", "单位", "进度安排", "计划", "✓", "", "进展", "打算"]
    assert column_map.canonical(cells) == ("1", "标题", "单位", "", "进度安排", "计划", "✓", "", "进展", "", "", "")
    assert column_map.extras(cells) == ("问题", "打算")


def test_a_header_split_over_two_lines_and_a_group_title_above_a_column() -> None:
    lines = [
        ["序号", "目标", "责任分工", "季度", "计划", "完成情况", "", "落实情况"],
        ["", "任务", "", "类别", "第三季度", "已完成", "未完成", ""],
    ]
    column_map = TEMPLATES.match(lines)
    assert column_map.fields == (
        "task_no",
        "task_title",
        "responsible",
        "plan_kind",
        "period_plan",
        "done",
        "not_done",
        "progress",
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("  task_no:", "  task_number:", 1), "unknown field 'task_number'"),
        (lambda t: t.replace("rows: plan_rows", "rows: stacked", 1), "rows must be one of"),
        (lambda t: t.replace("required: [task_no, task_title, progress]", "required: [task_no, progress]", 1),
         "must require task_title"),
        (lambda t: t.replace("完成情况: [status, progress]", "完成情况: [status, done]", 1), "only [status, progress]"),
        (lambda t: t.replace("      - 完成状态\n", "      - 完成状态\n      - 完成情况\n", 1),
         "under decided_by_content and names status"),
        (lambda t: t.replace("      - 完成进展\n", "      - 完成进展\n      - 序号\n", 1), "header '序号' names both"),
        (lambda t: t.replace("fields:", "fields: [", 1), "not valid YAML"),
    ],
)
def test_a_malformed_template_file_is_refused(edit: object, message: str) -> None:
    assert callable(edit)
    with pytest.raises(TemplateError, match=re.escape(message)):
        parse_templates(edit(bundled_templates_text()), "t.yaml")


def test_the_bundled_templates_are_data_templates_yaml() -> None:
    assert bundled_templates_text() == (PROJECT_ROOT / "data" / "templates.yaml").read_text(encoding="utf-8")


def test_stray_marks_are_dropped_from_a_header_only_where_no_header_word_holds_them() -> None:
    """OCR reads a ruling line's sliver or a speck in a header cell as ，→+·; header words hold none (the dashes of
    period headers excepted), so they go. Letters and ideographs stay: a wrong word is still a wrong header."""
    assert TEMPLATES.without_stray_marks("完成情况，已完成") == "完成情况已完成"
    assert TEMPLATES.without_stray_marks("→，未完成+") == "未完成"
    assert TEMPLATES.without_stray_marks("1－9月") == "1－9月" and TEMPLATES.without_stray_marks("1-9月") == "1-9月"
    assert TEMPLATES.without_stray_marks("已完戌") == "已完戌" and TEMPLATES.without_stray_marks("A已完成") == "A已完成"
    # a template file whose header word holds a mark keeps it (the rule reads the words, not a fixed list)
    assert drop_stray_marks("责任单位/部门，", ["责任单位/部门"]) == "责任单位/部门"
    assert drop_stray_marks("责任单位/部门，", ["责任单位"]) == "责任单位部门"
