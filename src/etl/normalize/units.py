"""Responsible units (责任分工): split the concatenated unit names and take the internal office from 【】.

The bureau writes units one after another without separators, sometimes with spaces:
市经济和信息化局市招商中心市科技局【局招商组】 is three units and the office 局招商组;
市经济和信息化局市财政局(市国资委)【中小办】 is two units, the second with its alias in brackets.
A unit ends with an organisation suffix (局, 委, 中心, 管委会, 政府 …) optionally followed by an alias in
brackets; names that do not end that way (安庆石化, a company) are listed in KNOWN_UNITS.
"""

from __future__ import annotations

import re

# Organisations that appear in reports but do not end with a government suffix.
KNOWN_UNITS: tuple[str, ...] = ("安庆石化", "市政府办公室")
# How a unit name ends. A candidate end only counts where the next unit visibly begins (see UNIT_STARTS),
# so 市委宣传部 stays one unit although 市委 ends with 委.
SUFFIXES: tuple[str, ...] = (
    "领导小组",
    "工作专班",
    "管委会",
    "委员会",
    "办公室",
    "政府",
    "中心",
    "集团",
    "公司",
    "银行",
    "大学",
    "小组",
    "专班",
    "街道",
    "协会",
    "局",
    "委",
    "厅",
    "院",
    "部",
    "办",
    "室",
    "所",
    "站",
    "队",
    "会",
    "社",
)
# How a unit name begins: a jurisdiction (市 city, 省 province, 县/区 county/district), 相关/各 (the relevant …).
UNIT_STARTS: tuple[str, ...] = (
    "市",
    "省",
    "县",
    "区",
    "镇",
    "乡",
    "街道",
    "安庆",
    "相关",
    "各",
    "国家",
    "国网",
    "中国",
    *KNOWN_UNITS,
)
_OFFICE = re.compile(r"【\s*([^】]*?)\s*】")
# What separates names in a cell: line breaks, spaces, 、 and commas — not inside brackets, where 相关县(市、区)政府
# lists the districts of one unit.
_SEPARATORS = frozenset(" \t\n、，,；;/")
_OPEN, _CLOSE = "(（[［", ")）]］"
_ALIAS = re.compile(r"[（(][^()（）]*[)）]")


class UnitsError(ValueError):
    """Text in 责任分工 that is not a sequence of unit names."""


def split_responsible(cell: str) -> tuple[tuple[str, ...], str | None]:
    """(units, lead_office) from a 责任分工 cell; the office is the text in 【】, or None.

    Names are separated however the cell separates them (line breaks, spaces, 、) or run together as in the
    bureau's report, where each name ends in an organisation suffix and the next begins with a jurisdiction.
    """
    offices = _OFFICE.findall(cell)
    if len(offices) > 1:
        raise UnitsError(f"more than one office in 【】: {', '.join(offices)}")
    lead_office = offices[0] if offices and offices[0] else None
    units: list[str] = []
    for chunk in split_names(_OFFICE.sub(" ", cell)):
        units.extend(_split_chunk(chunk))
    return tuple(units), lead_office


def split_names(cell: str) -> list[str]:
    """The names of a cell split at its separators (line breaks, spaces, 、, commas) outside brackets."""
    names: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in cell:
        depth += (ch in _OPEN) - (ch in _CLOSE)
        if (ch in _SEPARATORS or ch.isspace()) and depth <= 0:
            names.append("".join(current))
            current = []
        else:
            current.append(ch)
    names.append("".join(current))
    return [name for name in names if name]


def split_people(cell: str) -> tuple[str, ...]:
    """The people of a 责任领导 / 责任人 cell, split at its separators (names are kept as written)."""
    return tuple(split_names(cell))


def _unit_end(chunk: str, pos: int) -> int:
    """End of the unit that starts at ``pos``: the first suffix end after which a new unit begins."""
    for known in KNOWN_UNITS:
        if chunk.startswith(known, pos) and _next_unit_begins(chunk, pos + len(known)):
            return pos + len(known)
    for end in range(pos + 1, len(chunk) + 1):
        if not any(chunk.endswith(suffix, pos, end) for suffix in SUFFIXES):
            continue
        alias = _ALIAS.match(chunk, end)
        candidate = alias.end() if alias else end
        if _next_unit_begins(chunk, candidate):
            return candidate
    raise UnitsError(f"cannot tell where the unit name {chunk[pos:]!r} ends (no known suffix)")


def _next_unit_begins(chunk: str, pos: int) -> bool:
    return pos == len(chunk) or chunk.startswith(UNIT_STARTS, pos)


def _split_chunk(chunk: str) -> list[str]:
    """A chunk's run-together unit names; a chunk with no suffix inside it is one name as written (a town's
    白仙山水库工程政策处理工作领导小组 ends in 小组, a team's name may end in no suffix at all)."""
    if not any(chunk.find(suffix, 0, len(chunk) - 1) >= 0 for suffix in SUFFIXES):
        return [chunk]
    units: list[str] = []
    pos = 0
    while pos < len(chunk):
        end = _unit_end(chunk, pos)
        units.append(chunk[pos:end])
        pos = end
    return units
