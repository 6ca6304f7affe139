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
        ("{code: x, name: 甲, name_en: X, unit: 斤, measure: level, match: ['a']}", "unit '斤' is not a normalized"),
        ("{code: Bad-Code, name: 甲, name_en: X, unit: 个, measure: level, match: ['a']}", "should match pattern"),
        ("{code: x, name: 甲, name_en: X, unit: 个, measure: cumulative, match: ['(']}", "is not a regular expression"),
        ("{code: x, name: 甲, name_en: X, unit: 个, measure: cumulative, match: []}", "at least 1 item"),
    ],
)
def test_a_bad_catalog_entry_is_rejected(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text(f"indicators:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises((ValidationError, ValueError), match=message):
        load_catalog(path)


def test_duplicate_codes_are_rejected(tmp_path: Path) -> None:
    entry = "{code: x, name: 甲, name_en: X, unit: 个, measure: cumulative, match: ['a']}"
    path = tmp_path / "indicators.yaml"
    path.write_text(f"indicators:\n  - {entry}\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="indicator codes used twice: x"):
        load_catalog(path)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (["{code: x, name: 甲, name_en: X, unit: 个, match: ['a']}"], "measure\n  Field required"),
        (["{code: x, name: 甲, name_en: X, unit: 个, measure: total, match: ['a']}"], "Input should be 'cumulative'"),
        (
            ["{code: x, name: 甲, name_en: X, unit: 个, measure: cumulative, parts: [y], match: ['a']}"],
            "indicator x: parts y are not other indicators",
        ),
        (
            [
                "{code: x, name: 甲, name_en: X, unit: '%', measure: level, parts: [y], match: ['a']}",
                "{code: y, name: 乙, name_en: Y, unit: '%', measure: level, match: ['b']}",
            ],
            "only a cumulative indicator can be a sum of parts",
        ),
    ],
)
def test_measure_and_parts_are_checked(tmp_path: Path, entries: list[str], message: str) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text("indicators:\n" + "".join(f"  - {entry}\n" for entry in entries), encoding="utf-8")
    with pytest.raises((ValidationError, ValueError), match=message):
        load_catalog(path)


def test_the_repository_catalog_says_how_each_target_is_judged() -> None:
    catalog = {i.code: i for i in load_catalog(PROJECT_ROOT / "data" / "indicators.yaml").indicators}
    assert catalog["village_5g_coverage_rate"].measure == "level"
    assert catalog["tech_upgrade_investment_growth"].measure == "rate"
    assert catalog["new_5g_base_stations"].measure == "cumulative"
    assert catalog["provincial_smart_factories_and_workshops"].parts == (
        "provincial_smart_factories",
        "provincial_digital_workshops",
    )
