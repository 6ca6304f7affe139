"""One quality gate for all validation tests: the GX import and context creation are paid once per session."""

from __future__ import annotations

import pytest

from etl.validate import QualityGate


@pytest.fixture(scope="session")
def gate() -> QualityGate:
    return QualityGate()
