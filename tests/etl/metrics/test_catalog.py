from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from etl.metrics.catalog import load_catalog
from etl.settings import PROJECT_ROOT


def test_the_repository_catalog_is_valid() -> None:
    catalog = load_catalog(PROJECT_ROOT / "data" / "indicators.yaml")
    codes = [indicator.code for indicator in catalog.indicators]
    assert "new_5g_base_stations" in codes and "village_5g_coverage_rate" in codes
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{code: x, name: 甲, name_en: X, unit: 斤, match: ['a']}", "unit '斤' is not a normalized unit"),
        ("{code: Bad-Code, name: 甲, name_en: X, unit: 个, match: ['a']}", "String should match pattern"),
        ("{code: x, name: 甲, name_en: X, unit: 个, match: ['(']}", "is not a regular expression"),
        ("{code: x, name: 甲, name_en: X, unit: 个, match: []}", "at least 1 item"),
    ],
)
def test_a_bad_catalog_entry_is_rejected(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text(f"indicators:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises((ValidationError, ValueError), match=message):
        load_catalog(path)


def test_duplicate_codes_are_rejected(tmp_path: Path) -> None:
    entry = "{code: x, name: 甲, name_en: X, unit: 个, match: ['a']}"
    path = tmp_path / "indicators.yaml"
    path.write_text(f"indicators:\n  - {entry}\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="indicator codes used twice: x"):
        load_catalog(path)
