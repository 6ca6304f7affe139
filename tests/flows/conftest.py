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
