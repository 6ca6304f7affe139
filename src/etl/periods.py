"""Reporting periods: the words that name them (data/periods.yaml) and the periods a user declares (2021Q3).

A report covers the year from January to its period's end month (reports are cumulative), so a period is its kind
(quarter, half_year, months, year), its end month and the words it was written with. Both the title's parser
(etl.parse.title) and the header matcher (etl.extract.template, a plan column headed 第三季度 or 1-9月) read
periods here; this module knows nothing of either.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from etl.resources import bundled_path
from etl.vocabulary import PERIOD_KINDS, PeriodKind

# Most specific first: a title naming 二季度 and 年度 is the second quarter's report.
SPECIFICITY: tuple[PeriodKind, ...] = ("months", "quarter", "half_year", "year")
_DASHES = re.compile(r"[‐‑‒–—―−－~～〜到]")
_CHINESE_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
                   "十一": 11, "十二": 12}  # fmt: skip
# Declared periods: 2021Q3, 2021H1, 2021M11 (January to November), 2021Y (the whole year).
_DECLARED = re.compile(
    r"^\s*(?P<year>(?:19|20)\d{2})\s*(?:(?P<q>[Qq][1-4])|(?P<h>[Hh]1)|(?P<m>[Mm](?:1[0-2]|[1-9]))|(?P<y>[Yy]))\s*$"
)
_QUARTER_LABELS = {3: "一季度", 6: "二季度", 9: "三季度", 12: "四季度"}


class PeriodError(ValueError):
    """A period that cannot be read: a declared period in the wrong form, or the periods file itself."""


@dataclass(frozen=True)
class Period:
    """What a report covers: January to ``end_month`` of its year, of a ``kind``, as written (``label``)."""

    kind: PeriodKind
    end_month: int
    label: str

    @property
    def quarter(self) -> int | None:
        """The quarter whose end the period reaches (1-9月 → 3, 上半年 → 2, 全年 → 4); None for 1-11月."""
        return self.end_month // 3 if self.end_month % 3 == 0 else None

    def describe(self) -> str:
        """For messages: 三季度 (quarter ending in month 9)."""
        return f"{self.label} ({self.kind.replace('_', '-')} ending in month {self.end_month})"


def fold(text: str) -> str:
    """Text as period words are matched: full-width forms folded, whitespace removed, dashes made '-'."""
    return _DASHES.sub("-", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


@dataclass(frozen=True)
class PeriodWords:
    """Every period word and month-range pattern of one periods file."""

    words: dict[str, tuple[PeriodKind, int]]  # folded word → (kind, end month)
    ranges: tuple[re.Pattern[str], ...]
    year_end_titles: tuple[str, ...]
    source: str

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str]:
        # Longest words first, so that 前三季度 is one match and not 三季度 inside it.
        alternatives = [re.escape(word) for word in sorted(self.words, key=len, reverse=True)]
        alternatives += [r.pattern.replace("(?P<end>", "(?:") for r in self.ranges]
        return re.compile("|".join(f"(?:{a})" for a in alternatives))

    def _period(self, text: str) -> Period:
        if text in self.words:
            kind, end = self.words[text]
            return Period(kind, end, text)
        for pattern in self.ranges:
            match = pattern.fullmatch(text)
            if match:
                end_text = match.group("end")
                end = int(end_text) if end_text.isdigit() else _CHINESE_MONTHS[end_text]
                return Period("months", end, text)
        raise AssertionError(f"{text!r} matched no period word")  # unreachable: text came from _pattern

    def mentioned(self, text: str) -> list[Period]:
        """Every period the text names, in reading order."""
        return [self._period(m.group(0)) for m in self._pattern.finditer(fold(text))]

    def in_title(self, title: str) -> Period | None:
        """The period a title names: its most specific period word; a year-end table (…完成情况表) with none is
        the year; None when the title names no period. PeriodError when it names two different ones."""
        found = self.mentioned(title)
        if not found:
            folded = fold(title)
            ending = next((e for e in self.year_end_titles if folded.endswith(fold(e))), None)
            return Period("year", 12, ending) if ending else None
        best = min(SPECIFICITY.index(p.kind) for p in found)
        candidates = [p for p in found if SPECIFICITY.index(p.kind) == best]
        if len({p.end_month for p in candidates}) > 1:
            names = ", ".join(p.label for p in candidates)
            raise PeriodError(f"the title names more than one period ({names})")
        return candidates[0]

    def of_header(self, header: str) -> Period | None:
        """The period a column header is entirely made of (第三季度, 1-9月份), else None (进度安排)."""
        folded = fold(header)
        match = self._pattern.fullmatch(folded)
        return self._period(folded) if match else None


def declared_period(spec: str) -> tuple[int, Period]:
    """The year and period of a declared period: 2021Q3, 2021H1, 2021M11 or 2021Y; PeriodError otherwise.

    The label is the word an office would write for it (三季度, 上半年, 1-11月, 全年).
    """
    match = _DECLARED.match(spec)
    if match is None:
        raise PeriodError(
            f"period {spec!r} is not of the form YEAR + Q1-Q4, H1, M1-M12 or Y (2021Q3, 2021H1, 2021M11, 2021Y)"
        )
    year = int(match.group("year"))
    if match.group("q"):
        end = int(match.group("q")[1]) * 3
        return year, Period("quarter", end, _QUARTER_LABELS[end])
    if match.group("h"):
        return year, Period("half_year", 6, "上半年")
    if match.group("m"):
        end = int(match.group("m")[1:])
        return year, Period("months", end, f"1-{end}月")
    return year, Period("year", 12, "全年")


def period_spec(year: int, period: Period) -> str:
    """The declared form of a period (2021Q3, 2021H1, 2021M11, 2021Y): how the CLI and messages name it."""
    if period.kind == "quarter":
        return f"{year}Q{period.end_month // 3}"
    if period.kind == "half_year":
        return f"{year}H1"
    if period.kind == "year":
        return f"{year}Y"
    return f"{year}M{period.end_month}"


# --- Reading the periods file ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def load_periods(path: Path | None = None) -> PeriodWords:
    """The period words of ``path``, or the bundled data/periods.yaml; read once per process and path."""
    source = path if path is not None else bundled_path("data", "periods.yaml")
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise PeriodError(f"cannot read the periods file {source}: {exc.strerror or exc}") from exc
    return parse_periods(text, str(source))


def parse_periods(text: str, source: str) -> PeriodWords:
    """PeriodWords from the YAML text of a periods file; PeriodError naming what is malformed."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PeriodError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("words"), list):
        raise PeriodError(f"{source}: expected a mapping with 'words', 'month_ranges' and 'year_end_titles'")
    words: dict[str, tuple[PeriodKind, int]] = {}
    for entry in data["words"]:
        kind, end = entry.get("kind"), entry.get("end_month")
        if kind not in PERIOD_KINDS or not isinstance(end, int) or not 1 <= end <= 12:
            raise PeriodError(f"{source}: entry {entry!r}: kind must be one of {', '.join(PERIOD_KINDS)}, "
                              "end_month 1-12")  # fmt: skip
        for word in entry.get("words") or []:
            folded = fold(str(word))
            if folded in words and words[folded] != (kind, end):
                raise PeriodError(f"{source}: word {word!r} names two periods")
            words[folded] = (kind, end)
    ranges = []
    for pattern in data.get("month_ranges") or []:
        compiled = re.compile(str(pattern))
        if "end" not in compiled.groupindex:
            raise PeriodError(f"{source}: month range {pattern!r} has no group 'end'")
        ranges.append(compiled)
    ends = tuple(str(e) for e in data.get("year_end_titles") or [])
    return PeriodWords(words=words, ranges=tuple(ranges), year_end_titles=ends, source=source)
