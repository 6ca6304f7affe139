"""Columns whose field depends on their content (完成情况), and the table families beyond the bureau's.

The headers are the real ones of ../shared/reference/other_reports (象山 泗洲头镇 2024 二季度: http://www.xiangshan.gov.cn/
art/2024/8/1/art_1229682896_4417827.html; 绍兴 市政府 2021 完成情况表: http://www.sx.gov.cn/art/2022/1/21/
art_1229456882_59353961.html), the cells derived from them (narrative shortened).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl.errors import ReportError
from etl.extract.source import read_source
from etl.extract.template import TemplateMismatch, looks_like_status
from etl.extract.template_file import bundled_templates_text, load_templates
from etl.models import DeclaredMeta
from etl.parse.report import parse_report

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "real_tables"

TEMPLATES = load_templates()
XIANGSHAN_HEADER = [
    ["序号", "重点工作", "责任", "责任", "攻坚目标", "工作任务安排", "完成情况"],
    ["", "", "领导", "科室", "任务", "第二季度", ""],
]
XIANGSHAN_ROWS = [
    ["1", "白仙山水库工程政策处理", "欧乾震", "白仙山水库工程政策处理工作领导小组", "完成项目政策处理工作。",
     "推进坟墓迁移工作。", "该工程库区内坟墓迁移进度达60%。"],
    ["2", "现代化美丽城镇", "吴宇凡", "乡村振兴办", "成功创建首批浙江省美丽城镇。", "按照时间节点开展项目建设。",
     "本年度总投资6000万元的19个项目完成投资3000万元。"],
]  # fmt: skip


def test_a_town_table_with_people_target_and_plan_columns() -> None:
    column_map = TEMPLATES.match(XIANGSHAN_HEADER)
    assert column_map.undecided == (6,)  # 完成情况: status or narrative, decided by the cells
    settled = column_map.settled(XIANGSHAN_ROWS)
    assert settled.template.name == "one_row_progress" and not settled.plan_rows
    assert settled.fields == ("task_no", "task_title", "people", "responsible", "annual_target", "period_plan",
                              "progress")  # fmt: skip
    assert settled.headers[2:5] == ("责任领导", "责任科室", "攻坚目标任务")
    assert settled.period is not None and settled.period.end_month == 6
    assert settled.period_header == "工作任务安排第二季度"
    assert settled.decision is not None and "read as progress" in settled.decision


def test_a_completion_column_of_status_words_is_the_status() -> None:
    header = [["序号", "重点工作", "责任单位", "完成情况", "进展情况"]]
    rows = [["1", "甲", "市发改委", "已完成", "全年完成投资3.2亿元。"], ["2", "乙", "市科技局", "序时推进", "已开工。"]]
    settled = TEMPLATES.match(header).settled(rows)
    assert settled.fields == ("task_no", "task_title", "responsible", "status", "progress")


def test_a_narrative_completion_column_beside_another_narrative_is_kept_as_an_extra_column() -> None:
    header = [["序号", "重点工作", "责任单位", "完成情况", "落实情况"]]
    rows = [["1", "甲", "市发改委", "全年完成投资3.2亿元，超额完成。", "已开工。"]]
    settled = TEMPLATES.match(header).settled(rows)
    assert settled.fields == ("task_no", "task_title", "responsible", None, "progress")
    assert "extra column" in (settled.decision or "")


def test_a_narrative_is_never_a_status_even_when_some_cells_are_short() -> None:
    header = [["序号", "内容与要求", "完成情况", "责任单位"]]
    rows = [["1", "甲", "已完成", "市发改委"], ["2", "乙", "全市GDP增长11.4%，高于全省平均0.8个百分点。", "市发改委"]]
    assert TEMPLATES.match(header).settled(rows).fields == ("task_no", "task_title", "progress", "responsible")


def test_a_status_only_table_whose_column_reads_as_narrative_is_refused() -> None:
    header = [["序号", "重点工作", "责任单位", "完成情况"]]
    rows = [["1", "甲", "市发改委", "全年完成投资3.2亿元。"]]
    assert TEMPLATES.match(header).settled(rows).fields[3] == "progress"  # one_row_progress takes it
    statusless = [["序号", "重点工作", "完成情况", "备注"]]
    assert TEMPLATES.match(statusless).settled([["1", "甲", "滞后", ""]]).fields[2] == "status"


@pytest.mark.parametrize("cell", ["✓", "√", "已完成", "序时推进", "未达序时进度", "正在推\n进", "已完成。", "基本完成"])
def test_status_like_cells(cell: str) -> None:
    assert looks_like_status(cell)


@pytest.mark.parametrize(
    "cell", ["该工程库区内坟墓迁移进度达60%。", "前三季度，全市GDP增长11.4%", "已完成，正在验收", "完成投资3000万元"]
)
def test_narrative_cells(cell: str) -> None:
    assert not looks_like_status(cell)


def test_a_header_no_template_accepts_proposes_the_entry_that_loads_it() -> None:
    header = [["序号", "任务名称", "牵头单位", "完成时限", "备注"]]
    with pytest.raises(TemplateMismatch) as caught:
        TEMPLATES.match(header)
    message = str(caught.value)
    assert "missing fields: progress (落实情况)" in message
    assert "required: [task_no, task_title, responsible]" in message and "rows: one_per_task" in message


def test_a_table_with_plan_rows_is_never_read_as_one_row_per_task() -> None:
    """The bureau's header with 落实情况 reworded: the one-row families must not take it (their rows would be its
    plan rows, each read as a task); it is refused, closest to the bureau's template."""
    header = [["序号", "目标任务", "责任分工", "监督方式", "季度类别", "第三季度", "已完成", "未完成", "完成结果"]]
    with pytest.raises(TemplateMismatch, match="closest template two_mark_columns.*missing fields: progress"):
        TEMPLATES.match(header)


def test_adding_the_proposed_entry_to_a_templates_file_makes_the_table_load(tmp_path: Path) -> None:
    """苍南县's 民生实事 list (tests/fixtures/real_tables/cangnan_xian_2022m10, derived) without its 当前进度 column:
    a list of projects and who leads them, which no bundled family takes. `etl check` prints the entry to add; with
    it in a templates file (ETL_TEMPLATES_FILE) the same file loads."""
    source = FIXTURES / "cangnan_xian_2022m10" / "cangnan_xian_2022m10.txt"
    lines = []
    for line in source.read_text(encoding="utf-8").split("\n"):
        cells = line.split("\t")
        lines.append("\t".join(cells[:2] + cells[3:]) if len(cells) == 5 else line)
    path = tmp_path / "list.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        read_source(path)
    message = str(caught.value)
    assert "found columns [序号, 项目内容, 牵头单位, 备注]" in message
    entry = message.split("add this entry under templates in bundled data/templates.yaml:\n", 1)[1]
    assert entry.splitlines()[-1] == "    required: [task_no, task_title, responsible]"
    custom = tmp_path / "templates.yaml"
    custom.write_text(bundled_templates_text().rstrip("\n") + "\n" + entry + "\n", encoding="utf-8")
    raw = read_source(path, load_templates(custom))
    report = parse_report(raw, DeclaredMeta(issuer="苍南县"), today=date(2026, 12, 7))
    assert raw.template is not None and raw.template.startswith("proposed_")
    assert len(report.rows) == 13 and report.rows[0].responsible_units == ("县教育局",)
    assert {row.status for row in report.rows} == {None} and {row.progress_text for row in report.rows} == {None}


def test_a_status_word_outside_the_vocabulary_refuses_the_file_naming_the_row(tmp_path: Path) -> None:
    """开化县's table (derived, its 达序推进 of task 2 changed): a word the statuses file does not hold is not
    guessed."""
    source = FIXTURES / "kaihua_xian_2023q1" / "kaihua_xian_2023q1.txt"
    lines = source.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("2\t"))
    lines[row] = lines[row].rsplit("\t", 1)[0] + "\t基本完成"
    path = tmp_path / "kaihua.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    where = rf"kaihua.txt: page 1, line {row + 1}, column 完成情况"
    with pytest.raises(ReportError, match=rf"{where}: unrecognised status word '基本完成'"):
        parse_report(read_source(path), today=date(2026, 12, 7))
