"""The bureau's real report (data/samples/2024Q3_…txt) as a web page, made three independent ways for the HTML
reader's tests:

- ``gov_page``: written here the way a government site serves such a table: a <meta http-equiv> declaring GB2312
  while the bytes are GB18030 (✓ and 镕-class characters are outside GB2312, as on real pages), page chrome
  (breadcrumb, 索引号 block, 发布日期 / 浏览次数 line, 分享, a navigation list, a script), the content inside a layout
  table's cell, the title in an <h1> above the table, task cells spanning their two rows (rowspan), 完成情况 over
  已完成 / 未完成 (colspan), 季度<br>类别 wrapped in its cell, the dump's <p> fragments as real paragraphs;
- ``pandas_page``: pandas.DataFrame.to_html of the dump's rows (two header rows from a column MultiIndex, no merged
  body cells: the second row of a task has empty task cells, as in the dump), UTF-8;
- ``mammoth_page``: mammoth's HTML of a Word layout of the report (tests/fixtures/formats/layouts/*.docx: <thead>
  and <th>, merged cells as rowspan / colspan, one <p> per paragraph, <strong>), as mammoth writes it (a fragment
  without <html>, UTF-8).

The dump is split here with plain string operations, not with the project's text-dump reader.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DumpTable:
    title: str
    header: tuple[tuple[str, ...], tuple[str, ...]]  # the first page's two header lines
    rows: tuple[tuple[str, ...], ...]  # every body line's cells, in order


def split_dump(path: Path) -> DumpTable:
    """The dump's title, first header and body rows: header lines start with 序号 (and the line after them holds
    已完成 / 未完成); every other non-empty line after the title is a row."""
    lines = path.read_text(encoding="utf-8").split("\n")
    filled = [line for line in lines if line.strip()]
    title = filled[0].strip()
    header: list[tuple[str, ...]] = []
    rows: list[tuple[str, ...]] = []
    skip_next = False
    for line in filled[1:]:
        if skip_next:
            skip_next = False
            if "已完成" in line:
                if len(header) < 2:
                    header.append(tuple(line.split("\t")))
                continue
        if line.startswith("序号"):
            if not header:
                header.append(tuple(line.split("\t")))
            skip_next = True
            continue
        rows.append(tuple(line.split("\t")))
    assert len(header) == 2, header
    return DumpTable(title, (header[0], header[1]), tuple(rows))


def _cell(text: str, attrs: str = "") -> str:
    """A dump cell as HTML: its <p> fragments kept as markup, everything else escaped."""
    escaped = html.escape(text, quote=False).replace("&lt;p&gt;", "<p>").replace("&lt;/p&gt;", "</p>")
    return f"<td{attrs}>{escaped}</td>"


def _task_spans(rows: tuple[tuple[str, ...], ...]) -> list[int]:
    """For each row, how many rows its task cells (序号 … 监督方式) span: 0 for a row inside a task above."""
    spans = [0] * len(rows)
    start = 0
    for index, row in enumerate(rows):
        if any(row[:4]):
            start = index
            spans[index] = 1
        else:
            spans[start] += 1
    return spans


def gov_page(table: DumpTable, *, declared: str = "gb2312", encoding: str = "gb18030") -> bytes:
    spans = _task_spans(table.rows)
    body = []
    for row, span in zip(table.rows, spans, strict=True):
        cells = [_cell(c, f' rowspan="{span}"' if span > 1 else "") for c in row[:4]] if span else []
        cells += [_cell(c) for c in row[4:]]
        body.append("<tr>" + "".join(cells) + "</tr>")
    head = (
        '<tr><td rowspan="2">序号</td><td rowspan="2">目标任务</td><td rowspan="2">责任分工</td>'
        '<td rowspan="2">监督方式</td><td rowspan="2">季度<br>类别</td><td rowspan="2">第三季度</td>'
        '<td colspan="2">完成情况</td><td rowspan="2">落实情况</td></tr>\n<tr><td>已完成</td><td>未完成</td></tr>'
    )
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={declared}" />
<title>{html.escape(table.title)}_市经济和信息化局</title>
<script type="text/javascript">var tpl = "<table><tr><td>序号</td><td>目标任务</td><td>假表</td></tr></table>";</script>
<style>td {{ border: 1px solid #000; }}</style>
</head>
<body>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li>政策文件</li></ul>
<table class="layout" width="1000"><tr><td class="side">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 重点工作</div>
<table class="meta"><tr><td>索引号：</td><td>11340800MB1234567X/2024-00123</td>
<td>发布机构：</td><td>市经济和信息化局</td></tr></table>
</td></tr><tr><td class="main">
<h1>{html.escape(table.title)}</h1>
<div class="info">发布日期：2024-10-15 浏览次数：<span id="hits">128</span>
【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
<div class="share">分享：<a>微信</a> <a>微博</a></div>
<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0">
<tbody>
{head}
{chr(10).join(body)}
</tbody>
</table>
<p>打印本页 关闭窗口</p>
</td></tr></table>
<script>document.getElementById("hits").innerHTML = "129";</script>
</body>
</html>
"""
    return page.encode(encoding)


def pandas_page(table: DumpTable) -> bytes:
    import pandas as pd

    top, second = table.header
    columns = pd.MultiIndex.from_arrays([list(top), list(second)])
    frame = pd.DataFrame([list(row) for row in table.rows], columns=columns)
    rendered = frame.to_html(index=False, escape=False, na_rep="")
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n'
        f"<p>{html.escape(table.title)}</p>\n{rendered}\n</body></html>\n"
    ).encode()


def mammoth_page(docx_path: Path) -> bytes:
    import mammoth

    with docx_path.open("rb") as handle:
        result = mammoth.convert_to_html(handle)
    return str(result.value).encode("utf-8")
