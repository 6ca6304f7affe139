"""The cell cleaning as it was before issue 16 (quadratic): the baseline of benchmarks/text_cleaning.py.

Kept only to measure against and to check, in tests/etl/normalize/test_text_linear.py, that the linear
etl.normalize.text.clean_cell gives the same text for every input. It re-joined all paragraphs so far and split them
again for every piece of a cell, and grew each paragraph by string concatenation: both quadratic in a cell of many
short lines. Nothing in the pipeline imports it.
"""

from __future__ import annotations

from etl.normalize.text import _CJK, _ITEM, _split_items, _squeeze_spaces, strip_markup


def is_cjk(ch: str) -> bool:
    """A character where Chinese typesetting puts no spaces: the library's class (the old code listed the same
    ranges as comparisons; equal on every code point when it moved here)."""
    return _CJK.fullmatch(ch) is not None


def legacy_clean_cell(raw: str) -> str:
    text = strip_markup(raw)
    pieces = [p for p in (piece.strip(" \t\u00a0\u3000") for piece in text.split("\n")) if p]
    if not pieces:
        return ""
    paragraphs: list[str] = [pieces[0]]
    for piece in pieces[1:]:
        if _legacy_starts_next_item(" ".join(paragraphs), piece):
            paragraphs.append(piece)
        else:
            paragraphs[-1] = _legacy_join_wrapped(paragraphs[-1], piece)
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(_squeeze_spaces(item) for item in _split_items(paragraph))
    return "\n".join(line for line in lines if line)


def _legacy_join_wrapped(left: str, right: str) -> str:
    if not left or not right:
        return left + right
    if is_cjk(left[-1]) or is_cjk(right[0]) or left.endswith(" ") or right.startswith(" "):
        return left + right
    if left[-1].isdigit() and (right[0].isdigit() or right[0] in "%％.．"):
        return left + right
    if left[-1] in "-－~～":  # the one rule added since (a wrap after a hyphen), so the comparison stays exact
        return left + right
    return f"{left} {right}"


def _legacy_starts_next_item(text_so_far: str, piece: str) -> bool:
    match = _ITEM.match(piece)
    if match is None:
        return False
    number = int(match.group(1))
    seen = len(_split_items(text_so_far)) if _ITEM.match(text_so_far.lstrip()) else 0
    return number == seen + 1 and (number > 1 or not text_so_far)
