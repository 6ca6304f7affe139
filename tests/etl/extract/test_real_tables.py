"""Real tables of other issuers (tests/fixtures/real_tables/, derived from published pages; README there): each
read from both of its forms, the page (.html) and the tab-separated dump (.txt), gives the records its
``<name>.expected.yaml`` lists, transcribed from the stored copy of the page, not produced by our code; the two
forms give identical records; a copy cut off inside a row (``.cutoff``) is refused naming the row.

The fixtures are checked too: complete, and every expected text is in both forms as written.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from etl.errors import ReportError
from etl.extract.source import read_source
from etl.models import DeclaredMeta, Report
from etl.parse.report import parse_report

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "real_tables"
CASES = sorted(FIXTURES.glob("*/*.expected.yaml"))
NAMES = [path.name.removesuffix(".expected.yaml") for path in CASES]
META_FIELDS = ("issuer", "year", "period_kind", "period_end_month", "period_label", "quarter")
TASK_FIELDS = (
    "task_no",
    "task_title",
    "responsible_units",
    "lead_office",
    "responsible_people",
    "plan_type",
    "plan_text",
    "annual_target",
    "status",
    "status_text",
    "progress_text",
)
TEXT_FIELDS = ("task_title", "lead_office", "plan_text", "annual_target", "status_text", "progress_text")


def _expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / name / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    return data


def _squeeze(value: Any) -> Any:
    """A value compared ignoring whitespace: text without it, lists as tuples of such text."""
    if isinstance(value, str):
        return re.sub(r"\s+", "", value)
    if isinstance(value, list | tuple):
        return tuple(_squeeze(item) for item in value)
    return value


def _parse(path: Path, declared: dict[str, str] | None) -> Report:
    """The file read and parsed with what the fixture declares (as `etl ingest --issuer/--period` or a sidecar)."""
    return parse_report(read_source(path), DeclaredMeta(**declared) if declared else None)


def _records(report: Report) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    meta = {field: _squeeze(getattr(report.meta, field)) for field in META_FIELDS}
    tasks = [{field: _squeeze(getattr(row, field)) for field in TASK_FIELDS} for row in report.rows]
    return meta, tasks


def _wanted(expected: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    meta = {field: _squeeze(expected["meta"][field]) for field in META_FIELDS}
    tasks = [{field: _squeeze(task[field]) for field in TASK_FIELDS} for task in expected["tasks"]]
    return meta, tasks


@pytest.mark.parametrize("form", ["html", "txt"])
@pytest.mark.parametrize("name", NAMES)
def test_each_form_gives_the_records_transcribed_from_the_source(name: str, form: str) -> None:
    expected = _expected(name)
    report = _parse(FIXTURES / name / f"{name}.{form}", expected.get("declared"))
    assert _records(report) == _wanted(expected)


@pytest.mark.parametrize("name", NAMES)
def test_the_page_and_the_dump_give_identical_records(name: str) -> None:
    declared = _expected(name).get("declared")
    page = _parse(FIXTURES / name / f"{name}.html", declared)
    dump = _parse(FIXTURES / name / f"{name}.txt", declared)
    assert _records(page) == _records(dump)
    assert page.raw.source_format == "html" and dump.raw.source_format == "text"


CUTOFFS = [(name, file) for name in NAMES for file in _expected(name)["refused"]]


@pytest.mark.parametrize(("name", "file"), CUTOFFS, ids=[file for _, file in CUTOFFS])
def test_a_copy_cut_off_inside_a_row_is_refused_naming_the_row(name: str, file: str) -> None:
    """The row the copy cuts off has fewer cells than the header: refused, never loaded with empty cells."""
    with pytest.raises(ReportError) as caught:
        read_source(FIXTURES / name / file)
    message = str(caught.value)
    if file.endswith(".html"):
        assert re.search(r"page 1: table row \d+ has \d+ cells where the header has \d+ columns", message), message
    else:
        assert re.search(r"line \d+: expected \d+ tab-separated cells, found \d+", message), message


@pytest.mark.parametrize("name", NAMES)
def test_each_fixture_is_complete_and_names_its_source(name: str) -> None:
    expected = _expected(name)
    named = expected["source"].startswith(("http://", "https://", "stored public page"))
    assert named and "derived" in expected["derived"].lower()
    assert set(expected["meta"]) >= set(META_FIELDS)
    assert expected["meta"]["period_kind"] in ("quarter", "half_year", "months", "year")
    assert 1 <= expected["meta"]["period_end_month"] <= 12
    assert expected["tasks"], "a fixture with no loadable row"
    for task in expected["tasks"]:
        assert set(task) >= set(TASK_FIELDS), sorted(set(TASK_FIELDS) - set(task))
        assert isinstance(task["responsible_units"], list) and isinstance(task["responsible_people"], list)
    for file in [f"{name}.html", f"{name}.txt", *expected["refused"]]:
        assert (FIXTURES / name / file).is_file(), file


@pytest.mark.parametrize("name", NAMES)
def test_every_expected_text_is_in_both_forms_as_written(name: str) -> None:
    """The transcription is checked against the two forms as plain text (no reader involved): each task's number,
    texts, units and people appear in the page (entities decoded) and in the dump, whitespace aside."""
    page = _squeeze(html.unescape(re.sub(r"<[^>]+>", "", (FIXTURES / name / f"{name}.html").read_text("utf-8"))))
    dump = _squeeze(re.sub(r"</?p>", "", (FIXTURES / name / f"{name}.txt").read_text("utf-8")))
    for task in _expected(name)["tasks"]:
        texts = [task[field] for field in TEXT_FIELDS if task[field]]
        texts += [*task["responsible_units"], *task["responsible_people"]]
        for text in texts:
            assert _squeeze(text) in page, (name, text)
            assert _squeeze(text) in dump, (name, text)
