"""Cell cleaning (etl.normalize.text.clean_cell) is linear in the cell's length: issue 16, defect 7.

The cleaning before issue 16 (benchmarks/_legacy_text.py) re-split all the text so far for every line of a cell:
a cell of repeated ``1.推进<br>`` took 9.8 s at 40 KB and 159 s at 160 KB. This measures, in the same run:

- the old and the new cleaning side by side on small cells (the old one cannot run on large ones), as a ratio of
  medians;
- the new cleaning alone on cells of 10 KB to 1 MB of several shapes (the target: a 1 MB cell in under 1 s), with
  seconds per MB, which stays flat when the cost is linear.

Run: ``.venv/bin/python benchmarks/text_cleaning.py [--repeat 5]`` (writes benchmarks/results/text_cleaning.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "benchmarks")]

from _common import header, load_average, target_table, write_result  # noqa: E402
from _legacy_text import legacy_clean_cell  # noqa: E402

from etl.normalize.text import clean_cell  # noqa: E402

KB = 1000
# Cell shapes: the repeated item, lines of Latin text (every line a soft wrap), items in sequence, and
# a real-looking run of numbered items with prose.
SHAPES: dict[str, str] = {
    "1.推进<br> repeated": "1.推进<br>",
    "short Latin lines": "ab\n",
    "CJK lines": "推进工作\n",
    "numbered items in sequence": "",  # built by _items
}


def _items(size: int) -> str:
    parts, number, total = [], 1, 0
    while total < size:
        part = f"{number}.推进项目建设，加快进度。\n"
        parts.append(part)
        total += len(part.encode())
        number = number % 99 + 1
    return "".join(parts)


def cell(shape: str, size: int) -> str:
    """A cell of about ``size`` bytes (UTF-8) of the given shape."""
    unit = SHAPES[shape]
    if not unit:
        return _items(size)
    return unit * (size // len(unit.encode()) + 1)


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    started_load = load_average()
    lines = header(
        "Cell cleaning: linear in the cell's length",
        [f".venv/bin/python benchmarks/text_cleaning.py --repeat {args.repeat}"],
        started_load,
    )
    lines += [
        f"## Old against new, side by side (median of {args.repeat})",
        "",
        "| cell | size | old (before issue 16) | new | old / new |",
        "|---|---:|---:|---:|---:|",
    ]
    for shape in ("1.推进<br> repeated", "short Latin lines"):
        for size in (5 * KB, 10 * KB, 20 * KB):
            text = cell(shape, size)
            assert clean_cell(text) == legacy_clean_cell(text)
            old = median_seconds(partial(legacy_clean_cell, text), args.repeat)
            new = median_seconds(partial(clean_cell, text), args.repeat)
            lines.append(f"| {shape} | {size // KB} KB | {old:.3f} s | {new * 1000:.1f} ms | {old / new:.0f}× |")
    lines += [
        "",
        f"## New alone, up to 1 MB (median of {args.repeat}); target: a 1 MB cell in under 1 s",
        "",
        "| cell | size | seconds | seconds per MB |",
        "|---|---:|---:|---:|",
    ]
    largest: dict[str, float] = {}
    for shape in SHAPES:
        for size in (10 * KB, 100 * KB, 1000 * KB):
            text = cell(shape, size)
            seconds = median_seconds(partial(clean_cell, text), args.repeat)
            lines.append(f"| {shape} | {size // KB} KB | {seconds:.3f} s | {seconds / (size / 1e6):.3f} |")
            largest[shape] = seconds
    lines += ["", f"Load average at the end: {load_average()}."]
    slowest = max(largest, key=largest.__getitem__)
    lines += target_table([
        ("a 1 MB cell cleaned in < 1 s (the slowest shape)", f"{largest[slowest]:.3f} s ({slowest})",
         largest[slowest] < 1),
    ])  # fmt: skip
    write_result("text_cleaning.md", lines)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
