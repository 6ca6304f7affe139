"""Everything rendered from report content or file names shows it as text (issue 22, defect 1): checked in a real
headless Chromium, page kind by page kind — the Data Docs (validation pages and index), the HTML report (tables and
Plotly charts), the Prefect run-summary Markdown artifact and the data dictionary.

The hostile input is the real report with markup in its cells, as a 责任分工 cell holding a link and a 目标任务
holding a script and an ``<img onerror>``, and a re-issue whose file name is an ``<img onerror>`` tag. Each page is
opened and its DOM checked: no script of the input ran (``window.__xss`` unset), no element of the input exists
(no ``img[src=x]``, no element with ``onerror``, no link to the input's address), and the input is in the page's
text, as written.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pytest
from markdown_it import MarkdownIt

from etl.docs.dictionary import write_dictionary
from etl.flows.ingest import summary_markdown
from etl.pipeline import RunOptions, discover_files, run_context, run_pipeline
from etl.pipeline.results import FileOutcome, RunSummary
from etl.report import write_report
from etl.settings import get_settings
from tests.conftest import REAL_TEXT_DUMP, SQL_DIR, SYNTHETIC

if TYPE_CHECKING:
    from tests.etl.report.conftest import Page

pytestmark = pytest.mark.browser

LINK = '<a href="https://example.org/check">请点此核对</a>'
SCRIPT = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">'
FILE_NAME = "<img src=x onerror=window.__xss=3>.txt"  # no '/' in a file name

# What a page must not hold, and what ran if anything did (see the module docstring).
INSPECT = """(() => ({
  ran: window.__xss === undefined ? null : window.__xss,
  elements: [...document.querySelectorAll('img[src="x"], [onerror], a[href*="example.org"], a[*|href*="example.org"]')]
    .map(e => e.outerHTML.slice(0, 160)),
  text: document.documentElement.textContent,
}))()"""

# A stand-in for the table library the Data Docs index loads from a CDN (offline here, and blocked so a real copy
# cannot take over): like bootstrap-table by default, it writes each cell's value into the page as HTML.
TABLE_LIBRARY = """
(() => {
  const table = (node) => {
    const api = {
      bootstrapTable(options) {
        if (!options || typeof options !== 'object' || !node) return api;
        const body = document.createElement('tbody');
        body.innerHTML = (options.data || []).map(row => '<tr>' + (options.columns || [])
          .map(column => '<td>' + (row[column.field] ?? '') + '</td>').join('') + '</tr>').join('');
        node.appendChild(body);
        window.__rows = (window.__rows || 0) + (options.data || []).length;
        return api;
      },
    };
    return new Proxy(api, {get: (target, key) => key in target ? target[key] : () => proxy});
  };
  let proxy;
  window.$ = window.jQuery = (target) => {
    if (typeof target === 'function') return table(null);
    proxy = table(typeof target === 'string' ? document.querySelector(target.split(' ')[0]) : null);
    return proxy;
  };
})();
"""


def inspect(page: Page, path: Path) -> dict[str, Any]:
    page.open(path.as_uri())
    found: dict[str, Any] = page.evaluate(INSPECT)
    return found


def assert_text_only(found: dict[str, Any], where: str) -> None:
    assert found["ran"] is None, f"{where}: a script of the input ran (window.__xss = {found['ran']})"
    assert found["elements"] == [], f"{where}: elements of the input in the page: {found['elements']}"


@pytest.fixture(scope="module")
def hostile_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The real report with markup in two cells, and its re-issue (修订) under a file name that is a tag."""
    folder = tmp_path_factory.mktemp("hostile")
    text = REAL_TEXT_DUMP.read_text(encoding="utf-8")
    marked = text.replace("新增国家级专精特新“小巨人”企业5家", "新增国家级专精特新“小巨人”企业5家" + SCRIPT + LINK, 1)
    marked = marked.replace("市经济和信息化局【中小办】", f"市经济和信息化局【中小办{LINK}】", 1)
    assert marked.count(LINK) == 2
    first = folder / "first" / "2024Q3_市工信局.txt"
    first.parent.mkdir()
    first.write_text(marked, encoding="utf-8")
    second = folder / "second" / FILE_NAME
    second.parent.mkdir()
    second.write_text(text.replace("三季度完成情况", "三季度完成情况（修订）", 1), encoding="utf-8")
    return first, second


@pytest.fixture(scope="module")
def data_docs(hostile_inputs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data Docs of the two runs: the second's history_titles page shows both titles, its pages its file name."""
    folder = tmp_path_factory.mktemp("docs")
    settings = get_settings(warehouse=folder / "w.duckdb", data_docs_dir=folder / "docs", report_file=folder / "r.html")
    for source in hostile_inputs:
        summary = run_pipeline(discover_files([source.parent]), run_context(settings, RunOptions(write_report=False)))
        assert [f.outcome for f in summary.files] == ["loaded"], summary.files
    return folder / "docs"


def test_data_docs_validation_pages_show_titles_and_file_names_as_text(data_docs: Path, page: Page) -> None:
    pages = sorted((data_docs / "validations").rglob("*.html"))
    titles = [p for p in pages if "history_titles" in p.parts]
    assert titles and len(pages) >= 5, pages  # the last run's pages: each run builds the site anew
    shown_name = False
    for path in pages:
        found = inspect(page, path)
        assert_text_only(found, str(path.relative_to(data_docs)))
        shown_name |= "img src=x onerror=window.__xss=3" in found["text"].replace("＜", "<").replace("＞", ">")
    assert shown_name, "the file name is not shown on its pages"
    history = inspect(page, titles[-1])
    assert "请点此核对" in history["text"] and 'onerror="window.__xss=2"' in history["text"]


def test_data_docs_index_shows_file_names_as_text(data_docs: Path, page: Page) -> None:
    page.call("Network.setBlockedURLs", {"urls": ["http://*", "https://*"]})
    page.call("Page.addScriptToEvaluateOnNewDocument", {"source": TABLE_LIBRARY})
    found = inspect(page, data_docs / "index.html")
    assert page.evaluate("window.__rows || 0") >= 5, "the stand-in table library drew no rows"
    assert_text_only(found, "index.html")
    assert "img src=x onerror=window.__xss=3" in found["text"].replace("＜", "<").replace("＞", ">")


@pytest.fixture(scope="module")
def hostile_report(hostile_inputs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML report of a warehouse holding the marked-up report and the synthetic history (charts need it)."""
    folder = tmp_path_factory.mktemp("report")
    # Data Docs in the fixture's folder: a module fixture runs before the per-test setting that moves them out of
    # the project's data/ (data_docs_dir=None would mean "the default", not "none").
    settings = get_settings(warehouse=folder / "w.duckdb", data_docs_dir=folder / "docs", report_file=folder / "r.html")
    files = discover_files([hostile_inputs[0], *SYNTHETIC])
    run_pipeline(files, run_context(settings, RunOptions(write_report=False)))
    return write_report(settings.warehouse, folder / "r.html", sql_dir=SQL_DIR).path


def test_html_report_and_its_charts_show_cells_as_text(hostile_report: Path, page: Page) -> None:
    found = inspect(page, hostile_report)
    assert page.evaluate("document.querySelectorAll('.js-plotly-plot .main-svg').length") >= 5
    assert_text_only(found, "report.html")
    office_chart = page.evaluate("document.querySelector('#chart-completion-office').textContent")
    assert f"中小办{LINK}" in office_chart  # the office's name as written, drawn as text on the chart's axis


# Hovers every point of every chart in turn (Plotly.Fx.hover, as a pointer would) and collects what each hover box
# holds: Plotly draws hover texts with its own small HTML, so a label can be a link there while the axis is text.
# Plotly takes at most one hover per 50 ms (later ones are deferred): each hover waits 60 ms before it is read.
HOVER_EVERY_POINT = """(async () => {
  const found = {boxes: 0, elements: [], texts: []};
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    for (const [curve, trace] of gd.calcdata.entries()) {
      const subplot = gd._fullData[curve].xaxis + gd._fullData[curve].yaxis;
      // a heatmap's cells are hovered at their positions on its category axes, other traces' points by number
      const points = trace[0].trace.type === 'heatmap'
        ? trace[0].z.flatMap((row, i) => row.map((_, j) => ({xval: j, yval: i})))
        : trace.map((_, i) => [{curveNumber: curve, pointNumber: i}]);
      for (const point of points) {
        await new Promise(done => setTimeout(done, 60));
        Plotly.Fx.hover(gd, point, subplot);
        await new Promise(done => setTimeout(done, 60));
        const box = gd.querySelector('.hoverlayer');
        if (!box || !box.textContent) continue;
        found.boxes += 1;
        found.elements.push(...[...box.querySelectorAll('a, img, [onerror]')].map(e => e.outerHTML.slice(0, 160)));
        found.texts.push(box.textContent);
      }
      Plotly.Fx.unhover(gd);
    }
  }
  return found;
})()"""


def test_html_report_hover_texts_show_cells_as_text(hostile_report: Path, page: Page) -> None:
    page.open(hostile_report.as_uri())
    hovered = page.evaluate(HOVER_EVERY_POINT)
    assert hovered["boxes"] >= 20, hovered["boxes"]  # every chart's points, not a few
    assert hovered["elements"] == [], f"elements of the input in hover boxes: {hovered['elements'][:3]}"
    assert any(f"中小办{LINK}" in text for text in hovered["texts"])  # the office's hover box, as written
    # A quarter in which an office had no task has no box: it said "完成率 0% 已完成/任务数 " (a rate never measured).
    assert not [text for text in hovered["texts"] if text.endswith("已完成/任务数 ")]
    assert page.evaluate("window.__xss === undefined")


def test_run_summary_artifact_shows_names_and_messages_as_text(tmp_path: Path, page: Page) -> None:
    hostile = f"{FILE_NAME} [链接](https://example.org/x) **粗** `code`"
    summary = RunSummary(
        run_id="r1",
        warehouse=str(tmp_path / "w.duckdb"),
        files=[FileOutcome(file=hostile, outcome="failed", message=f"{hostile}: page 1: {SCRIPT}{LINK}")],
        report=str(tmp_path / "<b>r</b>.html"),
    )
    markdown = summary_markdown(summary, "poll")
    # CommonMark with raw HTML on, the most permissive way a Markdown artifact can be shown.
    rendered = MarkdownIt("commonmark", {"html": True}).render(markdown)
    path = tmp_path / "artifact.html"
    path.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{rendered}</body></html>')
    found = inspect(page, path)
    assert_text_only(found, "the run summary artifact")
    assert hostile in found["text"] and f"{SCRIPT}{LINK}" in found["text"]
    assert page.evaluate("document.querySelectorAll('strong').length") == 1  # the artifact's own bold name only


def test_data_dictionary_shows_catalog_names_and_comments_as_text(tmp_path: Path, page: Page) -> None:
    schema = "x'><img src=x onerror=window.__xss=4>"
    with duckdb.connect() as conn:
        conn.execute(f'create schema "{schema}"')
        conn.execute(f'create table "{schema}"."t<img src=x onerror=window.__xss=5>" (a integer)')
        conn.execute(f"comment on table \"{schema}\".\"t<img src=x onerror=window.__xss=5>\" is '{LINK}'")
        conn.execute(f"comment on column \"{schema}\".\"t<img src=x onerror=window.__xss=5>\".a is '[x](https://example.org/y)'")
        written = write_dictionary(conn, SQL_DIR, tmp_path / "dictionary")
    html_page = next(p for p in written if p.suffix == ".html")
    found = inspect(page, html_page)
    assert_text_only(found, html_page.name)
    assert schema in found["text"] and LINK in found["text"]
    markdown = next(p for p in written if p.suffix == ".md").read_text(encoding="utf-8")
    rendered = tmp_path / "dictionary_md.html"
    body = MarkdownIt("commonmark", {"html": True}).render(markdown)
    rendered.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>')
    found = inspect(page, rendered)
    assert_text_only(found, "data_dictionary.md")
    assert html.unescape(schema) in found["text"]
