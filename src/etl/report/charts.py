"""The report's charts (Plotly figures), labelled in Chinese.

Every bar, cell and point carries its figure as text drawn on the chart, not only in a hover box: the page is
printed and read on paper. Figures have a fixed width that fits an A4 landscape page (plotly does not re-lay a
chart out for print), so what is printed is what is on screen.

Plotly draws every label, category, legend name and hover text as its own small HTML (``<a href>`` becomes a live
link, ``<b>`` bold): whatever comes from a report (issuer, office, indicator, figures as written) goes through
:func:`plain` first, so it is drawn as the text it is.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from etl.report.data import (
    ASSESSMENT_LABELS,
    NO_STATUS,
    STATUS_LABELS,
    Completion,
    OfficeCompletion,
    PeriodKey,
    StatusCount,
    Target,
    YearOverYear,
)

# A CJK font first: Debian's fonts-noto-cjk (installed by `make system-deps`), then common desktop fonts.
FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
# A4 landscape is 297 mm; less the page margins (page.py's @page) that leaves about 1040 CSS pixels.
CHART_WIDTH = 1000
STATUS_COLORS: dict[str | None, str] = {
    "completed": "#2e7d32",
    "ahead_of_schedule": "#1b5e20",
    "on_schedule": "#66bb6a",
    "in_progress": "#f9a825",
    "not_started": "#8d6e63",
    "behind_schedule": "#ef6c00",
    "not_completed": "#c62828",
    None: "#bdbdbd",  # a table without status column
}
ASSESSMENT_COLORS = {
    "achieved": "#1b5e20",
    "on_track": "#43a047",
    "behind": "#c62828",
    "no_actual_reported": "#9e9e9e",
    "not_comparable": "#8d6e63",
}
PALETTE = ("#1565c0", "#6a1b9a", "#00838f", "#ef6c00")
POSITIVE, NEGATIVE = "#1565c0", "#c62828"


def plain(text: str) -> str:
    """Report text for a Plotly label: ``&``, ``<`` and ``>`` as entities, which Plotly draws as those characters."""
    return html.escape(text, quote=False)


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01},
        font={"family": FONT_FAMILY, "size": 13},
        width=CHART_WIDTH,
        height=height,
        margin={"l": 60, "r": 30, "t": 60, "b": 60},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "y": -0.18},
    )
    fig.update_xaxes(showline=True, linecolor="#888", gridcolor="#eee")
    fig.update_yaxes(showline=True, linecolor="#888", gridcolor="#eee")
    return fig


def _periods(rows: Iterable[tuple[PeriodKey, str]]) -> list[str]:
    """The periods' names in time order (a name carries （合成） where the period's report is synthetic)."""
    return [name for _, name in sorted(set(rows))]


def overall_completion_chart(rows: list[Completion]) -> go.Figure:
    """Completion rate of all offices, period by period (one bar group per issuer), labelled done/tasks; a table
    without status column has no rate (its bar is absent, its label says so)."""
    fig = go.Figure()
    for index, issuer in enumerate(sorted({r.issuer for r in rows})):
        mine = sorted((r for r in rows if r.issuer == issuer), key=lambda r: r.period)
        fig.add_trace(
            go.Bar(
                name=plain(issuer),
                x=[plain(r.name) for r in mine],
                y=[r.completion_rate or 0.0 for r in mine],
                text=[
                    f"{r.completion_rate:.0%}（{r.tasks_completed}/{r.tasks}）"
                    if r.completion_rate is not None
                    else f"{NO_STATUS}（{r.tasks}项）"
                    for r in mine
                ],
                textposition="outside",
                cliponaxis=False,
                marker_color=PALETTE[index % len(PALETTE)],
                hovertemplate="%{x}<br>完成率 %{text}<extra>" + plain(issuer) + "</extra>",
            )
        )
    fig.update_yaxes(title_text="完成率", tickformat=".0%", range=[0, 1.15])
    fig.update_xaxes(
        title_text="报告期",
        type="category",
        categoryorder="array",
        categoryarray=_periods((r.period, plain(r.name)) for r in rows),
    )
    return _layout(fig, "各报告期任务完成率（全部科室，已完成/任务数）")


def office_completion_chart(rows: list[OfficeCompletion]) -> go.Figure:
    """Completion rate by lead office (rows) and quarter (columns), with completed/tasks in each cell."""
    several = len({r.issuer for r in rows}) > 1

    def office(r: OfficeCompletion) -> str:
        return plain(f"{r.issuer} · {r.office}" if several else r.office)

    quarters = _periods((r.period, plain(r.name)) for r in rows)
    offices = sorted({office(r) for r in rows})
    cell = {(office(r), plain(r.name)): r for r in rows}
    z = [[cell[(o, q)].completion_rate if (o, q) in cell else None for q in quarters] for o in offices]
    text = [
        [f"{cell[(o, q)].tasks_completed}/{cell[(o, q)].tasks}" if (o, q) in cell else "" for q in quarters]
        for o in offices
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=quarters,
            y=offices,
            text=text,
            texttemplate="%{text}",
            zmin=0,
            zmax=1,
            colorscale=[[0, "#c62828"], [0.5, "#f9a825"], [1, "#2e7d32"]],
            colorbar={"title": {"text": "完成率"}, "tickformat": ".0%"},
            hovertemplate="%{y} · %{x}<br>完成率 %{z:.0%}<br>已完成/任务数 %{text}<extra></extra>",
            hoverongaps=False,  # a quarter without the office's tasks has no rate: its hover said 完成率 0%
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(title_text="牵头科室", autorange="reversed", type="category")
    fig.update_xaxes(title_text="报告期", type="category")
    return _layout(fig, "各牵头科室任务完成情况（已完成/任务数）", height=140 + 36 * len(offices))


def status_chart(rows: list[StatusCount]) -> go.Figure:
    """Tasks by status in each period (stacked), each segment labelled with its count."""
    quarters = _periods((r.period, plain(r.name)) for r in rows)
    fig = go.Figure()
    present = {r.status for r in rows}
    labels: dict[str | None, str] = {str(k): v for k, v in STATUS_LABELS.items()} | {None: NO_STATUS}
    for status, label in labels.items():
        if status not in present and status not in ("completed", "not_completed", "in_progress"):
            continue  # the graded statuses, and tables without status, only where there are some
        counts = {plain(r.name): r.tasks for r in rows if r.status == status}
        values = [counts.get(q, 0) for q in quarters]
        fig.add_trace(
            go.Bar(
                name=label,
                x=quarters,
                y=values,
                text=[str(v) if v else "" for v in values],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                marker_color=STATUS_COLORS[status],
                hovertemplate="%{x}<br>" + label + " %{y} 项<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", uniformtext={"minsize": 10, "mode": "show"})
    fig.update_yaxes(title_text="任务数")
    fig.update_xaxes(title_text="报告期", type="category")
    return _layout(fig, "各报告期任务状态（项）")


def _yoy_label(r: YearOverYear) -> str:
    suffix = {"%": "%", "pp": "个百分点"}.get(r.unit, r.unit)
    prev_mark = "（合成）" if "上年同期" in r.synthetic else ""
    mark = "（合成）" if "本期" in r.synthetic else ""
    return f"{r.change_text}（{r.prev_year_value:g}{suffix}{prev_mark} → {r.value:g}{suffix}{mark}）"


def year_over_year_chart(rows: list[YearOverYear]) -> go.Figure:
    """Year-over-year change of each indicator in the latest period that has a previous-year value.

    Rates (% indicators) change by percentage points and quantities by a relative change: two scales that must not
    share an axis, so they get a panel each.
    """
    latest = max(r.period for r in rows)
    mine = [r for r in rows if r.period == latest and r.yoy_change is not None]
    panels = [
        (kind, title, [r for r in mine if r.change_kind == kind])
        for kind, title in (
            ("percentage_points", "比率类指标：增减（百分点）"),
            ("relative", "数量类指标：同比增长（%）"),
        )
    ]
    panels = [p for p in panels if p[2]]
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        row_heights=[len(p[2]) for p in panels],
        vertical_spacing=0.16 if len(panels) > 1 else 0.0,
        subplot_titles=[p[1] for p in panels],
    )
    for row, (kind, _, points) in enumerate(panels, start=1):
        changes = [r.yoy_change or 0.0 for r in points]
        fig.add_trace(
            go.Bar(
                x=changes,
                y=[plain(f"{r.name}（{r.unit}）") for r in points],
                orientation="h",
                marker_color=[POSITIVE if c >= 0 else NEGATIVE for c in changes],
                text=[plain(_yoy_label(r)) for r in points],
                textposition="outside",
                cliponaxis=False,
                showlegend=False,
                hovertemplate="%{y}<br>%{text}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        low, high = min(0.0, *changes), max(0.0, *changes)
        span = (high - low) or 1.0
        fig.update_xaxes(
            range=[low - 0.05 * span, high + 0.6 * span],
            ticksuffix=" 个百分点" if kind == "percentage_points" else "%",
            zeroline=True,
            zerolinecolor="#555",
            row=row,
            col=1,
        )
        fig.update_yaxes(autorange="reversed", type="category", automargin=True, row=row, col=1)
    name = next(r.name_of_period for r in rows if r.period == latest)
    title = plain(f"指标同比变化（{name} 对比上年同期）")
    return _layout(fig, title, height=160 + 30 * len(mine) + 60 * len(panels))


def _target_label(t: Target) -> str:
    if t.actual_value is None or t.attainment is None:
        return f"{t.assessment_label}（目标 {t.target_text}）"
    return f"{t.actual_text or f'{t.actual_value:g}'}/{t.target_text}（{t.attainment:.0%}）{t.assessment_label}"


def target_categories(rows: list[Target]) -> list[str]:
    """One axis label per target: task number and indicator, with the figure's number when a task repeats one."""
    labels = [f"任务{t.task_no} {t.name}" for t in rows]
    return [
        plain(f"{label}（{t.target_no}）" if labels.count(label) > 1 else label)
        for label, t in zip(labels, rows, strict=True)
    ]


def target_chart(rows: list[Target], name: str) -> go.Figure:
    """Every target of one period: actual / target as a bar labelled with its figures and assessment, against the
    elapsed share of the year (序时进度). Unmeasured targets keep their row, labelled with why."""
    period = rows[0].period
    categories = target_categories(rows)
    fig = go.Figure()
    for assessment, label in ASSESSMENT_LABELS.items():
        mine = [(c, t) for c, t in zip(categories, rows, strict=True) if t.assessment == assessment]
        if not mine:
            continue
        fig.add_trace(
            go.Bar(
                name=label,
                x=[t.attainment or 0.0 for _, t in mine],
                y=[c for c, _ in mine],
                orientation="h",
                marker_color=ASSESSMENT_COLORS.get(assessment, "#757575"),
                text=[plain(_target_label(t)) for _, t in mine],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}<br>%{text}<extra></extra>",
            )
        )
    # 序时进度 applies to cumulative targets; levels and rates are judged against the target itself (100 %).
    elapsed = period.end_month / 12
    lines = ["点线 = 目标 100%"]
    if any(t.measure == "cumulative" for t in rows) and elapsed < 1:
        fig.add_vline(x=elapsed, line={"color": "#555", "dash": "dash"})
        lines.append(f"虚线 = 序时进度 {elapsed:.0%}（累计类目标）")
    fig.add_vline(x=1.0, line={"color": "#1b5e20", "dash": "dot"})
    widest = max([1.0, *(t.attainment or 0.0 for t in rows)])
    fig.update_xaxes(title_text=f"实际 / 目标（{'；'.join(lines)}）", tickformat=".0%", range=[0, widest * 1.6])
    fig.update_yaxes(
        type="category", categoryorder="array", categoryarray=categories, autorange="reversed", automargin=True
    )
    fig.update_layout(barmode="overlay", bargap=0.35)
    return _layout(fig, plain(f"{name} 各项目标完成情况（每项目标一行）"), height=170 + 30 * len(rows))
