"""The report table's header: recognising it and checking its columns, shared by every input format."""

from __future__ import annotations

import re

# What each column's header must read once its header lines are joined column by column (whitespace removed).
# 季度类别 (row kind) may be split over two lines (季度 / 类别); 完成情况 spans 已完成 / 未完成.
EXPECTED_HEADER: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("序号", re.compile(r"^序号$")),
    ("目标任务", re.compile(r"^目标任务$")),
    ("责任分工", re.compile(r"^责任分工$")),
    ("监督方式", re.compile(r"^监督方式$")),
    ("季度类别", re.compile(r"^季度类别$")),
    ("第N季度", re.compile(r"^第[一二三四1-4]季度$")),
    ("完成情况/已完成", re.compile(r"^(完成情况)?已完成$")),
    ("未完成", re.compile(r"^未完成$")),
    ("落实情况", re.compile(r"^落实情况$")),
)
EXPECTED_LABELS: tuple[str, ...] = tuple(label for label, _ in EXPECTED_HEADER)


def merge_header_lines(lines: list[list[str]]) -> list[str]:
    """Join multi-line header cells column by column: [季度, 类别] → 季度类别."""
    width = max(len(line) for line in lines)
    merged = []
    for i in range(width):
        merged.append("".join(re.sub(r"\s+", "", line[i]) for line in lines if i < len(line)))
    return merged


def header_mismatch(merged: list[str]) -> str | None:
    """None when the merged header is this report's header, else a message naming found and expected columns."""
    ok = len(merged) == len(EXPECTED_HEADER) and all(
        pattern.match(cell) for cell, (_, pattern) in zip(merged, EXPECTED_HEADER, strict=False)
    )
    if ok:
        return None
    return (
        "the table is not a task-completion report table: found columns "
        f"[{', '.join(merged)}], expected [{', '.join(EXPECTED_LABELS)}]"
    )


def is_header_start(first_cell: str) -> bool:
    return re.sub(r"\s+", "", first_cell) == "序号"
