"""The report in a real headless browser: it loads with no console error, its charts render, in a CJK font."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from etl.load.schema import apply_schema
from etl.load.warehouse import connect
from etl.report import write_report
from tests.conftest import SQL_DIR

if TYPE_CHECKING:
    from tests.etl.report.conftest import Page

CHARTS = ("completion-overall", "completion-office", "status", "yoy", "attainment")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(sample_warehouse, tmp_path_factory.mktemp("report") / "report.html").path


def ink(image: Image.Image) -> tuple[float, int]:
    """The share of pixels that are not near-white, and how many are strongly coloured (bars, heatmap cells,
    markers: not the grey of axes, grid lines and text, which an empty chart has too)."""
    data = image.convert("RGB").tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    not_white = sum(1 for p in pixels if min(p) < 235)
    coloured = sum(1 for p in pixels if max(p) - min(p) > 60)
    return not_white / len(pixels), coloured


def test_the_report_loads_without_console_errors_and_every_chart_renders(
    page: Page, report: Path, tmp_path: Path
) -> None:
    page.open(report.as_uri())
    rendered = page.evaluate(
        "new Promise(done => { const t0 = Date.now(); (function poll() {"
        " const n = document.querySelectorAll('.js-plotly-plot .main-svg').length;"
        " if (n >= 5 || Date.now() - t0 > 10000) done(n); else setTimeout(poll, 50); })(); })"
    )
    assert rendered >= len(CHARTS)
    assert page.console_errors() == []
    assert page.evaluate("typeof Plotly") == "object"
    assert {url.split(":")[0] for url in page.requested_urls()} <= {"file", "data"}  # no network
    # Data reached the charts: bars, heatmap cells and markers are drawn in the SVG.
    assert page.evaluate("document.querySelectorAll('#chart-status .bars .point').length") == 3 * 5
    assert page.evaluate("document.querySelectorAll('#chart-attainment .scatterlayer .point').length") > 20

    shot = Image.open(page.screenshot(tmp_path / "report.png"))
    rects = page.evaluate(
        "Array.from(document.querySelectorAll('.js-plotly-plot')).map(e => { const r = e.getBoundingClientRect();"
        " return [e.id, r.left + scrollX, r.top + scrollY, r.width, r.height]; })"
    )
    assert [r[0] for r in rects] == [f"chart-{name}" for name in CHARTS]
    for chart, left, top, width, height in rects:
        assert width > 300 and height > 200, chart
        area = shot.crop((int(left), int(top), int(left + width), int(top + height)))
        not_white, coloured = ink(area)
        assert not_white > 0.01 and coloured > 1000, (chart, not_white, coloured)


def test_chinese_labels_are_drawn_with_a_cjk_font(page: Page, report: Path) -> None:
    page.open(report.as_uri())
    page.evaluate(
        "new Promise(done => { (function poll() { if (document.querySelector('#chart-status .gtitle')) done(1);"
        " else setTimeout(poll, 50); })(); })"
    )
    assert page.evaluate("document.querySelector('#chart-status .gtitle').textContent") == "各季度任务状态"
    for selector in ("h1", "#chart-status .gtitle", "#chart-completion-office .ytick text"):
        fonts = page.fonts_for(selector)
        assert fonts and all("CJK" in name for name in fonts), (selector, fonts)


def test_an_empty_warehouse_gives_a_page_without_charts_or_errors(page: Page, tmp_path: Path) -> None:
    warehouse = tmp_path / "empty.duckdb"
    with connect(warehouse) as conn:
        apply_schema(conn, SQL_DIR)
    result = write_report(warehouse, tmp_path / "empty.html")
    assert result.charts == 0
    page.open(result.path.as_uri())
    assert page.evaluate("document.querySelectorAll('p.empty').length") == 5 + 3  # 5 charts, 3 tables
    assert page.console_errors() == []
