"""Query latency on a generated 10-year × 40-issuer × 4-quarter warehouse (1,600 synthetic reports).

The warehouse is built with the library alone (no Prefect, no quality gate): each synthetic text dump (see
benchmarks/_common.py) is parsed and loaded with ``etl.load.warehouse.load_reports``, a report a call — the same
rows a backfill writes, not a bulk shortcut. It is cached in $ETL_BENCH_DIR (default /tmp/etl-bench) and reused
(``--rebuild``).

Then, on a read-only warm connection, every ``mart`` view (``select * from mart.<view>``, all rows fetched) and
every ``sql/examples/*.sql`` query runs once to warm up and ``--runs`` times measured (fetchall, then a pandas
DataFrame); the median is reported with the row count, and the warehouse file size.
Writes benchmarks/results/queries.md.

    .venv/bin/python benchmarks/queries.py [--issuers 40] [--years 10] [--runs 5] [--rebuild]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    BENCH_DIR,
    ROOT,
    Timer,
    command_line,
    header,
    load_average,
    median,
    specs,
    target_table,
    write_result,
)

import etl.flows  # noqa: F401  (project environment defaults)


def build(path: Path, issuers: int, years: int) -> tuple[float, int]:
    from make_many_reports import REAL, edited_dump

    from etl.extract.text_dump import read_text_dump
    from etl.load.schema import apply_schema
    from etl.load.seeds import seed_indicator_catalog
    from etl.load.warehouse import connect, load_reports
    from etl.metrics.catalog import load_catalog
    from etl.parse.report import parse_report

    folder = path.parent / f"reports_{issuers}x{years}"
    folder.mkdir(parents=True, exist_ok=True)
    real = REAL.read_text(encoding="utf-8")
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    count = 0
    with connect(path) as conn:
        apply_schema(conn, ROOT / "sql")
        seed_indicator_catalog(conn, load_catalog(ROOT / "data" / "indicators.yaml"))
        for spec in specs(issuers, years):
            file = folder / f"{spec.stem}.txt"
            if not file.exists():
                file.write_text(edited_dump(real, spec), encoding="utf-8")
            load_reports(conn, [parse_report(read_text_dump(file))])
            count += 1
            if count % 200 == 0:
                print(f"  loaded {count} reports, {time.perf_counter() - started:.0f} s", file=sys.stderr)
        conn.execute("checkpoint")
    return time.perf_counter() - started, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--issuers", type=int, default=40)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    load = load_average()
    from etl.load.warehouse import connect

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"warehouse_{args.issuers}x{args.years}.duckdb"
    built = ""
    if args.rebuild or not path.exists():
        seconds, count = build(path, args.issuers, args.years)
        built = f"built now: {count} reports parsed and loaded with the library in {seconds:.0f} s " \
                f"({count / seconds:.1f} reports/s, no quality gate)"
        path.with_suffix(".built.txt").write_text(built, encoding="utf-8")
    else:
        note = path.with_suffix(".built.txt")
        earlier = note.read_text(encoding="utf-8").strip() if note.exists() else "built"
        built = f"reused from an earlier run (`--rebuild` to rebuild); {earlier.replace('built now', 'when built')}"

    results: list[tuple[str, int, float, float, float]] = []
    with connect(path, read_only=True) as conn:
        reports = conn.execute("select count(*) from core.report").fetchone()[0]  # type: ignore[index]
        task_rows = conn.execute("select count(*) from core.task_row").fetchone()[0]  # type: ignore[index]
        metrics = conn.execute("select count(*) from core.metric").fetchone()[0]  # type: ignore[index]
        views = [r[0] for r in conn.execute(
            "select view_name from duckdb_views() where schema_name = 'mart' order by view_name").fetchall()]
        queries = [(f"mart.{v}", f"select * from mart.{v}") for v in views]
        queries += [(f"sql/examples/{p.name}", p.read_text(encoding="utf-8"))
                    for p in sorted((ROOT / "sql" / "examples").glob("*.sql"))]
        for name, sql in queries:
            rows = len(conn.execute(sql).fetchall())  # warm-up
            times = []
            for _ in range(args.runs):
                with Timer() as t:
                    conn.execute(sql).fetchall()
                times.append(t.seconds)
            arrow = []
            for _ in range(args.runs):
                with Timer() as t:
                    conn.execute(sql).df()
                arrow.append(t.seconds)
            results.append((name, rows, median(times), max(times), median(arrow)))
            print(f"{name}: {rows} rows, median {median(times) * 1000:.1f} ms", file=sys.stderr)
    size = path.stat().st_size

    lines = header("Queries on a 10-year × 40-issuer warehouse", [command_line()], load)
    lines += [
        f"Warehouse: {reports} synthetic reports ({args.issuers} issuers × {args.years} years × 4 quarters; the real "
        f"report's 34 task rows each), {task_rows} task rows, {metrics} metrics; {built}.",
        f"File size: **{size / 1e6:.1f} MB** ({size} bytes).",
        "",
        f"Read-only connection, one warm-up run, then median of {args.runs} runs, all rows fetched into Python.",
        "Target: every `mart` view under 100 ms median.",
        "",
        "Two ways of fetching: `fetchall()` (Python tuples, what `etl sql` does) and `df()` "
        "(a pandas DataFrame, filled column by column; pyarrow is not installed): the difference is the cost of "
        "making Python objects.",
        "",
        "| query | rows | median, fetchall | max, fetchall | median, DataFrame | < 100 ms (DataFrame) |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, rows, med, worst, arrow_med in results:
        ok = "yes" if arrow_med < 0.1 else "**no**"
        lines.append(f"| `{name}` | {rows} | {med * 1000:.1f} ms | {worst * 1000:.1f} ms | {arrow_med * 1000:.1f} ms "
                     f"| {ok} |")
    views = [(name, arrow_med) for name, _, _, _, arrow_med in results if name.startswith("mart.")]
    slow = [f"{name} {seconds * 1000:.0f} ms" for name, seconds in views if seconds >= 0.1]
    measured = f"{len(views) - len(slow)} of {len(views)} views" + (f" (not: {', '.join(slow)})" if slow else "")
    lines += target_table([(f"every mart view < 100 ms median (DataFrame), {reports} reports", measured, not slow)])
    write_result("queries.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
