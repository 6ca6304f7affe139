"""What bounded extraction (etl.extract.guarded) costs over read_source in-process, per file.

For each PDF, ``--repeat`` reads in-process (read_source) and as many through extract_guarded with a warm
child (started before timing); the per-file overhead is the difference of the medians. Starting a child (a fresh
interpreter importing the extractor) is timed separately. What the guard adds on the caller's side is measured
directly too: the time the caller waits beyond the child's own (pipe, pickling the RawReport) and PDFium's page
count in the child: it is paid once per process and after each file
that killed its child. The child's peak resident memory per file is reported as the child measures it (VmHWM,
reset before each file).

Where parsing runs: the child parses what it read when the pipeline hands it the parse step (``then``), so the
child's limits bound it; the alternative is to parse in the caller after the child read. Both are timed per file
(median), with the size of what crosses the pipe (the pickled RawReport, or the Report that holds it).

Run: ``.venv/bin/python benchmarks/guarded_overhead.py`` (writes benchmarks/results/guarded_overhead.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import pickle  # noqa: E402

from etl.extract.guarded import (  # noqa: E402
    ExtractLimits,
    ExtractorPool,
    extract_guarded,
)
from etl.extract.guarded_child import page_count  # noqa: E402
from etl.extract.source import read_source  # noqa: E402
from etl.parse.report import parse_report  # noqa: E402

FILES = [
    ROOT / "data" / "samples" / "typeset" / "2024Q3_市工信局_政府工作报告任务完成情况.pdf",
    ROOT / "tests" / "fixtures" / "reliability" / "2025Q3_市工信局_synthetic_long.pdf",
]
TEXT_DUMP = ROOT / "data" / "samples" / "2024Q3_市工信局_政府工作报告任务完成情况.txt"


def median_seconds(action: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "guarded_overhead.md")
    args = parser.parse_args(argv)
    limits = ExtractLimits()

    starts = []
    for _ in range(5):
        pool = ExtractorPool()
        started = time.perf_counter()
        pool.extract(FILES[0], limits)
        starts.append(time.perf_counter() - started)
        pool.close()

    lines = [
        "# Bounded extraction: overhead per file",
        "",
        f"Median of {args.repeat} reads each; child warm (started before timing). "
        f"Starting a child and reading the 12-page sample: median {statistics.median(starts):.3f} s "
        f"(of 5, includes the read itself).",
        "",
        "| file | pages | read_source in-process | guarded, warm child | difference | of which: pipe and pickling "
        "| page count | child peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for path in FILES:
        warm = extract_guarded(path, limits)  # warms the default pool's child
        raw, stats = warm.raw, warm.stats
        inprocess = median_seconds(lambda p=path: read_source(p), args.repeat)
        guarded = median_seconds(lambda p=path: extract_guarded(p, limits), args.repeat)
        transfer = []
        for _ in range(args.repeat):
            stats = extract_guarded(path, limits).stats
            transfer.append(stats.seconds - (stats.child_seconds or 0.0))
        counting = median_seconds(lambda p=path: page_count(p), args.repeat)
        lines.append(
            f"| {path.name} | {raw.page_count} | {inprocess * 1000:.1f} ms | {guarded * 1000:.1f} ms "
            f"| {(guarded - inprocess) * 1000:+.1f} ms | {statistics.median(transfer) * 1000:.1f} ms "
            f"| {counting * 1000:.2f} ms | {stats.peak_rss_mb:.0f} MB |"
        )
    inprocess = median_seconds(lambda: read_source(TEXT_DUMP), args.repeat)
    guarded = median_seconds(lambda: extract_guarded(TEXT_DUMP, limits), args.repeat)
    lines.append(
        f"| {TEXT_DUMP.name} (text dump, in the child since issue 16) | | {inprocess * 1000:.1f} ms "
        f"| {guarded * 1000:.1f} ms "
        f"| {(guarded - inprocess) * 1000:+.1f} ms | | | |"
    )
    lines += where_parsing_runs(limits, args.repeat)
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


def where_parsing_runs(limits: ExtractLimits, repeat: int) -> list[str]:
    """Read and parse each file: parsed in the child (the pipeline's way) or in this process after reading."""
    lines = [
        "",
        "## Where parsing runs",
        "",
        f"Median of {repeat}, warm child. In the child: extract_guarded(..., then=parse_report), the Report sent "
        "back; in the caller: extract_guarded without a step, then parse_report here.",
        "",
        "| file | parsed in the child | parsed in the caller | ratio | pickle: Report / RawReport |",
        "|---|---:|---:|---:|---:|",
    ]
    for path in [*FILES, TEXT_DUMP]:
        extracted = extract_guarded(path, limits, None, parse_report)  # warms the child and its parse import
        in_child = median_seconds(lambda p=path: extract_guarded(p, limits, None, parse_report), repeat)
        in_caller = median_seconds(lambda p=path: parse_report(extract_guarded(p, limits).raw), repeat)
        sizes = len(pickle.dumps(extracted.then)) / len(pickle.dumps(extracted.raw))
        lines.append(
            f"| {path.name} | {in_child * 1000:.1f} ms | {in_caller * 1000:.1f} ms | {in_caller / in_child:.2f}× "
            f"| {sizes:.2f} |"
        )
    return lines


if __name__ == "__main__":
    sys.exit(main())
