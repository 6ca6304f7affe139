"""The report page: one self-contained HTML file (plotly.js inlined once; no network, no server)."""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from etl.load.warehouse import connect
from etl.report import charts
from etl.report.data import STATUS_LABELS, ReportData, quarter_label, read_report_data

T = TypeVar("T")
PLOT_CONFIG = {"displayModeBar": False, "responsive": True}
NO_DATA = '<p class="empty">暂无数据（no data yet）</p>'

STYLE = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       sans-serif; margin: 0 auto; max-width: 1100px; padding: 1.5rem; color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #1565c0; padding-bottom: .2rem;
margin-top: 2.5rem; } .meta { color: #57606a; } .chart { margin: 1rem 0; min-height: 200px; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; } .card { border: 1px solid #d0d7de; border-radius: 8px;
padding: .6rem 1rem; min-width: 9rem; } .card b { display: block; font-size: 1.5rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.behind { color: #c62828; font-weight: bold; } .empty { color: #57606a; font-style: italic; }
""".strip()


@dataclass(frozen=True)
class ReportResult:
    path: Path
    bytes: int
    charts: int


def write_report(warehouse: Path, out: Path) -> ReportResult:
    """Render the report of the warehouse (read-only connection) to ``out``; written whole, then renamed."""
    with connect(warehouse, read_only=True) as conn:
        data = read_report_data(conn)
    page, chart_count = render(data, source=str(warehouse.resolve()))
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, out)
    return ReportResult(out, out.stat().st_size, chart_count)


def render(data: ReportData, *, source: str, generated_at: datetime | None = None) -> tuple[str, int]:
    """The page's HTML and the number of charts in it."""
    when = (generated_at or datetime.now(UTC)).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    sections = [
        _section(
            "completion",
            "完成率：按季度和牵头科室",
            [
                _chart("completion-overall", data.completion, charts.overall_completion_chart),
                _chart("completion-office", data.completion, charts.office_completion_chart),
            ],
        ),
        _section(
            "status",
            "任务状态变化",
            [
                _chart("status", data.status_counts, charts.status_chart),
                _changes_table(data),
            ],
        ),
        _section(
            "yoy",
            "指标同比",
            [
                _chart("yoy", data.year_over_year, charts.year_over_year_chart),
                _yoy_table(data),
            ],
        ),
        _section(
            "attainment",
            "落后于序时进度的目标",
            [
                _chart("attainment", data.attainment, charts.attainment_chart),
                _behind_table(data),
            ],
        ),
    ]
    body = "\n".join([_header(data, source, when), *sections])
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>政府工作报告任务完成情况 · 数据报告</title>\n"
        f"<style>\n{STYLE}\n</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
    return page, page.count('class="plotly-graph-div"')


def _chart(name: str, rows: Sequence[T], make: Callable[[list[T]], go.Figure]) -> str:
    if not rows:
        return NO_DATA
    figure = make(list(rows))
    div = pio.to_html(
        figure,
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{name}",
        config=PLOT_CONFIG,
        default_height=f"{figure.layout.height}px",
    )
    return f'<div class="chart" data-chart="{name}">{div}</div>'


def _section(anchor: str, title: str, parts: list[str]) -> str:
    return f'<section id="{anchor}">\n<h2>{_h(title)}</h2>\n' + "\n".join(parts) + "\n</section>"


def _header(data: ReportData, source: str, when: str) -> str:
    h = data.headline
    span = f"{h.first} – {h.last}" if h.first else "—"
    cards = [
        ("报告文件", f"{h.reports}（现行 {h.current_reports}）"),
        ("任务", str(h.tasks)),
        ("覆盖季度", span),
        ("落后序时进度的目标", str(len(data.behind))),
    ]
    card_html = "".join(f'<div class="card">{_h(label)}<b>{_h(value)}</b></div>' for label, value in cards)
    return (
        "<header><h1>政府工作报告任务完成情况 · 数据报告</h1>"
        f'<p class="meta">数据仓库 <code>{_h(source)}</code> · 生成于 {_h(when)} · '
        "每个季度只计现行版本（修订版取代原版）</p>"
        f'<div class="cards">{card_html}</div></header>'
    )


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    if not rows:
        return NO_DATA
    numeric = numeric or set()
    head = "".join(f"<th>{_h(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=num' if i in numeric else ''}>{cell}</td>" for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _changes_table(data: ReportData) -> str:
    rows = [
        [
            _h(quarter_label(c.year, c.quarter)),
            str(c.task_no),
            _h(c.task_title),
            _h(f"{STATUS_LABELS.get(c.prev_status, c.prev_status)}（Q{c.prev_quarter}）"),
            _h(STATUS_LABELS.get(c.status, c.status)),
        ]
        for c in data.status_changes
    ]
    return "<h3>状态发生变化的任务</h3>" + _table(["季度", "序号", "目标任务", "上季度状态", "本季度状态"], rows, {1})


def _yoy_table(data: ReportData) -> str:
    rows = [
        [
            _h(quarter_label(r.year, r.quarter)),
            _h(r.name),
            _h(r.unit),
            f"{r.prev_year_value:g}",
            f"{r.value:g}",
            f"{r.yoy_change:+.2f}",
            "—" if r.yoy_pct is None else f"{r.yoy_pct:+.2f}%",
        ]
        for r in data.year_over_year
    ]
    return _table(["季度", "指标", "单位", "上年同期", "本期", "增减", "同比"], rows, {3, 4, 5, 6})


def _behind_table(data: ReportData) -> str:
    rows = [
        [
            _h(quarter_label(r.year, r.quarter)),
            str(r.task_no),
            _h(r.name),
            f"{r.actual_value:g} / {r.target_value:g} {_h(r.unit)}",
            f'<span class="behind">{r.attainment:.0%}</span>',
            f"{r.elapsed_share:.0%}",
        ]
        for r in data.behind
    ]
    return "<h3>完成比例低于序时进度（季度/4）的目标</h3>" + _table(
        ["季度", "序号", "指标", "实际 / 目标", "完成比例", "序时进度"], rows, {1, 4, 5}
    )


def _h(text: str) -> str:
    return html.escape(text, quote=True)
