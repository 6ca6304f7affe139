"""Canonical cell text, identical whether a cell came from the text dump or from a PDF.

The canonical form (documented in README, "Text normalization"):
- HTML fragments left by an earlier conversion (``<p>``, ``</p>``, ``<br>``, entities) are removed;
- numbered items (``1.`` ``2.`` … in sequence) each start a new line, whether they ran on one line in the
  source or were separate paragraphs;
- every other line break is a soft wrap and is joined: with no space when either side is CJK text or
  punctuation (a PDF wraps 正在推/进 mid-word), with one space between two Latin letters or digits;
- runs of whitespace become one space, and a space beside a CJK character or full-width punctuation is
  dropped (``200 家`` → ``200家``, ``7 月 4 日`` → ``7月4日``). The source is inconsistent about these spaces and
  a PDF loses them at line ends, so keeping them would make the same report differ by layout.
Nothing else changes: half-width punctuation, English words (主流 media) and figures stay as written.
The raw cell text is kept in the warehouse's raw layer.
"""

from __future__ import annotations

import html
import itertools
import re

_TAG = re.compile(r"<\s*(/?)\s*(p|br|div|span)\b[^>]*>", re.IGNORECASE)
# Every space character (Unicode Zs): the ideographic space U+3000 and NBSP, but also the thin, narrow and other
# typographic spaces a word processor puts between characters; each is a space, so that an office or unit name
# written with one (中小\u2009办) is the same name as without it.
SPACES = " \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
_WHITESPACE = re.compile(f"[\t\r\f\v{SPACES}]+")
# An item marker: one or two digits and a full stop, not the start of a decimal (5.2个百分点).
_ITEM = re.compile(r"(?<![0-9.])(\d{1,2})[.．](?![0-9])")


# The CJK ideographs: extension A, the unified block, compatibility ideographs (not the Yijing symbols between).
_IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ALL_IDEOGRAPHS = re.compile(f"[{_IDEOGRAPHS}]*")
# CJK ideographs and full-width punctuation, where Chinese typesetting puts no spaces: CJK punctuation 。、「」【】
# (U+3000-303F), the ideographs, full-width forms （），：；, “ ” ‘ ’ as used in Chinese text, — … and ·. A space
# beside one of them is dropped.
_CJK_CLASS = f"\u3000-\u303f{_IDEOGRAPHS}\uff00-\uffef\u2018-\u201f\u2014-\u2026\u00b7"
_CJK = re.compile(f"[{_CJK_CLASS}]")
_SPACE_BY_CJK = re.compile(f"(?<=[{_CJK_CLASS}]) | (?=[{_CJK_CLASS}])")


def is_ideographic(text: str) -> bool:
    """Whether every character of ``text`` is a CJK ideograph (true of ""): Chinese characters, no punctuation."""
    return _ALL_IDEOGRAPHS.fullmatch(text) is not None


def strip_markup(text: str) -> str:
    """Remove HTML tags, turning paragraph and line-break tags into newlines, and unescape entities."""

    def replace(match: re.Match[str]) -> str:
        closing, tag = match.group(1), match.group(2).lower()
        if tag == "br" or (tag in {"p", "div"} and closing):
            return "\n"
        return ""

    return html.unescape(_TAG.sub(replace, text))


def _squeeze_spaces(text: str) -> str:
    """Collapse whitespace, dropping spaces that touch CJK characters."""
    text = _WHITESPACE.sub(" ", text).strip()
    if " " not in text:
        return text
    return _SPACE_BY_CJK.sub("", text)


def _split_items(text: str) -> list[str]:
    """Split one paragraph before each numbered item that continues the sequence 1., 2., 3. …

    Only a marker at the very start or after whitespace or sentence-ending punctuation counts, and only the
    next expected number, so figures such as 2.5% or 第3.1节 never split a line.
    """
    starts: list[int] = []
    expected = 1
    for match in _ITEM.finditer(text):
        pos = match.start()
        if int(match.group(1)) != expected:
            continue
        if pos > 0 and not (text[pos - 1].isspace() or text[pos - 1] in "。；;！!？?\n"):
            continue
        starts.append(pos)
        expected += 1
    if len(starts) < 2 and not (starts and starts[0] == 0):
        return [text]
    cuts = [0, *[s for s in starts if s > 0], len(text)]
    return [text[a:b] for a, b in itertools.pairwise(cuts) if text[a:b].strip()]


# Line separators other than "\n" that mean a line break inside a cell: Word's manual line break (U+000B, \v) and
# the Unicode line and paragraph separators; a text dump splits its rows on "\n" only, so these stay in the cell.
_CELL_LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\x0b": "\n", "\x85": "\n"})


def clean_cell(raw: str) -> str:
    """The canonical text of one cell: markup removed, items one per line, whitespace normalized.

    Linear in the cell's length: the pieces of a paragraph are collected in a list and joined once, and whether a
    piece opens the next numbered item is answered by an _ItemScan fed the text as it grows, instead of splitting
    all the text so far again for every piece (which made a cell of many short lines quadratic).
    """
    text = strip_markup(raw).translate(_CELL_LINE_BREAKS)
    pieces = [p for p in (piece.strip("\t" + SPACES) for piece in text.split("\n")) if p]
    if not pieces:
        return ""
    # Re-join the pieces: a piece that starts the next numbered item begins a new line, others are wraps.
    paragraphs: list[list[str]] = [[pieces[0]]]
    scan = _ItemScan()
    scan.feed(pieces[0])
    for piece in pieces[1:]:
        if _opens_next_item(scan, piece):
            paragraphs.append([piece])
            scan.feed(" " + piece)  # the paragraphs so far read as one text joined with spaces
        else:
            joined = _wrap_separator(paragraphs[-1][-1][-1], piece[0]) + piece
            paragraphs[-1].append(joined)
            scan.feed(joined)
    lines: list[str] = []
    for chunks in paragraphs:
        lines.extend(_squeeze_spaces(item) for item in _split_items("".join(chunks)))
    return "\n".join(line for line in lines if line)


def _wrap_separator(last: str, first: str) -> str:
    """What joins two pieces of one paragraph that a line wrap separated, by the characters either side of it:
    nothing when either is CJK text or punctuation (正在推/进), a space between two Latin letters or digits."""
    if _CJK.match(last) or _CJK.match(first) or last == " " or first == " ":
        return ""
    if last.isdigit() and (first.isdigit() or first in "%％.．"):
        return ""  # a wrap inside a figure: 1316\n.79亿元, 15\n%
    if last in "-－~～":
        return ""  # a wrap after a hyphen or range dash: 1-\n8月份 (writers break lines after a hyphen)
    return " "


def _opens_next_item(scan: _ItemScan, piece: str) -> bool:
    """Does ``piece`` open the numbered item that follows those already in the text ``scan`` was fed?"""
    match = _ITEM.match(piece)
    if match is None:
        return False
    number = int(match.group(1))
    return number > 1 and number == scan.items() + 1


class _ItemScan:
    """How many pieces _split_items would cut a text into, kept up to date as the text grows at its end.

    It finds the same item markers as _split_items (the next number of the sequence 1., 2., … at the start or after
    whitespace or sentence-ending punctuation) in one pass over the text. A marker near the end may still change
    when more text arrives (``2.`` followed by ``5`` is the decimal 2.5), so the last three characters are only
    looked at, not passed: the scan resumes there on the next feed; ``items()`` reads them as the end of the text.
    """

    _PUNCTUATION = "。；;！!？?\n"
    _LOOKAHEAD = 3  # a marker is at most 3 characters (12.) and looks one further

    def __init__(self) -> None:
        self._expected = 1  # the next number of the sequence
        self._starts = 0  # markers found before the resume point
        self._first_start: int | None = None  # where the first marker starts
        self._first_text: int | None = None  # where the first non-whitespace character is
        self._head = ""  # the first characters of the text from its first non-whitespace character
        self._length = 0
        self._tail = ""  # the text from one character before the resume point (its lookbehind) to the end
        self._tail_start = 0  # where _tail starts in the text
        self._resume = 0  # where scanning resumes
        self._pending: list[str] = []  # text fed since the last scan

    def feed(self, more: str) -> None:
        """Append text; it is scanned when items() is next asked (one pass over all that came meanwhile)."""
        self._pending.append(more)

    def _scan_pending(self) -> None:
        if not self._pending:
            return
        more = "".join(self._pending)
        self._pending.clear()
        if self._first_text is None:
            stripped = more.lstrip()
            if stripped:
                self._first_text = self._length + len(more) - len(stripped)
                self._head = stripped[: self._LOOKAHEAD + 1]
        elif len(self._head) <= self._LOOKAHEAD:
            self._head += more[: self._LOOKAHEAD + 1 - len(self._head)]
        self._length += len(more)
        self._tail += more
        position = self._resume - self._tail_start
        for match in _ITEM.finditer(self._tail, position):
            if match.end() >= len(self._tail):
                break  # the character after it decides, and it has not arrived yet
            self._count(match)
            position = match.end()
        position = max(position, len(self._tail) - self._LOOKAHEAD)
        keep = max(position - 1, 0)  # one character of lookbehind for the next scan
        self._resume = self._tail_start + position
        self._tail = self._tail[keep:]
        self._tail_start += keep

    def _count(self, match: re.Match[str]) -> bool:
        at = match.start()
        if int(match.group(1)) != self._expected:
            return False
        where = self._tail_start + at
        if where > 0 and not (self._tail[at - 1].isspace() or self._tail[at - 1] in self._PUNCTUATION):
            return False
        self._starts += 1
        self._expected += 1
        if self._first_start is None:
            self._first_start = where
        return True

    def items(self) -> int:
        """len(_split_items(text)) for a text that starts with an item marker (after whitespace), else 0."""
        self._scan_pending()
        if not self._head or _ITEM.match(self._head) is None:
            return 0
        starts, first, expected = self._starts, self._first_start, self._expected
        for match in _ITEM.finditer(self._tail, self._resume - self._tail_start):
            at = match.start()
            where = self._tail_start + at
            if int(match.group(1)) != expected:
                continue
            if where > 0 and not (self._tail[at - 1].isspace() or self._tail[at - 1] in self._PUNCTUATION):
                continue
            starts += 1
            expected += 1
            first = where if first is None else first
        if starts < 2 and first != 0:
            return 1
        assert first is not None and self._first_text is not None
        return starts + (1 if first > self._first_text else 0)
