"""The data dictionary is generated from the warehouse itself, and the committed copy in docs/ is up to date."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from etl.docs.dictionary import (
    HTML_FILE,
    MARKDOWN_FILE,
    example_queries,
    read_dictionary,
    render,
    schema_descriptions,
    write_dictionary,
)
from etl.load.schema import apply_schema
from etl.load.warehouse import connect
from etl.settings import PROJECT_ROOT
from tests.conftest import SQL_DIR

DOCS = PROJECT_ROOT / "docs"


@pytest.fixture(scope="module")
def schema_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse file with the schema applied and no rows."""
    path = tmp_path_factory.mktemp("schema_only") / "warehouse.duckdb"
    with connect(path) as conn:
        apply_schema(conn, SQL_DIR)
    return path


@pytest.fixture(scope="module")
def generated(schema_only: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("docs")
    with connect(schema_only, read_only=True) as conn:
        paths = write_dictionary(conn, SQL_DIR, out)
    return {path.name: path.read_text(encoding="utf-8") for path in paths}


@pytest.mark.parametrize("name", [MARKDOWN_FILE, HTML_FILE])
def test_the_committed_dictionary_is_up_to_date(generated: dict[str, str], name: str) -> None:
    committed = DOCS / name
    assert committed.exists(), f"docs/{name} is missing: run `etl docs --schema-only`"
    assert committed.read_text(encoding="utf-8") == generated[name], (
        f"docs/{name} is out of date with sql/: run `etl docs --schema-only` and commit the result"
    )


def test_the_dictionary_does_not_depend_on_the_rows_loaded(sample_warehouse: Path, generated: dict[str, str]) -> None:
    with connect(sample_warehouse, read_only=True) as conn:
        assert render(conn, SQL_DIR) == generated


def test_every_schema_relation_column_and_comment_is_documented(schema_only: Path, generated: dict[str, str]) -> None:
    markdown, page = generated[MARKDOWN_FILE], generated[HTML_FILE]
    with connect(schema_only, read_only=True) as conn:
        dictionary = read_dictionary(conn, SQL_DIR)
        columns = conn.execute(
            "select schema_name, table_name, column_name, data_type, comment from duckdb_columns() "
            "where database_name = current_database() and schema_name in ('raw', 'core', 'staging', 'mart', 'ops')"
        ).fetchall()
        views = conn.execute(
            "select schema_name, view_name, comment from duckdb_views() where not internal "
            "and schema_name in ('core', 'staging', 'mart')"
        ).fetchall()
    assert [s.name for s in dictionary.schemas] == ["raw", "core", "staging", "mart", "ops"]
    assert all(s.description for s in dictionary.schemas)
    assert len(columns) > 150
    for schema, relation, column, data_type, comment in columns:
        section = _markdown_section(markdown, f"{schema}.{relation}")
        assert f"| `{column}` | `{data_type}" in section, (schema, relation, column)
        if comment:
            assert " ".join(comment.split()).replace("|", "\\|") in section, (schema, relation, column)
    for schema, view, comment in views:
        grain = comment.removeprefix("Grain:").strip()
        assert f"**Grain:** {grain}" in _markdown_section(markdown, f"{schema}.{view}"), view
        assert f'id="{schema}-{view}"' in page
    for schema in dictionary.schemas:
        assert f"## Schema `{schema.name}`" in markdown and schema.description in markdown


def test_the_example_queries_are_included_with_their_titles(generated: dict[str, str]) -> None:
    examples = example_queries(SQL_DIR)
    assert len(examples) == len(list((SQL_DIR / "examples").glob("*.sql"))) >= 5
    titles = {e.file: e.title for e in examples}
    assert titles["tasks_that_changed_status.sql"] == "Tasks whose status changed since the previous quarter reported."
    for example in examples:
        assert f"### {example.title}" in generated[MARKDOWN_FILE]
        assert example.sql in generated[MARKDOWN_FILE]
        assert f"sql/examples/{example.file}" in generated[HTML_FILE]


def test_schema_descriptions_come_from_the_schemas_file() -> None:
    described = schema_descriptions(SQL_DIR)
    assert described["mart"].startswith("analyst-facing views")
    assert set(described) == {"raw", "core", "staging", "mart", "ops"}


def test_the_html_is_well_formed_and_its_links_resolve(generated: dict[str, str]) -> None:
    checker = _TagChecker()
    checker.feed(generated[HTML_FILE])
    checker.close()
    assert checker.open == [], checker.open
    assert checker.links and checker.links <= checker.ids
    md_links = set(re.findall(r"\]\(#([^)]+)\)", generated[MARKDOWN_FILE]))
    md_ids = set(re.findall(r'<a id="([^"]+)"></a>', generated[MARKDOWN_FILE]))
    assert md_links and md_links <= md_ids


def _markdown_section(markdown: str, qualified_name: str) -> str:
    start = markdown.index(f"### `{qualified_name}`")
    end = markdown.find("\n### ", start + 1)
    return markdown[start : end if end > 0 else None]


class _TagChecker(HTMLParser):
    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.ids: set[str] = set()
        self.links: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        href = values.get("href")
        if href and href.startswith("#"):
            self.links.add(href[1:])
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()
