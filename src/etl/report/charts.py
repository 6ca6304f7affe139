"""The report's charts (Plotly figures), labelled in Chinese."""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go

from etl.report.data import (
    ALL_OFFICES,
    STATUS_LABELS,
    Attainment,
    Completion,
    StatusCount,
    YearOverYear,
    quarter_label,
)

# A CJK font first: Debian's fonts-noto-cjk (installed by `make system-deps`), then common desktop fonts.
FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
STATUS_COLORS = {"completed": "#2e7d32", "in_progress": "#f9a825", "not_completed": "#c62828"}
ON_TRACK, BEHIND = "#2e7d32", "#c62828"
PALETTE = ("#1565c0", "#6a1b9a", "#00838f", "#ef6c00")


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01},
        font={"family": FONT_FAMILY, "size": 13},
        height=height,
        margin={"l": 60, "r": 30, "t": 60, "b": 60},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "y": -0.18},
    )
    fig.update_xaxes(showline=True, linecolor="#888", gridcolor="#eee")
    fig.update_yaxes(showline=True, linecolor="#888", gridcolor="#eee")
    return fig


def _quarters(rows: Iterable[tuple[int, int]]) -> list[str]:
    return [quarter_label(y, q) for y, q in sorted(set(rows))]


def overall_completion_chart(rows: list[Completion]) -> go.Figure:
    """Completion rate of all offices, quarter by quarter (one bar group per issuer)."""
    fig = go.Figure()
    for index, issuer in enumerate(sorted({r.issuer for r in rows})):
        mine = [r for r in rows if r.issuer == issuer and r.office == ALL_OFFICES]
        fig.add_trace(
            go.Bar(
                name=issuer,
                x=[quarter_label(r.year, r.quarter) for r in mine],
                y=[r.completion_rate for r in mine],
                text=[f"{r.tasks_completed}/{r.tasks}" for r in mine],
                textposition="outside",
                marker_color=PALETTE[index % len(PALETTE)],
                hovertemplate="%{x}<br>完成率 %{y:.0%}<br>已完成/任务数 %{text}<extra>" + issuer + "</extra>",
            )
        )
    fig.update_yaxes(title_text="完成率", tickformat=".0%", range=[0, 1.1])
    fig.update_xaxes(title_text="季度", type="category")
    return _layout(fig, "各季度任务完成率（全部科室）")


def office_completion_chart(rows: list[Completion]) -> go.Figure:
    """Completion rate by lead office (rows) and quarter (columns), with completed/tasks in each cell."""
    quarters = _quarters((r.year, r.quarter) for r in rows)
    offices = [ALL_OFFICES, *sorted({r.office for r in rows} - {ALL_OFFICES})]
    cell = {(r.office, quarter_label(r.year, r.quarter)): r for r in rows}
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
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(title_text="牵头科室", autorange="reversed", type="category")
    fig.update_xaxes(title_text="季度", type="category")
    return _layout(fig, "各牵头科室任务完成率", height=120 + 36 * len(offices))


def status_chart(rows: list[StatusCount]) -> go.Figure:
    """Tasks by status in each quarter (stacked)."""
    quarters = _quarters((r.year, r.quarter) for r in rows)
    fig = go.Figure()
    for status, label in STATUS_LABELS.items():
        counts = {quarter_label(r.year, r.quarter): r.tasks for r in rows if r.status == status}
        fig.add_trace(
            go.Bar(
                name=label,
                x=quarters,
                y=[counts.get(q, 0) for q in quarters],
                marker_color=STATUS_COLORS[status],
                hovertemplate="%{x}<br>" + label + " %{y} 项<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text="任务数")
    fig.update_xaxes(title_text="季度", type="category")
    return _layout(fig, "各季度任务状态")


def year_over_year_chart(rows: list[YearOverYear]) -> go.Figure:
    """Year-over-year change (%) of each indicator, latest quarter that has a previous-year value."""
    latest = max((r.year, r.quarter) for r in rows)
    mine = [r for r in rows if (r.year, r.quarter) == latest and r.yoy_pct is not None]
    labels = [f"{r.name}（{r.unit}）" for r in mine]
    fig = go.Figure(
        go.Bar(
            x=[r.yoy_pct for r in mine],
            y=labels,
            orientation="h",
            marker_color=["#1565c0" if (r.yoy_pct or 0) >= 0 else "#c62828" for r in mine],
            text=[f"{r.prev_year_value:g} → {r.value:g}" for r in mine],
            textposition="auto",
            hovertemplate="%{y}<br>同比 %{x:.2f}%<br>上年同期 → 本期 %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category", automargin=True)
    fig.update_xaxes(title_text="同比增长（%）", zeroline=True, zerolinecolor="#555")
    title = f"指标同比变化（{quarter_label(*latest)} 对比上年同期）"
    return _layout(fig, title, height=140 + 28 * len(mine))


def attainment_chart(rows: list[Attainment]) -> go.Figure:
    """Each target's attainment per quarter of the latest year, against the elapsed share of the year."""
    year = max(r.year for r in rows)
    mine = [r for r in rows if r.year == year]
    fig = go.Figure()
    for on_track, label, color in ((True, "达到序时进度", ON_TRACK), (False, "落后序时进度", BEHIND)):
        points = [r for r in mine if r.on_track is on_track]
        fig.add_trace(
            go.Scatter(
                name=label,
                mode="markers",
                x=[quarter_label(r.year, r.quarter) for r in points],
                y=[r.attainment for r in points],
                marker={"color": color, "size": 11, "line": {"color": "white", "width": 1}},
                text=[f"任务{r.task_no} {r.name}：{r.actual_value:g}/{r.target_value:g}{r.unit}" for r in points],
                hovertemplate="%{text}<br>完成目标 %{y:.0%}<extra>" + label + "</extra>",
            )
        )
    quarters = sorted({r.quarter for r in mine})
    fig.add_trace(
        go.Scatter(
            name="序时进度",
            mode="lines+markers",
            x=[quarter_label(year, q) for q in quarters],
            y=[q / 4 for q in quarters],
            line={"color": "#555", "dash": "dash"},
            marker={"symbol": "line-ew-open", "size": 14},
            hovertemplate="%{x} 序时进度 %{y:.0%}<extra></extra>",
        )
    )
    fig.update_yaxes(title_text="完成目标比例", tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(
        title_text="季度",
        type="category",
        categoryorder="array",
        categoryarray=[quarter_label(year, q) for q in quarters],
    )
    return _layout(fig, f"{year}年目标完成进度与序时进度")
