"""Report metadata from the document's own title, e.g. 市工信局 2024 年政府工作报告任务 三季度完成情况."""

from __future__ import annotations

import re

from etl.models import ReportMeta

_QUARTER_WORDS: dict[str, int] = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_TITLE = re.compile(
    r"^\s*(?P<issuer>\S.*?)\s*(?P<year>(?:19|20)\d{2})\s*年.*?"
    r"(?:第\s*)?(?P<quarter>[一二三四1-4])\s*季度"
)
_QUARTER_HEADER = re.compile(r"第\s*([一二三四1-4])\s*季度")
# A re-issue says so at the end of its title: （修订）, (更正), 修订版 …
_REVISION = re.compile(r"[（(]\s*(修订|更正|修正|补充)\s*(?:版|稿)?\s*[)）]\s*$|(修订|更正)版\s*$")


# A label above the title of a document attached to a circular: 附件1, 附件 2：, 附件三 …
_ATTACHMENT = re.compile(r"^\s*附\s*件\s*[0-9一二三四五六七八九十]*\s*[:：.、]?\s*")
# Full-width digits (０-９), which Chinese input methods type, read as ASCII digits.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# An issuer that ends in a year or a range mark took part of a span of years (市工信局 2023—2024 年 …).
_YEAR_IN_ISSUER = re.compile(r"(?:19|20)\d{2}|[-—–~～至到]\s*$")


class TitleError(ValueError):
    """The title does not say who issued the report, or for which year and quarter."""


def quarter_from_header(header: str) -> int:
    """The quarter a column header such as 第三季度 names."""
    match = _QUARTER_HEADER.search(header.translate(_FULL_WIDTH_DIGITS))
    if match is None:
        raise TitleError(f"quarter column header {header!r} does not name a quarter (第一季度 … 第四季度)")
    return _QUARTER_WORDS[match.group(1)]


def parse_title(title: str) -> ReportMeta:
    """Issuer, year, quarter and re-issue label from a title; TitleError if any of the first three is missing."""
    clean = _ATTACHMENT.sub("", re.sub(r"\s+", " ", title).translate(_FULL_WIDTH_DIGITS)).strip()
    match = _TITLE.search(clean)
    if match is None:
        raise TitleError(
            f"title {clean!r} does not name issuer, year and quarter "
            "(expected e.g. '市工信局 2024 年政府工作报告任务 三季度完成情况')"
        )
    issuer = match.group("issuer").strip()
    if _YEAR_IN_ISSUER.search(issuer):
        raise TitleError(
            f"title {clean!r} names a span of years or more than one year before 年 (issuer would read "
            f"{issuer!r}): a quarterly report is for one year"
        )
    revision = _REVISION.search(clean)
    return ReportMeta(
        issuer=issuer,
        year=int(match.group("year")),
        quarter=_QUARTER_WORDS[match.group("quarter")],
        title=clean,
        revision_label=(revision.group(1) or revision.group(2)) if revision else None,
    )


def report_meta(title: str, quarter_header: str, header_quarter: int | None = None) -> ReportMeta:
    """Metadata from the title, cross-checked against the quarter column header (第三季度 must agree).

    ``header_quarter`` is the quarter the header names as the template read it (1-9月 → 3); without it the
    header must read 第N季度.
    """
    meta = parse_title(title)
    if header_quarter is None:
        header_quarter = quarter_from_header(quarter_header)
    if header_quarter != meta.quarter:
        raise TitleError(
            f"title says quarter {meta.quarter} but the quarter column header {quarter_header!r} "
            f"says quarter {header_quarter}"
        )
    return meta
