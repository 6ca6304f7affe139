"""Responsible units (责任分工): split the concatenated unit names and take the internal office from 【】.

The bureau writes units one after another without separators, sometimes with spaces:
市经济和信息化局市招商中心市科技局【局招商组】 is three units and the office 局招商组;
市经济和信息化局市财政局(市国资委)【中小办】 is two units, the second with its alias in brackets.
A unit ends with an organisation suffix (局, 委, 中心, 管委会, 政府 …) optionally followed by an alias in
brackets; names that do not end that way (安庆石化, a company) are listed in KNOWN_UNITS.
"""

from __future__ import annotations

import re

from etl.normalize.text import clean_cell, is_ideographic

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
    return _split_outside_brackets(cell, _SEPARATORS, at_spaces=True)


def split_people(cell: str) -> tuple[str, ...]:
    """The people of a 责任领导 / 责任人 cell (its text before clean_cell, which drops the spaces between them).

    、，,；;/ separate people. A space or line break separates them too, except inside a name: a lone CJK
    character is never a whole person's name, so it belongs to its neighbour — 王　伟 (a two-character name padded
    to the width of three, common in Chinese documents) is 王伟, 欧乾/震 (a three-character name wrapped in a
    two-character column, as 泗洲头镇's 责任领导) is 欧乾震. Each name is then cleaned as any cell.
    """
    people: list[str] = []
    for group in _split_outside_brackets(cell, _SEPARATORS - {" ", "\t", "\n"}, at_spaces=False):
        words = _split_outside_brackets(group, frozenset(), at_spaces=True)
        people.extend(clean_cell(name) for name in _join_lone_characters(words))
    return tuple(name for name in people if name)


def _split_outside_brackets(text: str, separators: frozenset[str], *, at_spaces: bool) -> list[str]:
    """``text`` split at ``separators`` (and at every white space character if ``at_spaces``) outside brackets;
    no empty parts."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        depth += (ch in _OPEN) - (ch in _CLOSE)
        if (ch in separators or (at_spaces and ch.isspace())) and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [part for part in parts if part]


def _join_lone_characters(words: list[str]) -> list[str]:
    """Whole names from the space-separated words of one cell: a run of two or three lone CJK characters is one
    name (王 伟, 王 小 伟); a longer run is read as two-character names (王 伟 李 强: a list of padded names);
    a single lone character joins the word before it, or else the one after it, where the two make at most
    three characters (欧乾 震, 王 小伟). Anything else is a name of its own."""
    lone = [len(word) == 1 and is_ideographic(word) for word in words]
    names: list[str] = []
    i = 0
    while i < len(words):
        run = i
        while run < len(words) and lone[run]:
            run += 1
        count = run - i
        if count >= 2:
            chars = words[i:run]
            if count <= 3:
                names.append("".join(chars))
            else:
                pairs = ["".join(chars[k : k + 2]) for k in range(0, count - count % 2, 2)]
                if count % 2:
                    pairs[-1] += chars[-1]
                names.extend(pairs)
            i = run
            continue
        word = words[i]
        if count == 1:
            before = names[-1] if names and i > 0 and not lone[i - 1] else None
            after = words[i + 1] if i + 1 < len(words) else None
            if before is not None and is_ideographic(before) and len(before) <= 2:
                names[-1] = before + word
                i += 1
                continue
            if after is not None and is_ideographic(after) and len(after) <= 2:
                names.append(word + after)
                i += 2
                continue
        names.append(word)
        i += 1
    return names


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
