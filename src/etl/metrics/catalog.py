"""The indicator catalog (data/indicators.yaml): stable codes for metrics comparable across quarters and years."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from etl.metrics.measure import NORMALIZED_UNITS


class Indicator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    name_en: str
    unit: str
    direction: Literal["increase", "decrease"] | None = None
    match: tuple[str, ...] = Field(min_length=1)

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        if unit not in NORMALIZED_UNITS:
            raise ValueError(f"unit {unit!r} is not a normalized unit ({', '.join(sorted(NORMALIZED_UNITS))})")
        return unit

    @field_validator("match")
    @classmethod
    def _valid_patterns(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a regular expression: {exc}") from exc
        return patterns


class IndicatorCatalog(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    indicators: tuple[Indicator, ...]

    @model_validator(mode="after")
    def _unique_codes(self) -> IndicatorCatalog:
        codes = [indicator.code for indicator in self.indicators]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"indicator codes used twice: {', '.join(duplicates)}")
        return self


def load_catalog(path: Path) -> IndicatorCatalog:
    """Read and check the catalog; a pydantic ValidationError names the bad entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return IndicatorCatalog.model_validate(data)
