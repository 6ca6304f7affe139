"""Web pages (.html / .htm) read directly, into the same RawReport and records as the text dump (issue 20 item 3).

The bureau's real report as a page made three independent ways (tests/etl/extract/html_pages.py: a government
site's page written here, pandas' to_html, mammoth's HTML of a Word layout) gives the text dump's records; small
pages built here show each rule: spans, line breaks, the title, the encoding, page chrome, and hostile markup.
The real tables of other issuers are tested in test_real_tables.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from etl.errors import ReportError
from etl.extract.guarded import ExtractLimits
from etl.extract.html import MAX_GRID_SLOTS, cell_text, decode_page, is_chrome, parse_html, read_html
from etl.extract.source import is_report_file, read_source
from etl.extract.text_dump import read_text_dump
from etl.parse.report import parse_report
from tests.conftest import REAL_TEXT_DUMP, read_source_guarded
from tests.etl.extract.html_pages import gov_page, mammoth_page, pandas_page, split_dump
from tests.fidelity import apply_mark_set, record_differences, score_cells

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "formats"
MANIFEST: dict[str, Any] = json.loads((FORMATS / "manifest.json").read_text(encoding="utf-8"))
WORD = [entry for entry in MANIFEST["layouts"] if entry["file"].endswith(".docx") and not entry["expect_error"]]
DUMP = read_text_dump(REAL_TEXT_DUMP)
TABLE = split_dump(REAL_TEXT_DUMP)
HEADER = "<tr><td>序号</td><td>目标任务</td><td>责任分工</td><td>监督方式</td><td>季度类别</td><td>第三季度</td>" + (
    "<td>已完成</td><td>未完成</td><td>落实情况</td></tr>"
)


def _assert_dump_records(raw: Any, marks: str = "source") -> None:
    expected = apply_mark_set(DUMP, marks)
    score = score_cells(expected.rows, raw.rows)
    assert score.exact == score.cells, score.differences
    assert record_differences(parse_report(expected), parse_report(raw)) == []


@pytest.mark.parametrize("make", [gov_page, pandas_page], ids=["government_site_gb2312", "pandas_to_html"])
def test_the_real_report_as_a_page_gives_the_text_dumps_records(tmp_path: Path, make: Any) -> None:
    path = tmp_path / "report.html"
    path.write_bytes(make(TABLE))
    raw = read_source(path)
    assert raw.source_format == "html" and raw.template == "two_mark_columns" and raw.page_count == 1
    assert raw.title == DUMP.title  # the <h1> / paragraph above the table, not the chrome nor the <title>
    _assert_dump_records(raw)


@pytest.mark.parametrize("entry", WORD, ids=[entry["name"] for entry in WORD])
def test_mammoths_html_of_every_word_layout_gives_the_text_dumps_records(tmp_path: Path, entry: dict[str, Any]) -> None:
    path = tmp_path / "report.htm"
    path.write_bytes(mammoth_page(FORMATS / entry["file"]))
    raw = read_source(path)  # a fragment without <html>: known by its markup and its name
    assert raw.source_format == "html"
    _assert_dump_records(raw, entry["marks"])


def test_a_page_through_the_guarded_child_and_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "saved_page.txt"  # saved under another name: known by its doctype
    path.write_bytes(gov_page(TABLE))
    raw = read_source_guarded(path, ExtractLimits(max_extract_seconds=120))
    assert raw.source_format == "html"
    _assert_dump_records(raw)
    for name in ("page.html", "page.HTM"):
        (tmp_path / name).write_bytes(b"<p>x</p>")
        assert is_report_file(tmp_path / name), "a folder ingest picks web pages up"


def _page(
    table: str,
    *,
    above: str = "<h1>市工信局 2024 年政府工作报告任务 三季度完成情况</h1>",
    head: str = "",
    meta: str = '<meta charset="utf-8">',
) -> str:
    return f"<!DOCTYPE html><html><head>{meta}{head}</head><body>{above}{table}</body></html>"


def _rows(count: int = 4) -> str:
    """The dump's first ``count`` rows as plain <tr>s, task cells empty on the second row of a task."""
    return "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in TABLE.rows[:count])


def _parse(text: str, name: str = "page.html", encoding: str = "utf-8") -> Any:
    return parse_html(text.encode(encoding), name)


def test_spans_lay_cells_on_the_grid_as_a_browser_does() -> None:
    first, second = TABLE.rows[0], TABLE.rows[1]
    task = "".join(f'<td rowspan="2">{cell}</td>' for cell in first[:4])
    body = (
        f"<tr>{task}" + "".join(f"<td>{c}</td>" for c in first[4:]) + "</tr>"
        "<tr>" + "".join(f"<td>{c}</td>" for c in second[4:]) + "</tr>"
    )
    header = (
        '<tr><th rowspan="2">序号</th><th rowspan="2">目标任务</th><th rowspan="2">责任分工</th>'
        '<th rowspan="2">监督方式</th><th rowspan="2">季度<br/>类别</th><th rowspan="2">第三季度</th>'
        '<th colspan="2">完成情况</th><th rowspan="2">落实情况</th></tr><tr><th>已完成</th><th>未完成</th></tr>'
    )
    raw = _parse(_page(f"<table><thead>{header}</thead><tbody>{body}</tbody></table>"))
    assert [c.header for c in raw.columns] == [
        "序号", "目标任务", "责任分工", "监督方式", "季度类别", "第三季度", "完成情况已完成", "未完成", "落实情况",
    ]  # fmt: skip
    assert [row.cell("task_no") for row in raw.rows] == ["1", ""]  # a spanned cell gives its text to its first row
    assert raw.rows[1].cell("plan_kind") == "施工图" and raw.rows[1].cell("done") == "✓"
    expected = parse_report(DUMP.model_copy(update={"rows": DUMP.rows[:2]}))
    assert record_differences(expected, parse_report(raw)) == []


def test_a_cell_reads_as_lines_at_paragraphs_and_breaks_with_whitespace_collapsed() -> None:
    import lxml.html

    cell = lxml.html.fragment_fromstring(
        "<td>\n  <p>1. 经常性深入\n  企业。</p><p>2. 积极&nbsp;帮助</p>"
        "市政府办<br>市政府督查考核办<span> 【中小办】</span><div><b>3.</b>&#x4E00;&amp;&lt;p&gt;</div></td>"
    )
    assert cell_text(cell) == "1. 经常性深入 企业。\n2. 积极\xa0帮助\n市政府办\n市政府督查考核办 【中小办】\n3.一&<p>"


def test_several_units_in_one_cell_one_per_paragraph_read_as_the_dumps_run_together_units() -> None:
    rows = list(TABLE.rows[:2])
    rows[0] = (*rows[0][:2], "<p>市经济和信息化局</p><p>【中小办】</p>", *rows[0][3:])
    table = "<table>" + HEADER + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    raw = _parse(_page(table + "</table>"))
    assert raw.rows[0].cell("responsible") == "市经济和信息化局\n【中小办】"
    expected = parse_report(DUMP.model_copy(update={"rows": DUMP.rows[:2]}))
    assert record_differences(expected, parse_report(raw)) == []


@pytest.mark.parametrize(
    ("above", "head", "title"),
    [
        # chrome between the title and the table (sx.gov.cn's layout) is skipped
        (
            "<div>当前位置:<a>首页</a></div><div>&gt; <a>政务公开</a> &gt; <a>重点工作</a></div>"
            "<h1>2024年市工信局政府工作报告任务三季度完成情况</h1>"
            "<div>发布日期:2024-10-15 17:42 浏览次数: 字体:[ ]</div><div>分享:</div><p>&nbsp;</p>",
            "<title>页面标题</title>",
            "2024年市工信局政府工作报告任务三季度完成情况",
        ),
        # a bulletin paragraph, then the table's caption line just above it
        (
            "<h1>【督查通报】关于三季度完成情况的通报</h1><p>根据工作安排，现将有关情况通报如下。</p>"
            "<p align=center>市工信局 2024 年政府工作报告任务 三季度完成情况</p>",
            "",
            "市工信局 2024 年政府工作报告任务 三季度完成情况",
        ),
        # nothing above the table: the page's <title>
        (
            "",
            "<title>\n 市工信局 2024 年政府工作报告任务\n三季度完成情况 </title>",
            "市工信局 2024 年政府工作报告任务 三季度完成情况",
        ),
        # only chrome above: the <title>
        ("<div>索引号：113408/2024-1</div><div>分享：</div>", "<title>T</title>", "T"),
        # a label alone on its line has its value on the next (开化县's page): both chrome
        (
            "<h1>开化县2023年度重点工作清单</h1><dl><dt>时间:2023-12-22 17:46</dt><dt>来源:</dt><dd>开化县</dd>"
            "<dt>浏览次数:</dt></dl>",
            "",
            "开化县2023年度重点工作清单",
        ),
    ],
    ids=["chrome_between", "bulletin_then_caption", "title_element", "only_chrome", "label_then_value"],
)
def test_the_title_is_the_line_above_the_table_that_is_not_chrome(above: str, head: str, title: str) -> None:
    raw = _parse(_page(f"<table>{HEADER}{_rows()}</table>", above=above, head=head))
    assert raw.title == title


def test_a_caption_or_a_title_row_inside_the_table_is_the_title() -> None:
    caption = _parse(_page(f"<table><caption>表1 市工信局 三季度</caption>{HEADER}{_rows()}</table>", above="<p>x</p>"))
    assert caption.title == "表1 市工信局 三季度"
    row = f'<tr><td colspan="9">{TABLE.title}</td></tr>'
    inside = _parse(_page(f"<table>{row}{HEADER}{_rows()}</table>", above=""))
    assert inside.title == TABLE.title and len(inside.rows) == 4


def test_chrome_lines() -> None:
    chrome = [
        "发布日期:2021-08-13 17:42 浏览次数: 字体:[ ]",
        "分享:",
        "索引号: 1133/2022-227932 公开方式: 主动公开",
        "当前位置:首页",
        "> 政务公开 > 组织机构 > 市政府重点工作",
        "首页 > 政务公开 > 重点工作",
        "[ ]",
        "【字体：大 中 小】",
    ]
    titles = [
        "2021年市政府重点工作半年度进展情况表",
        "【政府工作报告确定的目标任务督查督办情况】关于2023年《政府工作报告》主要任务上半年完成情况的督查通报",
        "泗洲头镇2024年度重点工作计划二季度执行情况",
    ]
    assert [line for line in chrome if not is_chrome(line)] == []
    assert [line for line in titles if is_chrome(line)] == []


# --- Encodings ----------------------------------------------------------------------------------------------------

GBK_ONLY = "朱镕基"  # 镕 is in GBK, not in GB2312: pages declaring gb2312 carry such characters


@pytest.mark.parametrize(
    ("meta", "encoding"),
    [
        ('<meta charset="utf-8">', "utf-8"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gb18030"),
        ('<meta http-equiv="content-type" content="text/html;charset=GBK">', "gbk"),
        ("<meta charset=gb18030>", "gb18030"),
        ("<meta charset='x-gbk'>", "gb18030"),
        ("", "utf-8"),
        ("", "gb18030"),
    ],
    ids=["utf8", "gb2312_as_gb18030", "gbk", "gb18030", "x_gbk", "undeclared_utf8", "undeclared_gb18030"],
)
def test_the_encoding_comes_from_the_page(meta: str, encoding: str) -> None:
    marks = "✓" if encoding != "gbk" else "√"  # ✓ is outside GBK, √ inside
    rows = _rows(2).replace("✓", marks)
    page = _page(f"<table>{HEADER}{rows}</table>", above=f"<h1>{TABLE.title}{GBK_ONLY}</h1>", meta=meta)
    raw = parse_html(page.encode(encoding), "page.html")
    assert raw.title == TABLE.title + GBK_ONLY and raw.notes == ()
    assert raw.rows[0].cell("done") == marks


def test_byte_order_marks_decide_the_encoding() -> None:
    page = _page(f"<table>{HEADER}{_rows(2)}</table>", meta='<meta charset="gb2312">')
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        raw = parse_html(bom + page.encode(encoding), "page.html")
        assert raw.title == TABLE.title, encoding


def test_a_page_whose_bytes_contradict_its_declaration() -> None:
    page = _page(f"<table>{HEADER}{_rows(2)}</table>", head='<meta charset="utf-8">')
    raw = parse_html(page.encode("gb18030"), "page.html")  # declared UTF-8, saved as GBK: read, and said so
    assert raw.title == TABLE.title
    assert len(raw.notes) == 1 and "declares charset 'utf-8'" in raw.notes[0] and "read as gb18030" in raw.notes[0]
    broken = page.encode("utf-8").replace("目标任务".encode(), b"\x80\xff\xfe\x80", 1)
    with pytest.raises(ReportError, match=r"page\.html: line 1: the page is read as utf-8 .* byte 0x80 at byte offset"):
        parse_html(broken, "page.html")
    with pytest.raises(ReportError, match=r"declares charset 'klingon-1', which is not an encoding"):
        parse_html(page.replace("utf-8", "klingon-1").encode(), "page.html")


def test_decode_page_reads_the_declaration_wherever_the_parser_puts_it() -> None:
    late = "<html><head><title>t</title><script>var s = '</head>';</script>" + (
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>镕</body></html>'
    )
    text, notes = decode_page(late.encode("gb18030"), "p.html")
    assert "镕" in text and notes == []


# --- What a page is refused for, and hostile pages ----------------------------------------------------------------


def test_a_row_cut_short_is_refused_naming_it() -> None:
    rows = _rows(2) + "<tr><td>4</td><td>加快推进安庆石化轻烃资源综合利用</td><td>市经济和信息化局</td></tr>"
    with pytest.raises(ReportError, match=r"page\.html: page 1: table row 4 has 3 cells where the header has 9 "
                       r"columns \(the row is cut short: its last cell reads '市经济和信息化局'\)"):  # fmt: skip
        _parse(_page(f"<table>{HEADER}{rows}</table>"))


def test_pages_without_a_report_table_are_refused_with_what_was_found() -> None:
    with pytest.raises(ReportError, match=r"page\.html: page 1: no table found in the web page: not a report"):
        _parse(_page("<p>通知</p>"))
    with pytest.raises(ReportError, match=r"no table of the web page \(2 tables\) has a task-completion header"):
        _parse(_page("<table><tr><td>a</td></tr></table><table><tr><td>b</td></tr></table>"))
    other = HEADER.replace("落实情况", "完成结果")
    with pytest.raises(ReportError) as caught:
        _parse(_page(f"<table>{other}{_rows()}</table>"))
    assert "missing fields: progress (落实情况)" in str(caught.value)
    assert 'add the line "- 完成结果"' in str(caught.value)
    with pytest.raises(ReportError, match="the file is empty"):
        parse_html(b"  \n", "page.html")


def test_the_largest_accepted_table_is_read_and_the_others_are_named() -> None:
    small = f"<table>{HEADER}{_rows(2)}</table>"
    large = f"<table>{HEADER}{_rows(6)}</table>"
    raw = _parse(_page(small + "<p>附件2</p>" + large))
    assert len(raw.rows) == 6
    assert raw.notes == (
        "the page has 2 tables a template accepts; read the largest, table 2 of 2 (7 rows), not table(s) 1",
    )


def test_scripts_styles_comments_and_a_table_in_a_cell_do_not_make_rows() -> None:
    script = "<script>document.write('<table>" + HEADER + _rows(8) + "</table>');</script>"
    nested = (
        "<table><tr><td>序号</td><td>目标任务</td><td>备注</td></tr><tr><td>9</td><td>x</td><td>y</td></tr></table>"
    )
    rows = _rows(2).replace("培育一批省级专精特新企业。", "培育一批省级专精特新企业。" + nested, 1)
    page = _page(
        f"{script}<style>td:before {{ content: '序号'; }}</style><!-- <table>{HEADER}</table> -->"
        f"<table>{HEADER}{rows}</table><noscript>{_rows(1)}</noscript>"
    )
    raw = _parse(page)
    assert len(raw.rows) == 2
    assert raw.rows[0].cell("period_plan") == "培育一批省级专精特新企业。\n序号\n目标任务\n备注\n9\nx\ny"


def test_entities_are_text_and_a_dtd_is_never_expanded() -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    page = (
        '<!DOCTYPE html [<!ENTITY l0 "lol">' + laughs + '<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + _page(f"<table>{HEADER}{_rows(2)}</table>", above=f"<h1>{TABLE.title}&amp;&l9;&x;</h1>")
    )  # fmt: skip
    raw = _parse(page)
    assert raw.title == TABLE.title + "&&l9;&x;"  # literal: neither a billion laughs nor a file read
    assert "root:" not in raw.model_dump_json()


def test_nesting_deeper_than_the_parsers_limit_is_refused() -> None:
    deep = "<div>" * 400 + "x" + "</div>" * 400
    with pytest.raises(ReportError, match=r"page\.html: line 1: the HTML parser stopped reading the page: "
                       r"Excessive depth in document: 256"):  # fmt: skip
        _parse(_page(deep + f"<table>{HEADER}{_rows(2)}</table>"))


def test_spans_asking_for_a_huge_grid_are_refused() -> None:
    rows = _rows(2).replace("<td>1</td>", '<td rowspan="9" colspan="999999">1</td>', 1)
    rows += "".join(f'<tr><td colspan="1000">{i}</td></tr>' for i in range(MAX_GRID_SLOTS // 1000))
    with pytest.raises(ReportError, match=r"table 1 of the web page spans more than 1,000,000 grid positions"):
        _parse(_page(f"<table>{HEADER}{rows}</table>"))


def test_read_html_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "p.html"
    path.write_text(_page(f"<table>{HEADER}{_rows(2)}</table>"), encoding="utf-8")
    assert read_html(path).source_file == "p.html"
