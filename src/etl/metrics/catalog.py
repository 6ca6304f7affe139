"""The indicator catalog (data/indicators.yaml): stable codes for metrics comparable across quarters and years.

Each indicator says how its figures are judged against a target (``measure``):

- ``cumulative``: a quantity that adds up over the year (new firms, base stations built, investment signed). A
  year-to-date actual is compared with the target and with the elapsed share of the year (序时进度).
- ``level``: a level reached at a point in time (行政村5G通达率 98%, 开工率 99%). It is compared with the target
  value itself: quarter / 4 means nothing for a rate.
- ``rate``: a rate over the year to date (技改投资增长 31.3%, 能耗下降 3.2%). Compared with the target value; it can
  still move until the year ends, so a met rate is ``on_track`` before the fourth quarter and ``achieved`` in it.

``parts`` makes a combined indicator: a target such as 省级智能工厂和数字化车间 10 个 is the sum of the figures
of its parts (省级智能工厂 …家, 省级数字化车间 …家), which reports give separately.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from etl.metrics.measure import NORMALIZED_UNITS

Measure = Literal["cumulative", "level", "rate"]
MEASURES: tuple[Measure, ...] = get_args(Measure)


class Indicator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    name_en: str
    unit: str
    direction: Literal["increase", "decrease"] | None = None
    measure: Measure
    parts: tuple[str, ...] = ()
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
        known = set(codes)
        for indicator in self.indicators:
            unknown = [part for part in indicator.parts if part not in known or part == indicator.code]
            if unknown:
                raise ValueError(f"indicator {indicator.code}: parts {', '.join(unknown)} are not other indicators")
            if indicator.parts and indicator.measure != "cumulative":
                raise ValueError(f"indicator {indicator.code}: only a cumulative indicator can be a sum of parts")
        return self


def load_catalog(path: Path) -> IndicatorCatalog:
    """Read and check the catalog; a pydantic ValidationError names the bad entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return IndicatorCatalog.model_validate(data)
