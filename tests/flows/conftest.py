"""One temporary Prefect server for the whole session: flows run for real, the start-up is paid once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import flows  # noqa: F401  (Prefect environment defaults before prefect is imported)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture(scope="session")
def prefect_api_url(prefect_harness: None) -> str:
    """The session server's API address, for `etl` commands run as real subprocesses."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    assert url, "the Prefect test harness did not set an API URL"
    return str(url)


@pytest.fixture(autouse=True)
def data_docs_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Great Expectations Data Docs of test runs go to a temporary folder, not the project's data/."""
    monkeypatch.setenv("ETL_DATA_DOCS_DIR", str(tmp_path_factory.mktemp("gx_docs")))
