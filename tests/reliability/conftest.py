"""The report tests' real headless browser, for the pages checked here (test_rendered_as_text.py)."""

from tests.etl.report.conftest import browser, page  # noqa: F401
