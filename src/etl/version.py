"""The package's version, as installed (pyproject.toml's ``version``)."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "gov-report-etl"


@cache
def package_version() -> str:
    """The installed version of gov-report-etl (``0+unknown`` when run from a checkout that is not installed)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"
