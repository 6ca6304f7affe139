"""The report in a real headless browser: it loads with no console error, its charts render in a CJK font, every
point carries a label drawn on the chart (so it survives printing), each section is captured as a screenshot, and
the page prints to a readable A4 landscape PDF.

The screenshots committed under docs/report/ are this test's output:
``REPORT_SCREENSHOTS_DIR=docs/report .venv/bin/python -m pytest tests/etl/report/test_report_browser.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pypdfium2 as pdfium
import pytest
from PIL import Image

from etl.load.schema import apply_schema
from etl.load.warehouse import connect
from etl.report import write_report
from etl.report.charts import CHART_WIDTH
from etl.report.data import ASSESSMENT_LABELS
from tests.conftest import SQL_DIR
from tests.etl.report.conftest import chromium_binary

if TYPE_CHECKING:
    from tests.etl.report.conftest import Page

CHARTS = ("targets", "completion-overall", "completion-office", "status", "yoy")
SECTIONS = ("header", "latest", "targets", "completion", "status", "yoy")
# A4 landscape: 297 × 210 mm = 841.9 × 595.3 pt; less the 10 mm margins of @page, 277 mm = 1047 CSS pixels wide.
A4_LANDSCAPE_PT = (841.9, 595.3)
PRINTABLE_WIDTH_PX = 277 / 25.4 * 96

pytestmark = pytest.mark.browser

WAIT_FOR_CHARTS = (
    "new Promise(done => { const t0 = Date.now(); (function poll() {"
    " const n = document.querySelectorAll('.js-plotly-plot .main-svg').length;"
    " if (n >= 5 || Date.now() - t0 > 10000) done(n); else setTimeout(poll, 50); })(); })"
)


@pytest.fixture(scope="module")
def report(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(sample_warehouse, tmp_path_factory.mktemp("report") / "report.html").path


@pytest.fixture(scope="module")
def latest_targets(sample_warehouse: Path) -> list[tuple[int, str, str]]:
    """Task number, indicator name (or the figure as written) and the label its bar must carry, per target."""
    with duckdb.connect(str(sample_warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select task_no, coalesce(indicator_name, target_text), actual_text, target_text, attainment, assessment "
            "from mart.target_attainment where year = 2024 and quarter = 3 order by task_no, target_no"
        ).fetchall()
    return [
        (
            int(n),
            str(name),
            f"{ASSESSMENT_LABELS[a]}（目标 {target}）"
            if att is None
            else f"{actual}/{target}（{att:.0%}）{ASSESSMENT_LABELS[a]}",
        )
        for n, name, actual, target, att, a in rows
    ]


@pytest.fixture(scope="module")
def yoy_labels(sample_warehouse: Path) -> list[str]:
    """The label each year-over-year bar must carry: change (points for rates) and the two values."""
    with duckdb.connect(str(sample_warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select unit, value, prev_year_value, yoy_change from mart.indicator_yoy "
            "where prev_year_value is not null and year = 2024 and quarter = 3"  # the real report, against 2023 Q3
        ).fetchall()
        (synthetic,) = conn.execute(
            "select is_synthetic from mart.quarterly_completion where year = 2023 and quarter = 3"
        ).fetchone() or (None,)
    assert synthetic is True  # the samples' previous year is synthetic: its figures carry （合成）
    labels = []
    for unit, value, prev, change in rows:
        if unit in ("%", "pp"):
            suffix = "%" if unit == "%" else "个百分点"
            labels.append(f"{value - prev:+.1f} 个百分点（{prev:g}{suffix}（合成） → {value:g}{suffix}）")
        elif prev:
            assert abs(change - (value - prev) / prev * 100) < 0.01  # relative, in percent (rounded by the mart)
            labels.append(f"{change:+.1f}%（{prev:g}{unit}（合成） → {value:g}{unit}）")
    return labels


def ink(image: Image.Image) -> tuple[float, int]:
    """The share of pixels that are not near-white, and how many are strongly coloured (bars, heatmap cells,
    markers: not the grey of axes, grid lines and text, which an empty chart has too)."""
    data = image.convert("RGB").tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    not_white = sum(1 for p in pixels if min(p) < 235)
    coloured = sum(1 for p in pixels if max(p) - min(p) > 60)
    return not_white / len(pixels), coloured


def texts(page: Page, selector: str) -> list[str]:
    return list(page.evaluate(f"Array.from(document.querySelectorAll({selector!r})).map(e => e.textContent)"))


def test_the_report_loads_without_console_errors_and_every_chart_renders(
    page: Page, report: Path, tmp_path: Path
) -> None:
    page.open(report.as_uri())
    assert page.evaluate(WAIT_FOR_CHARTS) >= len(CHARTS)
    assert page.console_errors() == []
    assert page.evaluate("typeof Plotly") == "object"
    assert {url.split(":")[0] for url in page.requested_urls()} <= {"file", "data"}  # no network
    # Data reached the charts: bars and heatmap cells are drawn in the SVG.
    assert page.evaluate("document.querySelectorAll('#chart-status .bars .point').length") == 3 * 4
    assert page.evaluate("document.querySelectorAll('#chart-targets .bars .point').length") >= 12

    shot = Image.open(page.screenshot(tmp_path / "report.png"))
    rects = page.evaluate(
        "Array.from(document.querySelectorAll('.js-plotly-plot')).map(e => { const r = e.getBoundingClientRect();"
        " return [e.id, r.left + scrollX, r.top + scrollY, r.width, r.height]; })"
    )
    assert [r[0] for r in rects] == [f"chart-{name}" for name in CHARTS]
    for chart, left, top, width, height in rects:
        assert width == CHART_WIDTH and height > 200, chart
        area = shot.crop((int(left), int(top), int(left + width), int(top + height)))
        not_white, coloured = ink(area)
        assert not_white > 0.01 and coloured > 1000, (chart, not_white, coloured)


def test_every_point_carries_its_label_on_the_chart_not_only_on_hover(
    page: Page, report: Path, latest_targets: list[tuple[int, str, str]], yoy_labels: list[str]
) -> None:
    page.open(report.as_uri())
    page.evaluate(WAIT_FOR_CHARTS)
    # One bar per target of the latest quarter, measured or not, each labelled with its figures or why it has none.
    bars = texts(page, "#chart-targets .bartext")
    assert sorted(bars) == sorted(label for _, _, label in latest_targets) and len(bars) >= 12
    assert any("（目标" in text for text in bars), "an unmeasured target keeps its labelled row"
    categories = texts(page, "#chart-targets .ytick text")
    assert sorted(categories) == sorted(f"任务{n} {name}" for n, name, _ in latest_targets)
    assert "点线 = 目标 100%" in "".join(texts(page, "#chart-targets .xtitle"))
    # Completion bars: rate and done/tasks on each bar; heatmap cells: done/tasks in each.
    assert texts(page, "#chart-completion-overall .bartext") == [
        "88%（15/17）",
        "71%（12/17）",
        "82%（14/17）",
        "88%（15/17）",
    ]
    assert texts(page, "#chart-completion-overall .xtick text") == [
        "2023年三季度（合成）",
        "2024年一季度（合成）",
        "2024年二季度（合成）",
        "2024年三季度",
    ]
    cells = [t for t in texts(page, "#chart-completion-office .heatmap-label text") if t]
    assert len(cells) == 8 * 4 and "2/4" in cells
    # Status segments: each non-empty segment shows its count; the counts add up to 17 tasks a period.
    segments = [int(t) for t in texts(page, "#chart-status .bartext") if t]
    assert sum(segments) == 17 * 4 and len(segments) == 9
    # Year over year: each bar says its change and the two values; rates in points.
    yoy = texts(page, "#chart-yoy .bartext")
    assert sorted(yoy) == sorted(yoy_labels) and len(yoy) >= 10
    assert "+13.1 个百分点（18.2%（合成） → 31.3%）" in yoy  # the previous year is synthetic, and says so


def test_chinese_labels_are_drawn_with_a_cjk_font(page: Page, report: Path) -> None:
    page.open(report.as_uri())
    page.evaluate(
        "new Promise(done => { (function poll() { if (document.querySelector('#chart-status .gtitle')) done(1);"
        " else setTimeout(poll, 50); })(); })"
    )
    assert page.evaluate("document.querySelector('#chart-status .gtitle').textContent") == "各报告期任务状态（项）"
    for selector in ("h1", "#open-tasks td", "#chart-status .gtitle", "#chart-completion-office .ytick text"):
        fonts = page.fonts_for(selector)
        assert fonts and all("CJK" in name for name in fonts), (selector, fonts)


def test_a_screenshot_per_section(page: Page, report: Path, tmp_path: Path) -> None:
    """Each section as a PNG (docs/report/<section>.png when REPORT_SCREENSHOTS_DIR says so), with content in it."""
    out = Path(os.environ.get("REPORT_SCREENSHOTS_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page.open(report.as_uri())
    page.evaluate(WAIT_FOR_CHARTS)
    for section in SECTIONS:
        selector = "header" if section == "header" else f"section#{section}"
        left, top, width, height = page.evaluate(
            f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();"
            " return [r.left + scrollX, r.top + scrollY, r.width, r.height]; })()"
        )
        path = page.screenshot(out / f"{section}.png", clip=(left - 12, top - 12, width + 24, height + 24))
        image = Image.open(path)
        assert image.width == int(width + 24) and image.height >= 200, section
        not_white, _ = ink(image)
        assert not_white > 0.01, (section, not_white)


LINES_OF_CELLS = (
    "(selector => Array.from(document.querySelectorAll(selector)).map(cell => {"
    " const range = document.createRange(); range.selectNodeContents(cell);"
    " const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));"
    " return [cell.textContent, tops.size]; }))"
)


@pytest.mark.parametrize("width", [1280, int(PRINTABLE_WIDTH_PX)], ids=["screen", "print"])
def test_office_and_status_columns_do_not_wrap_one_character_per_line(page: Page, report: Path, width: int) -> None:
    """Issue 23: beside a long 落实情况, the 牵头科室 and 状态 columns of the open tasks were squeezed to one character
    a line. Each such cell (and header) must hold its words on one line, on screen and at the printed width."""
    page.call(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}
    )
    try:
        page.open(report.as_uri())
        for table in ("open-tasks", "latest-changes"):
            for column in (3, 4):
                cells = page.evaluate(f"{LINES_OF_CELLS}('#{table} tr > :nth-child({column})')")
                assert len(cells) >= 2, (table, column)
                assert all(lines == 1 for _, lines in cells), (table, column, cells)
    finally:
        page.call("Emulation.clearDeviceMetricsOverride")


def test_the_page_fits_the_printed_page_width(page: Page, report: Path) -> None:
    """Plotly does not re-lay a chart out for print: the page must already fit A4 landscape's printable width."""
    page.open(report.as_uri())
    page.evaluate(WAIT_FOR_CHARTS)
    page.call("Emulation.setEmulatedMedia", {"media": "print"})
    page.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": int(PRINTABLE_WIDTH_PX), "height": 800, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= PRINTABLE_WIDTH_PX
        widest = page.evaluate(
            "Math.max(...Array.from(document.querySelectorAll('.js-plotly-plot, table'))"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert widest <= PRINTABLE_WIDTH_PX
    finally:
        page.call("Emulation.clearDeviceMetricsOverride")
        page.call("Emulation.setEmulatedMedia", {"media": ""})


def test_printing_to_pdf_gives_readable_a4_landscape_pages(
    report: Path, tmp_path: Path, latest_targets: list[tuple[int, str, str]]
) -> None:
    """What `Print` does: Chromium's own --print-to-pdf, then the PDF read back with pypdfium2."""
    pdf = tmp_path / "report.pdf"
    done = subprocess.run(
        [
            chromium_binary(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            report.as_uri(),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0 and pdf.exists(), done.stderr[-2000:]
    document = pdfium.PdfDocument(pdf)
    try:
        assert 4 <= len(document) <= 30
        pages = []
        for index in range(len(document)):
            width, height = document[index].get_size()
            assert abs(width - A4_LANDSCAPE_PT[0]) < 3 and abs(height - A4_LANDSCAPE_PT[1]) < 3, (index, width, height)
            pages.append(document[index].get_textpage().get_text_range())
    finally:
        document.close()
    text = re.sub(r"\s+", "", "".join(pages))  # table cells wrap: compare without line breaks
    first = re.sub(r"\s+", "", pages[0])
    assert "市工信局政府工作报告任务完成情况·2024年三季度" in first and "北京时间" in first
    assert "尚未完成的任务（2项）" in first
    assert "落实支持民营经济发展政策" in first and "中小办" in first
    for task_no, name, label in latest_targets:  # every target, in the chart and in the table
        assert f"任务{task_no}{name}" in text, name
        assert re.sub(r"\s+", "", label) in text, label  # chart labels are text in the PDF, not pixels
    for label in ("点线=目标100%", "88%（15/17）", "+13.1个百分点（18.2%（合成）→31.3%）"):
        assert label in text, label
    assert "落后序时进度的目标" in text and "比率类指标：增减（百分点）" in text
    # Each section starts on a page of its own.
    starts = {heading: next(i for i, p in enumerate(pages) if heading in p) for heading in ("指标同比", "任务状态变化")}
    assert all(re.sub(r"\s+", "", pages[i]).startswith(h) for h, i in starts.items()), starts


def test_an_empty_warehouse_gives_a_page_without_charts_or_errors(page: Page, tmp_path: Path) -> None:
    warehouse = tmp_path / "empty.duckdb"
    with connect(warehouse) as conn:
        apply_schema(conn, SQL_DIR)
    result = write_report(warehouse, tmp_path / "empty.html")
    assert result.charts == 0
    page.open(result.path.as_uri())
    assert page.evaluate("document.querySelectorAll('p.empty').length") == 5 + 5  # 5 charts, 5 tables
    assert page.evaluate("document.querySelector('h1').textContent") == "政府工作报告任务完成情况 · 暂无数据"
    assert page.console_errors() == []
