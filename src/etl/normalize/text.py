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
_WHITESPACE = re.compile(r"[ \t\u00a0\u3000\r\f\v]+")
# An item marker: one or two digits and a full stop, not the start of a decimal (5.2个百分点).
_ITEM = re.compile(r"(?<![0-9.])(\d{1,2})[.．](?![0-9])")


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs and full-width punctuation, where Chinese typesetting puts no spaces."""
    code = ord(ch)
    return (
        0x3000 <= code <= 0x303F  # CJK punctuation 。、「」【】
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms （），：；
        or 0x2018 <= code <= 0x201F  # “ ” ‘ ’ as used in Chinese text
        or 0x2014 <= code <= 0x2026  # — …
        or code == 0x00B7
    )


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
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == " ":
            before, after = text[i - 1], text[i + 1]
            if is_cjk(before) or is_cjk(after):
                continue
        out.append(ch)
    return "".join(out)


def _join_wrapped(left: str, right: str) -> str:
    """Join two pieces of one paragraph that a line wrap separated."""
    if not left or not right:
        return left + right
    if is_cjk(left[-1]) or is_cjk(right[0]) or left.endswith(" ") or right.startswith(" "):
        return left + right
    if left[-1].isdigit() and (right[0].isdigit() or right[0] in "%％.．"):
        return left + right  # a wrap inside a figure: 1316\n.79亿元, 15\n%
    return f"{left} {right}"


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


def clean_cell(raw: str) -> str:
    """The canonical text of one cell: markup removed, items one per line, whitespace normalized."""
    text = strip_markup(raw)
    pieces = [p for p in (piece.strip(" \t\u00a0\u3000") for piece in text.split("\n")) if p]
    if not pieces:
        return ""
    # Re-join the pieces: a piece that starts the next numbered item begins a new line, others are wraps.
    paragraphs: list[str] = [pieces[0]]
    for piece in pieces[1:]:
        if _starts_next_item(" ".join(paragraphs), piece):
            paragraphs.append(piece)
        else:
            paragraphs[-1] = _join_wrapped(paragraphs[-1], piece)
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(_squeeze_spaces(item) for item in _split_items(paragraph))
    return "\n".join(line for line in lines if line)


def _starts_next_item(text_so_far: str, piece: str) -> bool:
    """Does ``piece`` open the numbered item that follows those already in ``text_so_far``?"""
    match = _ITEM.match(piece)
    if match is None:
        return False
    number = int(match.group(1))
    seen = len(_split_items(text_so_far)) if _ITEM.match(text_so_far.lstrip()) else 0
    return number == seen + 1 and (number > 1 or not text_so_far)


def comparable(text: str) -> str:
    """Text with all whitespace removed: for whitespace-insensitive comparisons."""
    return re.sub(r"\s+", "", text)
