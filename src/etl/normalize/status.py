"""Completion status from the two status columns 已完成 (done) and 未完成 (not done)."""

from __future__ import annotations

import re

from etl.models import Status

# Check marks drawn with different glyphs all mean "yes": ✓ U+2713, ✔ U+2714, √ U+221A, ☑ U+2611.
CHECK_MARKS: frozenset[str] = frozenset("✓✔√☑●■")
# A mark in 未完成 may also be a cross.
CROSS_MARKS: frozenset[str] = frozenset("×✗✘Xx")
# Words written instead of a mark: the work is under way (正在推进 in progress, 持续推进 ongoing …).
IN_PROGRESS_WORDS: frozenset[str] = frozenset(
    {
        "正在推进",
        "持续推进",
        "推进中",
        "正在进行",
        "进行中",
        "有序推进",
        "稳步推进",
        "加快推进",
        "正在实施",
        "实施中",
    }
)
DONE_WORDS: frozenset[str] = frozenset({"已完成", "完成", "是"})
NOT_DONE_WORDS: frozenset[str] = frozenset({"未完成", "否"})


class StatusError(ValueError):
    """The two status cells do not say one recognisable thing."""


def _kind(cell: str) -> str:
    """'empty', 'mark', 'cross', 'progress', 'done_word', 'not_done_word' or 'unknown'."""
    text = re.sub(r"\s+", "", cell)
    if not text:
        return "empty"
    if all(ch in CHECK_MARKS for ch in text):
        return "mark"
    if all(ch in CROSS_MARKS for ch in text):
        return "cross"
    if text in IN_PROGRESS_WORDS:
        return "progress"
    if text in DONE_WORDS:
        return "done_word"
    if text in NOT_DONE_WORDS:
        return "not_done_word"
    return "unknown"


def status_of(done: str, not_done: str) -> tuple[Status, str]:
    """(status, status_text) of a row from its 已完成 and 未完成 cells; StatusError if unrecognised.

    status_text is the raw mark or words as written, for lineage.
    """
    done_kind, not_done_kind = _kind(done), _kind(not_done)
    # The raw mark or words, without the line breaks a narrow PDF column puts into 正在推/进.
    text = " | ".join(t for t in (re.sub(r"\s+", "", done), re.sub(r"\s+", "", not_done)) if t)
    for kind, cell, column in ((done_kind, done, "已完成"), (not_done_kind, not_done, "未完成")):
        if kind == "unknown":
            raise StatusError(f"unrecognised status {cell.strip()!r} in {column}")
    if done_kind == "empty" and not_done_kind == "empty":
        raise StatusError("no status: both 已完成 and 未完成 are empty")
    if "progress" in (done_kind, not_done_kind):
        other = not_done_kind if done_kind == "progress" else done_kind
        if other not in ("empty", "progress"):
            raise StatusError(f"contradictory status: 已完成 {done.strip()!r}, 未完成 {not_done.strip()!r}")
        return "in_progress", text
    if done_kind != "empty" and not_done_kind != "empty":
        raise StatusError(f"status in both columns: 已完成 {done.strip()!r}, 未完成 {not_done.strip()!r}")
    if done_kind in ("mark", "done_word"):
        return "completed", text
    if not_done_kind in ("mark", "cross", "not_done_word"):
        return "not_completed", text
    raise StatusError(f"status mark in the wrong column: 已完成 {done.strip()!r}, 未完成 {not_done.strip()!r}")
