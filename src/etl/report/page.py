"""The report page: one self-contained HTML file (plotly.js inlined once; no network, no server).

The page leads with one period, the latest loaded unless one is asked for (what a director asks first: what is
still open, which targets are behind, what changed), then every target of that period, then the trends. A period
whose report is synthetic demo data is marked （合成） wherever it is shown. Times are Beijing time (Asia/Shanghai).
It prints on A4 landscape: the print style sheet below sets the page and keeps charts and table rows whole.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from etl.load.backend import Readable
from etl.load.warehouse import connect
from etl.report import charts
from etl.report.data import (
    ASSESSMENT_LABELS,
    Headline,
    OpenTask,
    PeriodKey,
    ReportData,
    StatusChange,
    Target,
    read_report_data,
    status_label,
)
from etl.resources import SHIPPED_SQL_DIR

T = TypeVar("T")
REPORT_TIME_ZONE = ZoneInfo("Asia/Shanghai")
PLOT_CONFIG = {"displayModeBar": False, "responsive": False}
NO_DATA = '<p class="empty">暂无数据（no data yet）</p>'

STYLE = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       sans-serif; margin: 0 auto; max-width: 1020px; padding: 1.5rem; color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #1565c0; padding-bottom: .2rem;
margin-top: 2.5rem; } h3 { margin: 1.4rem 0 .4rem; } .meta { color: #57606a; margin: .2rem 0; }
.chart { margin: 1rem 0; }
.cards { display: flex; gap: .8rem; flex-wrap: wrap; margin-top: .8rem; }
.card { flex: 1 1 0; border: 1px solid #d0d7de; border-radius: 8px; padding: .5rem .8rem; min-width: 7.5rem; }
.card { font-size: .92rem; } .card b { display: block; font-size: 1.5rem; }
.card.alert b { color: #c62828; } .card small { color: #57606a; display: block; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap, th.nowrap { white-space: nowrap; } .row-kind { color: #57606a; font-weight: bold; }
.assessment-behind { color: #c62828; font-weight: bold; } .assessment-achieved, .assessment-on_track { color: #2e7d32; }
.assessment-no_actual_reported, .assessment-not_comparable { color: #6e5b50; }
.assessment { white-space: nowrap; }
.synthetic { color: #8a4b00; } .considered { color: #57606a; font-size: .8rem; }
.empty { color: #57606a; font-style: italic; } .summary { margin: .3rem 0 .6rem; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section { break-before: page; } section#latest { break-before: auto; }
  h2, h3 { break-after: avoid; } .chart, tr, .card { break-inside: avoid; }
  .chart { zoom: .85; }  /* a tall chart (one row per target) still fits one page */
  thead { display: table-header-group; }
}
""".strip()


@dataclass(frozen=True)
class ReportResult:
    path: Path
    bytes: int
    charts: int


def write_report(
    warehouse: Path | Readable, out: Path, *, sql_dir: Path = SHIPPED_SQL_DIR, period: PeriodKey | None = None
) -> ReportResult:
    """Render the report of the warehouse (read-only connection) to ``out``; written whole, then renamed.

    ``warehouse``: the file, or a backend that gives a read-only connection (a lake: etl.load.backend).
    ``sql_dir`` holds the report's queries (``sql/report/*.sql``); by default the project's ``sql/``. ``period``: the
    period the page leads with (default: the latest loaded); etl.report.data.UnknownPeriodError when none is loaded.
    """
    reading = connect(warehouse, read_only=True) if isinstance(warehouse, Path) else warehouse.reading()
    with reading as conn:
        data = read_report_data(conn, sql_dir, period)
    source = warehouse.name if isinstance(warehouse, Path) else warehouse.describe()
    page, chart_count = render(data, source=source)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        partial.write_text(page, encoding="utf-8")
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)  # e.g. the disk filled up: no half-written file is left behind
        raise
    return ReportResult(out, out.stat().st_size, chart_count)


def beijing_time(moment: datetime) -> str:
    """A moment as the page prints it: Beijing time, whatever the time zone of the machine that wrote the page."""
    if moment.tzinfo is None:  # DuckDB returns naive timestamps as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(REPORT_TIME_ZONE).strftime("%Y-%m-%d %H:%M") + " 北京时间"


def render(data: ReportData, *, source: str, generated_at: datetime | None = None) -> tuple[str, int]:
    """The page's HTML and the number of charts in it."""
    when = beijing_time(generated_at or datetime.now(UTC))
    latest = data.headline.name or "—"
    latest_targets = data.latest_targets
    sections = [
        _section(
            "latest",
            f"本期要点（{latest}）",
            [_open_tasks(data), _behind(data), _latest_changes(data)],
        ),
        _section(
            "targets",
            f"目标完成情况（{latest}，每项目标一行）",
            [
                _chart("targets", latest_targets, lambda rows: charts.target_chart(rows, latest)),
                _targets_table(latest_targets),
            ],
        ),
        _section(
            "completion",
            "完成率：按报告期和牵头科室",
            [
                _chart("completion-overall", data.completion, charts.overall_completion_chart),
                _chart("completion-office", data.office_completion, charts.office_completion_chart),
            ],
        ),
        _section(
            "status",
            "任务状态变化",
            [
                _chart("status", data.status_counts, charts.status_chart),
                "<h3>状态发生变化的任务（全部报告期，最新在前）</h3>",
                _changes_table(data.status_changes, with_period=True),
            ],
        ),
        _section(
            "yoy",
            "指标同比",
            [
                '<p class="summary">比率类指标（单位 %）的变化以<b>百分点</b>计（18.2% → 31.3% 是 +13.1 个百分点，'
                "不是 +72%）；数量类指标以同比增长率计。"
                + ("标（合成）的数值来自合成的演示数据，不是真实报告。" if _yoy_synthetic(data) else "")
                + "</p>",
                _chart("yoy", data.year_over_year, charts.year_over_year_chart),
                _yoy_table(data),
            ],
        ),
    ]
    body = "\n".join([_header(data, source, when), *sections])
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>政府工作报告任务完成情况 · {_h(latest)}</title>\n"
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
        default_width=f"{figure.layout.width}px",
        default_height=f"{figure.layout.height}px",
    )
    return f'<div class="chart" data-chart="{name}">{div}</div>'


def _section(anchor: str, title: str, parts: list[str]) -> str:
    return f'<section id="{anchor}">\n<h2>{_h(title)}</h2>\n' + "\n".join(parts) + "\n</section>"


def _header(data: ReportData, source: str, when: str) -> str:
    h = data.headline
    latest = h.name
    done = sum(c.tasks_completed for c in data.latest_completion)
    tasks = sum(c.tasks for c in data.latest_completion if c.completion_rate is not None)
    unmeasured = [t for t in data.latest_targets if t.assessment in ("no_actual_reported", "not_comparable")]
    cards = [
        ("card-tasks", "", f"{h.period.year}年任务" if h.period else "任务", _per_issuer(h), "本年度任务清单"),
        ("card-completed", "", f"{latest or '本期'} 已完成", f"{done}/{tasks}" if tasks else "—", ""),
        ("card-open", "alert" if data.open_tasks else "", "尚未完成的任务", str(len(data.open_tasks)), latest or ""),
        ("card-behind", "alert" if data.behind else "", "落后序时进度", str(len(data.behind)), latest or ""),
        (
            "card-unmeasured",
            "",
            "未能评估的目标",
            f"{len(unmeasured)}/{len(data.latest_targets)}",
            latest or "",
        ),
        ("card-changes", "", "状态变化的任务", str(len(data.latest_status_changes)), latest or ""),
    ]
    card_html = "".join(
        f'<div class="card {cls}" id="{anchor}">{_h(label)}<b>{_h(value)}</b>'
        + (f"<small>{_h(note)}</small>" if note else "")
        + "</div>"
        for anchor, cls, label, value, note in cards
    )
    issuers = "、".join(h.issuers)
    span = f"{h.first} – {h.last}" if h.first else "—"
    loaded = beijing_time(h.last_loaded_at) if h.last_loaded_at else "—"
    synthetic = data.synthetic_periods
    warning = (
        f'<p class="meta synthetic" id="synthetic">注意：{_h("、".join(synthetic))} 的报告是合成的演示数据（synthetic，'
        "由真实报告按规则推导），不是真实报告；页面中凡出自这些报告的数字都标有（合成）。</p>"
        if synthetic
        else ""
    )
    revisions = f"；其中修订版 {h.revisions} 份，取代原版" if h.revisions else ""
    return (
        f"<header><h1>{_h(issuers + ' ' if issuers else '')}政府工作报告任务完成情况 · {_h(latest or '暂无数据')}</h1>"
        f'<p class="meta" id="generated-at">生成于 {_h(when)} · 最近一次载入 {_h(loaded)}</p>'
        f'<p class="meta">覆盖 {_h(span)} · 报告文件 {h.reports} 份（现行 {h.current_reports} 份{revisions}）'
        f" · 数据仓库 <code>{_h(source)}</code></p>"
        f'{warning}<div class="cards">{card_html}</div></header>'
    )


def _per_issuer(h: Headline) -> str:
    """This year's task count of each issuer the title names: '17', or '市工信局 17 · 市科技局 12'."""
    if len(h.tasks_by_issuer) <= 1:
        return str(h.tasks_this_year)
    return " · ".join(f"{issuer} {n}" for issuer, n in zip(h.issuers, h.tasks_by_issuer, strict=True))


def _table(
    headers: list[str],
    rows: list[list[str]],
    numeric: set[int] | None = None,
    table_id: str = "",
    nowrap: set[int] | None = None,
) -> str:
    """A table; ``nowrap`` columns (an office, a status: short words) never break, so a long column beside them
    cannot squeeze them to one character per line."""
    if not rows:
        return NO_DATA
    numeric, nowrap = numeric or set(), nowrap or set()

    def cls(i: int) -> str:
        names = [n for n, on in (("num", i in numeric), ("nowrap", i in nowrap)) if on]
        return f' class="{" ".join(names)}"' if names else ""

    head = "".join(f"<th{' class=nowrap' if i in nowrap else ''}>{_h(h)}</th>" for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{cell}</td>" for i, cell in enumerate(row)) + "</tr>" for row in rows)
    ident = f' id="{table_id}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _open_tasks(data: ReportData) -> str:
    def done(task: OpenTask) -> str:
        return "".join(
            f'<p><span class="row-kind">【{_h(" · ".join(filter(None, (r.plan_type_label, status_label(r.status)))))}】'
            f"</span>{_lines(r.progress_text) or '（未填写）'}</p>"
            for r in task.rows
        )

    rows = [
        [
            str(t.task_no),
            _h(t.task_title),
            _h(t.lead_office or "—"),
            _h(status_label(t.status)),
            done(t),
        ]
        for t in data.open_tasks
    ]
    title = f"<h3>尚未完成的任务（{len(data.open_tasks)} 项）</h3>"
    if not rows and data.headline.period is not None:
        return title + '<p class="summary">本期的任务全部完成（或报表无状态栏）。</p>'
    headers = ["序号", "目标任务", "牵头科室", "状态", "落实情况（做了什么）"]
    return title + _table(headers, rows, {0}, "open-tasks", nowrap={0, 2, 3})


def _behind(data: ReportData) -> str:
    targets = data.latest_targets
    counts = {label: sum(1 for t in targets if t.assessment == key) for key, label in ASSESSMENT_LABELS.items()}
    tally = "，".join(f"{label} {n} 项" for label, n in counts.items() if n)
    title = f"<h3>落后序时进度的目标（{len(data.behind)} 项）</h3>"
    summary = f'<p class="summary">本期共 {len(targets)} 项目标：{tally or "—"}。每一项见下一节。</p>'
    if not data.behind:
        return title + summary
    return title + summary + _targets_table(data.behind, table_id="behind-targets")


def _latest_changes(data: ReportData) -> str:
    changes = data.latest_status_changes
    title = f"<h3>本期状态发生变化的任务（{len(changes)} 项）</h3>"
    if not changes and data.headline.period is not None:
        return title + '<p class="summary">与上期相比没有任务改变状态。</p>'
    return title + _changes_table(changes, with_period=False, table_id="latest-changes")


def _changes_table(changes: list[StatusChange], *, with_period: bool, table_id: str = "") -> str:
    rows = [
        [
            *([_h(c.name)] if with_period else []),
            str(c.task_no),
            _h(c.task_title),
            _h(c.lead_office or "—"),
            _h(f"{status_label(c.prev_status)}（{c.prev_name}）"),
            _h(status_label(c.status)),
        ]
        for c in changes
    ]
    headers = [*(["报告期"] if with_period else []), "序号", "目标任务", "牵头科室", "上期状态", "本期状态"]
    first = 1 if with_period else 0
    columns = {first, first + 2, first + 3, first + 4} | ({0} if with_period else set())
    return _table(headers, rows, {first}, table_id, nowrap=columns)


def _benchmark(t: Target) -> str:
    """What the actual is compared with: the elapsed share for a cumulative target, else the target itself."""
    if t.measure == "cumulative" and t.elapsed_share is not None:
        due = "" if t.expected_value is None else f"，应达 {t.expected_value:g}{t.unit}"
        return f"序时进度 {t.elapsed_share:.0%}{due}"
    if t.measure in ("level", "rate"):
        return "目标值本身（比率/水平）"
    return "—"


def _reason(text: str) -> str:
    """The assessment's reason; the figures it looked at and rejected ('; considered: …') on a line of their own."""
    head, sep, considered = text.partition("; considered: ")
    if not sep:
        return _h(text)
    return f'{_h(head)}<br><span class="considered">considered: {_h(considered)}</span>'


def _targets_table(targets: list[Target], table_id: str = "all-targets") -> str:
    rows = [
        [
            str(t.task_no),
            f'<span title="{_h(t.task_title)}">{_h(t.name)}</span>',
            _h(t.target_text),
            "—" if t.actual_value is None else _h(t.actual_text or f"{t.actual_value:g}{t.unit}"),
            "—" if t.attainment is None else f"{t.attainment:.0%}",
            _h(_benchmark(t)),
            f'<span class="assessment assessment-{_h(t.assessment)}">{_h(t.assessment_label)}</span>',
            _reason(t.assessment_reason),
        ]
        for t in targets
    ]
    return _table(
        ["序号", "指标", "目标", "实际", "完成比例", "比较基准", "评估", "原因（mart.target_attainment）"],
        rows,
        {0, 4},
        table_id,
        nowrap={0, 6},
    )


def _yoy_synthetic(data: ReportData) -> bool:
    return any(r.synthetic for r in data.year_over_year)


def _yoy_table(data: ReportData) -> str:
    rows = [
        [
            _h(r.name_of_period),
            _h(r.name),
            _h(r.unit),
            f"{r.prev_year_value:g}" + ("（合成）" if "上年同期" in r.synthetic else ""),
            f"{r.value:g}" + ("（合成）" if "本期" in r.synthetic else ""),
            _h(r.change_text),
        ]
        for r in sorted(data.year_over_year, key=lambda r: (-r.period.year, -r.period.end_month))
    ]
    headers = ["报告期", "指标", "单位", "上年同期", "本期", "同比变化"]
    return _table(headers, rows, {3, 4, 5}, "yoy-table", nowrap={0, 3, 4})


def _lines(text: str) -> str:
    return "<br>".join(_h(line) for line in text.splitlines() if line.strip())


def _h(text: str) -> str:
    return html.escape(text, quote=True)
