"""Fidelity and speed of the PDF extractors on every generated layout, side by side in one run.

For each layout of tests/fixtures/pdf_layouts/manifest.json, three extractors read the PDF:

- ``reference``: tests.fidelity.parse_pdf_reference (pdfplumber, clip-aware, with the shared grid logic);
- ``fast``: etl.extract.pdf.parse_pdf (pypdfium2 fast path, pdfplumber for any page it cannot read);
- ``baseline``: plain ``pdfplumber.Page.extract_tables()`` with default settings, then the simplest row
  assembly: header rows dropped, None cells as "", no joining of rows split by page breaks.

Each is compared with the text dump of the real report (with the layout's mark set, tests.fidelity),
cell by cell over the nine columns in canonical form, task columns forward-filled: exact and whitespace-
insensitive. Seconds per page are the best of ``--repeat`` runs. Layouts that must be rejected (scan, (cid:N)
fonts, another table) are checked for the right ReportError instead.

The layouts' sources (tests/fixtures/formats/: each layout's .docx or .xlsx, scripts/make_format_fixtures.py) are
read directly too (etl.extract.source.read_source): cells against the text dump as above, and the records of the
text dump, the PDF and the source compared (tests.fidelity.format_differences: the same content in every
format must give identical records); likewise the SYNTHETIC changed template (.docx and its PDF).

The scan of the real report (tests/fixtures/scans/sample_scan.pdf, scripts/make_scans.py) is read by OCR
(``scan_section``): records, character accuracy and exact text cells against the text dump
(tests/ocr_fidelity.py), seconds per page, and every remaining difference.

Run: ``.venv/bin/python benchmarks/fidelity.py [--no-scans]`` (writes benchmarks/results/fidelity.md).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from _common import target_table  # noqa: E402

from etl.errors import ReportError  # noqa: E402
from etl.extract.pdf import parse_pdf  # noqa: E402
from etl.extract.source import read_source  # noqa: E402
from etl.extract.text_dump import read_text_dump  # noqa: E402
from etl.models import COLUMN_NAMES, RawReport, RawRow  # noqa: E402
from etl.parse.report import parse_report  # noqa: E402
from tests.fidelity import CellScore, apply_mark_set, format_differences, parse_pdf_reference, score_cells  # noqa: E402

LAYOUTS = ROOT / "tests" / "fixtures" / "pdf_layouts"
FORMATS = ROOT / "tests" / "fixtures" / "formats"
RESULTS = ROOT / "benchmarks" / "results" / "fidelity.md"
SCAN_RESULTS = ROOT / "benchmarks" / "results" / "fidelity_sample_scan.md"  # the scan matrix: ocr_scans.py
HEADER_WORDS = frozenset({"已完成", "未完成"})


def baseline_rows(data: bytes) -> list[RawRow]:
    """Plain pdfplumber: extract_tables() with default settings on each page, header rows dropped, no joining."""
    rows: list[RawRow] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for table in page.extract_tables():
                for raw_cells in table:
                    cells = [(cell or "") for cell in raw_cells][: len(COLUMN_NAMES)]
                    cells += [""] * (len(COLUMN_NAMES) - len(cells))
                    first = re.sub(r"\s+", "", cells[0])
                    if first == "序号" or (not first and HEADER_WORDS & {re.sub(r"\s+", "", c) for c in cells}):
                        continue
                    rows.append(RawRow(pages=(number,), line=len(rows) + 1, cells=tuple(cells)))
    return rows


@dataclass
class Measure:
    """One extractor on one layout."""

    seconds_per_page: float
    score: CellScore | None
    error: str | None = None


def measure(read: Callable[[bytes, str], list[RawRow]], data: bytes, name: str, pages: int, repeat: int,
            expected: list[RawRow]) -> Measure:  # fmt: skip
    best = float("inf")
    rows: list[RawRow] = []
    error = None
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            rows = read(data, name)
        except ReportError as exc:
            error = str(exc)
        best = min(best, time.perf_counter() - start)
    score = score_cells(expected, rows) if error is None else None
    return Measure(best / pages, score, error)


EXTRACTORS: dict[str, Callable[[bytes, str], list[RawRow]]] = {
    "reference": lambda data, name: list(parse_pdf_reference(data, name).rows),
    "fast": lambda data, name: list(parse_pdf(data, name).rows),
    "baseline": lambda data, name: baseline_rows(data),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="runs per extractor and layout (best is kept)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--no-scans", action="store_true", help="leave out the OCR section (about a minute)")
    parser.add_argument(
        "--only-scans", action="store_true", help=f"only the OCR section, written to {SCAN_RESULTS.name}"
    )
    args = parser.parse_args(argv)
    if args.only_scans:
        dump = read_text_dump(ROOT / "data" / "samples" / "2024Q3_市工信局_政府工作报告任务完成情况.txt")
        command = "`.venv/bin/python benchmarks/fidelity.py --only-scans`"
        header = ["# Scan fidelity (OCR)", "", f"Generated by {command}.", ""]
        SCAN_RESULTS.write_text("\n".join([*header, *scan_section(dump)]), encoding="utf-8")
        print(f"wrote {SCAN_RESULTS}")
        return 0

    manifest = json.loads((LAYOUTS / "manifest.json").read_text(encoding="utf-8"))
    dump = read_text_dump(ROOT / manifest["source"])
    lines = [
        "# PDF extraction fidelity and speed",
        "",
        "Generated by `benchmarks/fidelity.py` on the layouts of `tests/fixtures/pdf_layouts/` "
        f"(best of {args.repeat} runs; one process, the three extractors side by side).",
        "Cells: the nine columns of every expected row (34 rows), canonical text, task columns forward-filled. "
        "Exact and whitespace-insensitive accuracy; s/page = seconds per page.",
        "",
        "| layout | pages | cells | reference exact | reference ws-insens. | reference s/page | fast exact | "
        "fast ws-insens. | fast s/page | baseline exact | baseline ws-insens. | baseline s/page |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    differences: list[str] = []
    hostile: list[str] = []
    totals = {name: 0.0 for name in EXTRACTORS}
    layouts = fast_exact = 0
    for entry in manifest["layouts"]:
        path = LAYOUTS / entry["file"]
        data, pages = path.read_bytes(), int(entry["pages"])
        if entry["expect_error"]:
            hostile.append(_hostile_row(entry, data))
            continue
        expected = list(apply_mark_set(dump, entry["marks"]).rows)
        results = {
            name: measure(read, data, path.name, pages, args.repeat, expected) for name, read in EXTRACTORS.items()
        }
        cells = len(expected) * len(COLUMN_NAMES)
        row = [entry["name"], str(pages), str(cells)]
        for name, result in results.items():
            totals[name] += result.seconds_per_page * pages
            if result.score is None:
                row += ["error", "error", f"{result.seconds_per_page:.4f}"]
                differences.append(f"- {entry['name']} / {name}: {result.error}")
                continue
            row += [
                f"{result.score.exact_share:.1%}",
                f"{result.score.loose_share:.1%}",
                f"{result.seconds_per_page:.4f}",
            ]
            for difference in result.score.differences[:3]:
                differences.append(f"- {entry['name']} / {name}: {difference}")
        lines.append("| " + " | ".join(row) + " |")
        print(" ".join(row), flush=True)
        fast = results["fast"].score
        layouts += 1
        fast_exact += fast is not None and fast.exact_share == 1
    speedup = totals["baseline"] / totals["fast"] if totals["fast"] else float("nan")
    lines += [
        "",
        f"Total seconds over all layouts: reference {totals['reference']:.2f}, fast {totals['fast']:.2f}, "
        f"baseline {totals['baseline']:.2f}. **Fast path vs baseline: {speedup:.1f}× faster**; "
        f"reference vs baseline: {totals['baseline'] / totals['reference']:.2f}×.",
        "",
        "## Files that must be rejected",
        "",
        "| layout | pages | reference | fast |",
        "| --- | ---: | --- | --- |",
        *hostile,
        "",
        "## First differences",
        "",
        *(differences or ["None: every cell of every layout matches for the reference and the fast path."]),
        "",
        *source_section(dump, args.repeat),
        *([] if args.no_scans else scan_section(dump)),
    ]
    rejected = sum(row.count("| ok: ") == 2 for row in hostile)
    lines += target_table([
        ("PDF extraction (fast path) ≥ 5× faster than plain pdfplumber, all layouts", f"{speedup:.1f}×", speedup >= 5),
        ("fast path: every cell of every layout exact", f"{fast_exact} of {layouts} layouts", fast_exact == layouts),
        ("files that must be rejected are, with the expected message", f"{rejected} of {len(hostile)}",
         rejected == len(hostile)),
    ])  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print(f"fast path vs baseline: {speedup:.1f}x; wrote {args.output}")
    return 0


def _best_read(path: Path, repeat: int) -> tuple[RawReport | None, str | None, float]:
    """read_source on a file, best of ``repeat`` runs: (report, None, seconds) or (None, error, seconds)."""
    best, raw, error = float("inf"), None, None
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            raw = read_source(path)
        except ReportError as exc:
            error = str(exc)
        best = min(best, time.perf_counter() - start)
    return raw, error, best


def source_section(dump: RawReport, repeat: int) -> list[str]:
    """The Word/Excel sources of the layouts (and the changed template) read directly, beside their PDFs."""
    manifest = json.loads((FORMATS / "manifest.json").read_text(encoding="utf-8"))
    lines = [
        "## Word and Excel sources read directly",
        "",
        "Each layout's source document (`tests/fixtures/formats/layouts/`, made by `scripts/make_format_fixtures.py` "
        "with the layout's own builder and options), read by `read_source` (best of "
        f"{repeat} runs). *Same records*: the text dump, the layout's PDF and its source give identical records "
        "(`format_differences`). A hostile layout's source is its clean document (the damage is done to the PDF).",
        "",
        "| layout | source | cells | exact | ws-insens. | s/file | same records (dump, PDF, source) |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    cases = [(e["name"], e["file"], e["pdf"], e["marks"], e["expect_error"]) for e in manifest["layouts"]]
    changed_pdf = "formats/changed_template_synthetic.pdf"
    cases.append(("changed_template_synthetic", "changed_template_synthetic.docx", changed_pdf, "source", None))
    cases.append(("changed_template_synthetic (PDF)", "changed_template_synthetic.pdf", changed_pdf, "source", None))
    for name, file, pdf, marks, expect_error in cases:
        raw, error, seconds = _best_read(FORMATS / file, repeat)
        if raw is None:
            ok = expect_error is not None and re.search(expect_error, error or "") is not None
            verdict = ("refused as expected: " if ok else "ERROR: ") + (error or "").split(": ", 1)[-1][:90]
            lines.append(f"| {name} | {file} | – | – | – | {seconds:.4f} | {verdict.replace('|', '/')} |")
            continue
        expected = apply_mark_set(dump, marks)
        score = score_cells(expected.rows, raw.rows)
        verdict = "not compared"
        pdf_path = ROOT / "tests" / "fixtures" / pdf
        try:
            reports = {"dump": parse_report(expected), "source": parse_report(raw)}
            damaged = name.startswith("hostile_")  # its PDF is damaged on purpose: measured in the tables above
            if pdf_path.exists() and not damaged:
                reports["pdf"] = parse_report(read_source(pdf_path))
            differences = format_differences(reports)
            verdict = "identical" if not differences else "DIFFERENT: " + differences[0][:120]
            verdict += " (dump, source; the PDF is damaged on purpose)" if damaged and not differences else ""
        except ReportError as exc:
            verdict = f"PDF not readable: {str(exc)[:90]}"
        lines.append(
            f"| {name} | {file} | {score.cells} | {score.exact_share:.1%} | {score.loose_share:.1%} | "
            f"{seconds:.4f} | {verdict.replace('|', '/')} |"
        )
        print(name, file, f"{score.exact_share:.1%}", verdict, flush=True)
    return [*lines, ""]


def scan_section(dump: RawReport) -> list[str]:
    """The OCR section: the scan of the real report read once (OCR takes seconds a page: no repeats)."""
    from tests.ocr_fidelity import score_scan

    scan = ROOT / "tests" / "fixtures" / "scans" / "sample_scan.pdf"
    lines = [
        "## Scans read by OCR",
        "",
        "`tests/fixtures/scans/sample_scan.pdf`: the sample PDF (the real report's content) rendered at 150 dpi, "
        "skewed up to ±1.5°, blurred, noisy, JPEG quality 50–60, a red seal over text on pages 1 and 12 "
        "(`scripts/make_scans.py`), read by `read_source` (OCR: RapidOCR PP-OCRv4). Text cells: the seven columns "
        "other than 已完成/未完成, whitespace-insensitive; records: task number, row kind and status of every row.",
        "",
        "| scan | pages | records exact | char accuracy | text cells exact | s/page |",
        "| --- | ---: | --- | ---: | ---: | ---: |",
    ]
    start = time.perf_counter()
    try:
        raw = read_source(scan)
    except ReportError as exc:
        return [*lines, f"| {scan.name} | | error: {exc} | | | |", ""]
    seconds = time.perf_counter() - start
    score = score_scan(apply_mark_set(dump, "scan"), raw)
    records = "yes" if score.records_exact else "NO: " + "; ".join(score.record_differences)[:200]
    lines += [
        f"| {scan.name} | {raw.page_count} | {records} | {score.character_accuracy:.2%} "
        f"({score.character_errors} of {score.characters} characters wrong) | {score.cells_exact_share:.1%} "
        f"({score.cells_exact}/{score.text_cells}) | {seconds / raw.page_count:.1f} |",
        "",
        "Remaining differences (expected→read, whitespace removed):",
        "",
        *(f"- {difference}" for difference in score.differences),
        "",
    ]
    return lines


def _hostile_row(entry: dict[str, object], data: bytes) -> str:
    """Whether each project extractor rejects the file with the expected message."""
    cells = []
    for read in (parse_pdf_reference, parse_pdf):
        try:
            read(data, str(entry["file"]))
            cells.append("accepted (WRONG)")
        except ReportError as exc:
            ok = re.search(str(entry["expect_error"]), str(exc)) is not None
            message = str(exc).split(": ", 1)[-1].replace("|", "/")
            cells.append(("ok: " if ok else "WRONG: ") + message[:110])
    return f"| {entry['name']} | {entry['pages']} | {cells[0]} | {cells[1]} |"


if __name__ == "__main__":
    sys.exit(main())
