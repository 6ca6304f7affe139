"""A task's status from the marks and words a table writes (data/statuses.yaml).

Two forms: two mark columns 已完成 (done) / 未完成 (not done), where a mark in one of them says which and a word
(正在推进, 滞后 …) may stand in either; or one status column of words or marks (完成情况: 已完成, 序时推进, ✓ …).
Every mark or word maps to one status of etl.vocabulary.Status; anything else is an error naming what was found,
so a word never lands in the warehouse as a guess.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from etl.resources import bundled_path
from etl.vocabulary import STATUSES, Status

# Which statuses a word may stand for in either of two mark columns: the graded words say the status themselves.
_EITHER_COLUMN: frozenset[Status] = frozenset(
    {"in_progress", "on_schedule", "ahead_of_schedule", "behind_schedule", "not_started"}
)


class StatusError(ValueError):
    """The status cells do not say one recognisable thing."""


@dataclass(frozen=True)
class StatusWords:
    """The marks and words of one statuses file."""

    check_marks: frozenset[str]
    cross_marks: frozenset[str]
    words: dict[str, Status]  # word (spaces removed) → status
    source: str

    def kind(self, cell: str) -> tuple[str, Status | None]:
        """What one cell holds: ('empty' | 'check' | 'cross' | 'word' | 'unknown', the word's status)."""
        text = _word(cell)
        if not text:
            return "empty", None
        if all(ch in self.check_marks for ch in text):
            return "check", None
        if all(ch in self.cross_marks for ch in text):
            return "cross", None
        if text in self.words:
            return "word", self.words[text]
        return "unknown", None


def _word(cell: str) -> str:
    """A cell as its words are matched: whitespace removed (正在推/进 wraps), a trailing full stop dropped."""
    return re.sub(r"\s+", "", cell).rstrip("。.")


def status_of(done: str, not_done: str, words: StatusWords | None = None) -> tuple[Status, str]:
    """(status, status_text) of a row from its 已完成 and 未完成 cells; StatusError if unrecognised.

    status_text is the mark or words as written, for lineage.
    """
    words = words or load_statuses()
    (done_kind, done_word), (not_kind, not_word) = words.kind(done), words.kind(not_done)
    text = " | ".join(t for t in (re.sub(r"\s+", "", done), re.sub(r"\s+", "", not_done)) if t)
    for kind, cell, column in ((done_kind, done, "已完成"), (not_kind, not_done, "未完成")):
        if kind == "unknown":
            raise StatusError(f"unrecognised status {cell.strip()!r} in {column} (the words are in {words.source})")
    if done_kind == "empty" and not_kind == "empty":
        raise StatusError("no status: both 已完成 and 未完成 are empty")
    graded = [w for w in (done_word, not_word) if w in _EITHER_COLUMN]
    if graded:
        others = [k for k, w in ((done_kind, done_word), (not_kind, not_word)) if k != "empty" and w not in graded]
        if others or len(set(graded)) > 1:
            raise StatusError(f"contradictory status: 已完成 {done.strip()!r}, 未完成 {not_done.strip()!r}")
        return graded[0], text
    if done_kind != "empty" and not_kind != "empty":
        raise StatusError(f"status in both columns: 已完成 {done.strip()!r}, 未完成 {not_done.strip()!r}")
    if done_kind == "check" or done_word == "completed":
        return "completed", text
    if not_kind in ("check", "cross") or not_word == "not_completed":
        return "not_completed", text
    raise StatusError(f"status mark in the wrong column: 已完成 {done.strip()!r}, 未完成 {not_done.strip()!r}")


def status_of_word(cell: str, words: StatusWords | None = None) -> tuple[Status, str]:
    """(status, status_text) of one status column's cell: a word of data/statuses.yaml, a check mark (done) or a
    cross (not done); StatusError naming the word otherwise, or when the cell is empty."""
    words = words or load_statuses()
    kind, status = words.kind(cell)
    text = re.sub(r"\s+", "", cell)
    if kind == "empty":
        raise StatusError("no status: the status column is empty")
    if kind == "unknown":
        raise StatusError(
            f"unrecognised status word {cell.strip()!r}: add it under its status in {words.source} if it is one"
        )
    if kind == "check":
        return "completed", text
    if kind == "cross":
        return "not_completed", text
    assert status is not None
    return status, text


# --- Reading the statuses file ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def load_statuses(path: Path | None = None) -> StatusWords:
    """The marks and words of ``path``, or the bundled data/statuses.yaml; read once per process and path."""
    source = path if path is not None else bundled_path("data", "statuses.yaml")
    return parse_statuses(source.read_text(encoding="utf-8"), "data/statuses.yaml" if path is None else str(path))


def parse_statuses(text: str, source: str) -> StatusWords:
    """StatusWords from the YAML text of a statuses file; StatusError naming what is malformed."""
    data: Any = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("words"), dict):
        raise StatusError(f"{source}: expected a mapping with 'marks' and 'words'")
    marks = data.get("marks") or {}
    out: dict[str, Status] = {}
    for status, entries in data["words"].items():
        if status not in STATUSES:
            raise StatusError(f"{source}: unknown status {status!r}; statuses are {', '.join(STATUSES)}")
        for entry in entries or []:
            word = _word(str(entry))
            if word in out and out[word] != status:
                raise StatusError(f"{source}: word {entry!r} is under both {out[word]} and {status}")
            out[word] = status
    return StatusWords(
        check_marks=frozenset("".join(str(m) for m in marks.get("check") or [])),
        cross_marks=frozenset("".join(str(m) for m in marks.get("cross") or [])),
        words=out,
        source=source,
    )
