"""What the checks against damaged and mixed-up input (issue 16) cost per file, side by side with reading without them.

- the stream check (etl.extract.pdf_damage.check_streams: every Flate stream inflated once, output discarded) and the
  page-sequence check, against read_pdf with both replaced by no-ops, in the same run (median of ``--repeat``);
- the parse step the extraction child runs after reading (the step the pipeline hands it): parse_report's time on
  the same files, which the caller's own parse repeats.

Run: ``.venv/bin/python benchmarks/damage_checks.py [--repeat 5]`` (writes benchmarks/results/damage_checks.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "benchmarks")]

from _common import header, load_average, write_result  # noqa: E402

from etl.extract import page_order, pdf, pdf_damage  # noqa: E402
from etl.parse.report import parse_report  # noqa: E402

FILES = [
    ROOT / "data" / "samples" / "typeset" / "2024Q3_市工信局_政府工作报告任务完成情况.pdf",
    ROOT / "tests" / "fixtures" / "reliability" / "2025Q3_市工信局_synthetic_long.pdf",
]


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _unchecked(path: Path) -> object:
    """read_pdf with the issue-16 checks replaced by no-ops (the stream check and the page-sequence check)."""
    # read_pdf looks the checks up in its own module's namespace, where pdf.py imported them

    def no_sequence_check(file_name: str, tables: Sequence[Any], *args: Any, **kwargs: Any) -> list[Any]:
        return list(tables)

    def no_stream_check(data: bytes, file_name: str) -> None:
        return None

    setattr(pdf, "check_streams", no_stream_check)  # noqa: B010  # not an attribute pdf.py exports
    setattr(pdf, "check_page_sequence", no_sequence_check)  # noqa: B010
    try:
        return pdf.read_pdf(path)
    finally:
        setattr(pdf, "check_streams", pdf_damage.check_streams)  # noqa: B010
        setattr(pdf, "check_page_sequence", page_order.check_page_sequence)  # noqa: B010


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    lines = header(
        "Checks against damaged input: cost per file",
        [f".venv/bin/python benchmarks/damage_checks.py --repeat {args.repeat}"],
        load_average(),
    )
    lines += [
        f"Median of {args.repeat}, alternating runs with and without the checks.",
        "",
        "| file | read_pdf without the checks | with them | ratio | stream check alone | parse step (run twice) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for path in FILES:
        data = path.read_bytes()
        raw = pdf.read_pdf(path)
        without, with_checks = [], []
        for _ in range(args.repeat):
            without.append(median_seconds(partial(_unchecked, path), 1))
            with_checks.append(median_seconds(partial(pdf.read_pdf, path), 1))
        streams = median_seconds(partial(pdf_damage.check_streams, data, path.name), args.repeat)
        parsing = median_seconds(partial(parse_report, raw), args.repeat)
        a, b = statistics.median(without), statistics.median(with_checks)
        lines.append(
            f"| {path.name} | {a:.3f} s | {b:.3f} s | {b / a:.2f}× | {streams * 1000:.0f} ms "
            f"| {parsing * 1000:.0f} ms |"
        )
    lines += ["", f"Load average at the end: {load_average()}."]
    write_result("damage_checks.md", lines)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
