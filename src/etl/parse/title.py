"""Report metadata: issuer, year and period from the document's own title, or declared where the document is silent.

The title is found among the lines above the table (page chrome such as 索引号 or 发布日期 and a bulletin paragraph
may stand there too): the line nearest the table, alone or joined to the line above it (a wrapped title), that names
a year and a period or reads as a report's title. A category tag in 【】 and a label such as 附件1 are not part of it.

- issuer: the words before the year (市工信局 2024 年…, 泗洲头镇2024年度…), else the organisation named right after
  it (2021年市政府重点工作… → 市政府); format characters and spaces removed, full-width forms folded;
- year: the year before 年; a span of years is refused;
- period: the period words of data/periods.yaml (etl.periods), the most specific one (二季度 over 年度);
- declared metadata (etl.models.DeclaredMeta) fills what the title does not say, and must agree with what it says:
  a declared 绍兴市政府 agrees with a title's 市政府 (it names which city's), 2021Q3 agrees with 前三季度 (both end
  in September); otherwise the file is refused naming both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from etl.models import DeclaredMeta, ReportMeta
from etl.periods import Period, PeriodError, declared_period, load_periods, period_spec

# Page chrome around a title on a government site: breadcrumbs, index numbers, dates, counters, share buttons.
PAGE_CHROME = re.compile(
    r"^(?:当前位置|位置|首页|>|索引号|发布机构|发布日期|发布时间|成文日期|主题分类|发文字号|浏览次数|访问次数|字体|字号|"
    r"分享|信息来源|来源|文字大小|背景色|打印|关闭|【打印】|【关闭】|作者|点击数)"
)
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# A title is short; a longer line above the table is a paragraph (a bulletin's introduction).
MAX_TITLE_CHARS = 90
# A category tag in 【】 at the start of a title, and a label above the title of a circular's attachment.
_TAG = re.compile(r"^\s*【[^】]*】\s*")
_ATTACHMENT = re.compile(r"^\s*附\s*件\s*[0-9一二三四五六七八九十]*\s*[:：.、]?\s*")
_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年")
_TITLE_WORDS = re.compile(r"情况|进展|落实|完成|执行|任务|工作")
_LEADING = re.compile(r"^(?:关于|《)+")
# The organisation a title names after its year: 2021年市政府重点工作… → 市政府. Only an office's name (政府, 局, 委 …):
# a jurisdiction word there qualifies the list (2022年度市县民生实事: the city's and county's projects), it does not
# issue it.
_ISSUER_AFTER_YEAR = re.compile(
    r"^度?\s*(?P<issuer>[^《》\s\d]{1,20}?(?:人民政府|政府|管委会|委员会|局|委|办公室|办|厅))"
    r"(?=重点工作|政府工作报告|《|工作|民生|重点任务|主要任务|年度)"
)
# An issuer that ends in a year or a range mark took part of a span of years (市工信局 2023—2024 年 …).
_YEAR_IN_ISSUER = re.compile(r"(?:19|20)\d{2}|[-—–~～至到]\s*$")
# A re-issue says so at the end of its title: （修订）, (更正), 修订版 …
_REVISION = re.compile(r"[（(]\s*(修订|更正|修正|补充)\s*(?:版|稿)?\s*[)）]\s*$|(修订|更正)版\s*$")
# A jurisdiction word that makes an issuer relative to a city or county the title does not name.
_RELATIVE = ("市", "县", "区", "镇", "乡")
# How long after a period's end its report may arrive early: a year-end report is often drafted in December.
FUTURE_GRACE = timedelta(days=31)


class TitleError(ValueError):
    """The document does not say who issued the report, or for which year and period, or contradicts itself."""


@dataclass(frozen=True)
class TitleFacts:
    """What a title says: each None where it is silent."""

    title: str
    issuer: str | None
    year: int | None
    period: Period | None
    revision_label: str | None


def key_text(text: str) -> str:
    """An issuer as a key: full-width forms folded (ＡＢ区 → AB区), format characters (U+200B …) and spaces removed,
    so that an invisible character cannot make a second, identical-looking issuer."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if unicodedata.category(ch) not in ("Cf", "Cc") and not ch.isspace())


def visible_name(text: str) -> str:
    """A name (a unit, an office, a person) without format characters (U+200B, U+FEFF …) and outer spaces;
    otherwise as written."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()


def _clean_line(line: str) -> str:
    """A line as a title: format characters (U+200B …) removed, full-width digits folded, spaces collapsed, a
    category tag or attachment label dropped; punctuation stays as written (（修订）)."""
    visible = "".join(ch for ch in line if unicodedata.category(ch) != "Cf").translate(_FULL_WIDTH_DIGITS)
    return _TAG.sub("", _ATTACHMENT.sub("", re.sub(r"\s+", " ", visible))).strip()


def find_title(lines: Sequence[str]) -> str:
    """The title among the lines above a table: the nearest line, alone or joined to the line above it (a wrapped
    title), that names a year and reads as a report's title; else the nearest line that is neither page chrome nor
    a paragraph (a title without a year, which the caller refuses naming it); '' when there is none."""
    cleaned = [_clean_line(line) for line in lines]
    usable = [line if line and len(line) <= MAX_TITLE_CHARS and not PAGE_CHROME.match(line) else "" for line in cleaned]
    for i in range(len(usable) - 1, -1, -1):
        if not usable[i]:
            continue
        for candidate in (usable[i], f"{usable[i - 1]} {usable[i]}" if i > 0 and usable[i - 1] else ""):
            if candidate and _YEAR.search(candidate) and _TITLE_WORDS.search(candidate):
                return candidate
    return next((line for line in reversed(usable) if line), "")


def title_facts(title: str) -> TitleFacts:
    """Issuer, year, period and re-issue label as a title states them; TitleError for a span of years."""
    match = _YEAR.search(title)
    try:
        period = load_periods().in_title(title) if title else None
    except PeriodError as exc:
        raise TitleError(f"title {title!r}: {exc}") from exc
    revision = _REVISION.search(title)
    label = (revision.group(1) or revision.group(2)) if revision else None
    if match is None:
        return TitleFacts(title, None, None, period, label)
    before = _LEADING.sub("", title[: match.start()].strip())
    if _YEAR_IN_ISSUER.search(before):
        raise TitleError(f"title {title!r} names a span of years or more than one year before 年 (issuer would read "
                         f"{before!r}): a report is for one year")  # fmt: skip
    after = _ISSUER_AFTER_YEAR.match(title[match.end() :].lstrip())
    issuer = key_text(before) or (key_text(after.group("issuer")) if after else "")
    return TitleFacts(title, issuer or None, int(match.group("year")), period, label)


def report_meta(
    lines: Sequence[str],
    header_end_month: int | None,
    declared: DeclaredMeta | None = None,
    today: date | None = None,
) -> ReportMeta:
    """The report's metadata from the lines above its table (see the module docstring), its period column's header
    (第三季度 → 9, cross-checked) and what was declared; TitleError naming what is missing or contradicts."""
    declared = declared or DeclaredMeta()
    title = find_title(lines)
    facts = title_facts(title) if title else TitleFacts("", None, None, None, None)
    issuer = _issuer(facts, declared)
    year, period = _year_and_period(facts, declared)
    if header_end_month is not None and header_end_month != period.end_month:
        raise TitleError(
            f"the title says {period.describe()} but the period column header names a period ending in month "
            f"{header_end_month}"
        )
    _check_ended(year, period, today or date.today())
    given = tuple(name for name in ("issuer", "period") if getattr(declared, name) is not None)
    return ReportMeta(
        issuer=issuer,
        year=year,
        period_kind=period.kind,
        period_end_month=period.end_month,
        period_label=period.label if facts.period is not None else None,  # a declared period was not written
        title=facts.title or f"{issuer} {period_spec(year, period)} (declared: the document has no title)",
        revision_label=facts.revision_label,
        synthetic=declared.synthetic,
        declared=given,
    )


def _issuer(facts: TitleFacts, declared: DeclaredMeta) -> str:
    said = facts.issuer
    if declared.issuer is None:
        if said is not None:
            return said
        if not facts.title:
            raise TitleError(
                "no title above the table names issuer, year and period: declare them (etl ingest FILE --issuer "
                "绍兴市政府 --period 2021Q3, or issuer: and period: in the file's .meta.yaml sidecar)"
            )
        raise TitleError(
            f"the title {facts.title!r} does not name the issuer: declare it (etl ingest FILE --issuer <发布单位>, or "
            "issuer: in the file's .meta.yaml sidecar)"
        )
    wanted = key_text(declared.issuer)
    if said is not None and said != wanted and not (said.startswith(_RELATIVE) and wanted.endswith(said)):
        raise TitleError(f"the declared issuer {wanted!r} does not agree with the title's {said!r}")
    return wanted


def _year_and_period(facts: TitleFacts, declared: DeclaredMeta) -> tuple[int, Period]:
    if declared.period is None:
        if facts.year is None or facts.period is None:
            missing = " and ".join(w for w, v in (("year", facts.year), ("period", facts.period)) if v is None)
            raise TitleError(
                f"title {facts.title!r} does not name the {missing} (e.g. 2024 年 … 三季度, 上半年, 1-9月, 全年): "
                "declare it with --period 2024Q3 (2024H1, 2024M9, 2024Y) or period: in the file's .meta.yaml"
            )
        return facts.year, facts.period
    try:
        year, period = declared_period(declared.period)
    except PeriodError as exc:
        raise TitleError(str(exc)) from exc
    if facts.year is not None and facts.year != year:
        raise TitleError(f"the declared period {declared.period} does not agree with the title's year {facts.year}")
    if facts.period is not None:
        if facts.period.end_month != period.end_month:
            raise TitleError(
                f"the declared period {declared.period} ({period.describe()}) does not agree with the title's "
                f"{facts.period.describe()}"
            )
        return year, facts.period  # the words the document wrote
    return year, period


def _check_ended(year: int, period: Period, today: date) -> None:
    """A period that ends after today (beyond FUTURE_GRACE) is refused: its report cannot exist yet."""
    end = (
        date(year + 1, 1, 1) - timedelta(days=1)
        if period.end_month == 12
        else (date(year, period.end_month + 1, 1) - timedelta(days=1))
    )
    if end > today + FUTURE_GRACE:
        raise TitleError(
            f"the period {period_spec(year, period)} ({period.label}) ends on {end.isoformat()}, more than "
            f"{FUTURE_GRACE.days} days after today ({today.isoformat()}): a report for a period that has not ended "
            "is refused (check the title's year)"
        )
