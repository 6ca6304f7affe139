"""The bulletin (etl.bulletin) read back as a reader gets it: the Word file opened with python-docx, its counts and
tables compared with the marts queried here (another path to the same figures); the Markdown and the HTML saying the
same; report content shown as text in all three; the real tables of other issuers (no status, no unit, a target
behind)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from etl.bulletin import BulletinError, write_bulletin
from etl.load.warehouse import connect
from tests.conftest import REAL_TEXT_DUMP, build_warehouse, real_tables_folder, write_dump

STATUS_WORDS = {
    "completed": "已完成",
    "ahead_of_schedule": "超序时进度",
    "on_schedule": "达序时进度",
    "in_progress": "正在推进",
    "behind_schedule": "欠进度",
    "not_started": "未启动",
    "not_completed": "未完成",
}


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    with connect(warehouse, read_only=True) as conn:
        relation = conn.execute(sql, params or [])
        names = [d[0] for d in relation.description]
        return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def read_docx(path: Path) -> tuple[str, list[list[list[str]]]]:
    """The document's paragraphs (one text) and its tables (rows of cell texts), as a reader's Word shows them."""
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return text, tables


def pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def table_after(text_tables: list[list[list[str]]], header: list[str]) -> list[list[str]]:
    found = [t for t in text_tables if t[0] == header]
    assert len(found) == 1, [t[0] for t in text_tables]
    return found[0][1:]


@pytest.mark.parametrize(("year", "month"), [(2024, 9), (2024, 3)], ids=["2024Q3-real", "2024Q1-synthetic"])
def test_the_word_file_gives_the_marts_counts_and_rows(
    sample_warehouse: Path, tmp_path: Path, year: int, month: int
) -> None:
    out = write_bulletin(sample_warehouse, tmp_path / "b.docx", year=year, end_month=month).path
    text, tables = read_docx(out)
    (s,) = query(
        sample_warehouse,
        "select * from mart.supervision_summary where year = ? and period_end_month = ?",
        [year, month],
    )
    # the counts and shares in the office's words, each from mart.supervision_summary
    assert f"纳入本次通报的任务{s['tasks']}项" in text
    for status, word in STATUS_WORDS.items():
        if s[f"tasks_{status}"]:
            assert f"{word}{s[f'tasks_{status}']}项、占比{pct(s[f'tasks_{status}_share'])}" in text, word
    assert f"任务中的量化目标共{s['targets']}项，其中可以评估的{s['targets_assessed']}项" in text
    assert f"达到序时进度{s['targets_on_pace']}项、占比{pct(s['targets_on_pace_share'])}" in text
    assert f"（其中已完成年度目标{s['targets_achieved']}项）" in text
    assert f"未达到序时进度{s['targets_behind']}项、占比{pct(s['targets_behind_share'])}" in text
    assert f"另有{s['targets_not_assessable']}项目标无法评估" in text
    assert f"序时进度为{pct(month / 12)}" in text
    assert ("【演示数据】" in text) is bool(s["is_synthetic"])

    # every target behind, with its gap, from mart.targets_behind
    behind = query(
        sample_warehouse,
        "select task_no, indicator_name, target_text, actual_text, gap_text, source_pages_text, responsible_units_text "
        "from mart.targets_behind where year = ? and period_end_month = ? order by task_no, target_no",
        [year, month],
    )
    assert len(behind) == s["targets_behind"]
    for row in behind:
        assert f"{row['indicator_name']}（第{row['task_no']}项）：{row['actual_text']}，{row['gap_text']}。" in text
    if behind:
        headers = ["序号", "任务", "目标", "年度目标", "实际完成", "序时进度", "差距", "责任单位", "来源"]
        assert [r[1:] for r in table_after(tables, headers)] == [
            [f"第{r['task_no']}项", r["indicator_name"], r["target_text"], r["actual_text"], pct(month / 12),
             r["gap_text"], r["responsible_units_text"], f"第{r['source_pages_text']}页"]
            for r in behind
        ]  # fmt: skip
    else:
        assert "本期没有未达到序时进度的量化目标。" in text

    # the open tasks, once per responsible unit, from mart.task_units
    open_rows = query(
        sample_warehouse,
        "select responsible_unit, task_no, task_title, lead_office from mart.task_units where year = ? "
        "and period_end_month = ? and status <> 'completed' order by responsible_unit, task_no",
        [year, month],
    )
    listed = table_after(tables, ["责任单位", "任务", "任务内容", "牵头科室", "状态", "来源"])
    assert [r[:4] for r in listed] == [
        [r["responsible_unit"], f"第{r['task_no']}项", r["task_title"], r["lead_office"]] for r in open_rows
    ]
    assert all(re.fullmatch(r"第[0-9、]+页", r[5]) for r in listed)
    assert f"尚未完成的任务{len({r['task_no'] for r in open_rows})}项" in text

    # every target in the appendix with its verdict, and the source file named with its SHA-256
    targets = query(
        sample_warehouse,
        "select task_no, target_text from mart.target_attainment where year = ? and period_end_month = ? "
        "order by task_no, target_no",
        [year, month],
    )
    appendix = table_after(tables, ["任务", "目标", "年度目标", "实际完成", "评估", "依据", "来源"])
    assert [(r[0], r[2]) for r in appendix] == [(f"第{t['task_no']}项", t["target_text"]) for t in targets]
    assert all(r[5] and not re.search(r"[A-Za-z]{4,}", r[5].replace("data/indicators.yaml", "")) for r in appendix)
    (source,) = query(
        sample_warehouse,
        "select source_file, report_id from mart.report_versions where is_current and year = ? "
        "and period_end_month = ?",
        [year, month],
    )
    headers = ["报告文件", "格式", "标题", "SHA-256（前12位）", "载入时间（北京时间）", "现行版本", "演示数据"]
    sources = table_after(tables, headers)
    assert [(r[0], r[3]) for r in sources] == [(source["source_file"], source["report_id"][:12])]
    assert source["source_file"] in text  # named in the opening and in each table's caption


def test_markdown_and_html_say_what_the_word_file_says(sample_warehouse: Path, tmp_path: Path) -> None:
    kwargs: dict[str, Any] = {"year": 2024, "end_month": 3}
    word, _ = read_docx(write_bulletin(sample_warehouse, tmp_path / "b.docx", **kwargs).path)
    markdown = write_bulletin(sample_warehouse, tmp_path / "b.md", **kwargs).path.read_text(encoding="utf-8")
    page = lxml_html.fromstring(write_bulletin(sample_warehouse, tmp_path / "b.html", **kwargs).path.read_bytes())
    shown = lxml_html.fromstring(MarkdownIt("commonmark").enable("table").render(markdown))
    for paragraph in [p for p in word.split("\n") if p.strip() and not p.startswith("本通报的数字均取自")]:
        assert paragraph in page.text_content(), paragraph
        assert paragraph in shown.text_content(), paragraph


def hostile_warehouse(folder: Path) -> Path:
    """The real report with report content that looks like markup: a task title and what was done (task 19)."""
    lines = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("19\t"))
    cells = lines[row].split("\t")
    cells[1] = cells[1] + "<script>alert(1)</script>[点此](https://example.org/x) **粗** | 竖线 `代码` &amp;"
    lines[row] = "\t".join(cells)
    warehouse = folder / "w.duckdb"
    build_warehouse(warehouse, [write_dump(folder, lines)])
    return warehouse


def test_report_content_is_text_never_markup_in_every_format(tmp_path: Path) -> None:
    warehouse = hostile_warehouse(tmp_path)
    (title,) = query(warehouse, "select distinct task_title from mart.task_history where task_no = 19")
    written = title["task_title"]
    assert "<script>" in written and "[点此](" in written

    _, tables = read_docx(write_bulletin(warehouse, tmp_path / "b.docx").path)
    assert any(written in cell for table in tables for row in table for cell in row)

    page = lxml_html.fromstring(write_bulletin(warehouse, tmp_path / "b.html").path.read_bytes())
    assert page.xpath("//script|//a|//b|//strong|//code") == []
    assert written in page.text_content()

    markdown = write_bulletin(warehouse, tmp_path / "b.md").path.read_text(encoding="utf-8")
    shown = lxml_html.fromstring(MarkdownIt("commonmark").enable("table").render(markdown))
    assert shown.xpath("//script|//a|//code") == []
    assert [e for e in shown.xpath("//strong|//em") if "粗" in e.text_content()] == []  # (captions are bold)
    cells = [c.text_content() for c in shown.xpath("//td")]
    assert written in cells  # one cell: the | inside the title did not split it


def test_a_period_or_issuer_that_is_not_there_is_refused_naming_what_is(sample_warehouse: Path, tmp_path: Path) -> None:
    with pytest.raises(BulletinError, match=r"periods loaded: 2023年三季度、2024年一季度、2024年二季度、2024年三季度"):
        write_bulletin(sample_warehouse, tmp_path / "b.docx", year=2024, end_month=12)
    with pytest.raises(BulletinError, match=r"no report of issuer '绍兴市政府'.*issuers: 市工信局"):
        write_bulletin(sample_warehouse, tmp_path / "b.docx", issuer="绍兴市政府")
    with pytest.raises(ValueError, match=r"b\.pdf: a bulletin is written as \.docx, \.md, \.html"):
        write_bulletin(sample_warehouse, tmp_path / "b.pdf")
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.fixture(scope="module")
def real_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("real_tables")
    warehouse = folder / "w.duckdb"
    build_warehouse(warehouse, [*real_tables_folder(folder), REAL_TEXT_DUMP])
    return warehouse


def test_a_period_of_several_issuers_needs_one_chosen(tmp_path: Path) -> None:
    lines = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
    county = [line.replace("市工信局 2024", "县工信局 2024") if i < 5 else line for i, line in enumerate(lines)]
    warehouse = tmp_path / "w.duckdb"
    build_warehouse(warehouse, [REAL_TEXT_DUMP, write_dump(tmp_path, county, "county.txt")])
    with pytest.raises(BulletinError, match="several issuers have this period: 县工信局、市工信局; choose one"):
        write_bulletin(warehouse, tmp_path / "x.docx", year=2024, end_month=9)
    text, _ = read_docx(write_bulletin(warehouse, tmp_path / "x.docx", year=2024, end_month=9, issuer="县工信局").path)
    assert "关于县工信局2024年三季度任务完成情况的督查通报" in text and "county.txt" in text


def test_other_issuers_bulletins(real_tables: Path, tmp_path: Path) -> None:
    shaoxing, _ = read_docx(write_bulletin(real_tables, tmp_path / "s.docx", issuer="绍兴市政府", year=2021,
                                           end_month=6).path)  # fmt: skip
    assert "关于绍兴市政府2021年半年度任务完成情况的督查通报" in shaoxing
    assert "报表未设完成状态栏，本通报不对任务完成状态作判断" in shaoxing  # no status column: nothing guessed
    assert "项目落地率（第1项）：45.7%，低于目标74.3个百分点。" in shaoxing
    county, tables = read_docx(write_bulletin(real_tables, tmp_path / "k.docx", issuer="开化县").path)
    assert "纳入本次通报的任务2项。其中，达序时进度2项、占比100.0%。" in county  # 完成情况: 达序推进
    listed = table_after(tables, ["责任单位", "任务", "任务内容", "牵头科室", "状态", "来源"])
    on_schedule = "达序时进度（原文：达序推进）"
    assert [(r[0], r[1], r[4]) for r in listed] == [
        (u, f"第{n}项", on_schedule) for u, n in (("（未写明）", 1), ("（未写明）", 2))
    ]
    cangnan, _ = read_docx(write_bulletin(real_tables, tmp_path / "c.docx", issuer="苍南县").path)
    assert "关于苍南县2022年截至10月31日任务完成情况的督查通报" in cangnan
    assert "截至10月底，序时进度为83.3%" in cangnan and "均无法评估" in cangnan
