"""OCR: the engine and how text lines are found (the speed of `etl ingest` on scans: benchmarks/ocr_speed.py).

1. **Engines and line finding** on the same pages, grids and table reading (etl.extract.ocr.read_page_images
   with another recogniser): RapidOCR (rapidocr-onnxruntime 1.4.4, PP-OCRv4 models in the wheel) reading the
   lines found from the grid and the ink (etl.extract.ocr_layout, what `etl` does since issue 21), the same
   recogniser on the lines its neural detector finds on the whole page (what `etl` did before, detection at
   150 dpi), and Tesseract 5 with Debian's chi_sim model (``tesseract`` CLI, TSV output, one line per word box).
   Character accuracy and exact cells over the text cells of the rows printed wholly on those pages
   (tests/ocr_fidelity.py), CPU and wall seconds per page. Tesseract is skipped when the ``tesseract`` command is
   missing (``apt-get install tesseract-ocr tesseract-ocr-chi-sim``; it is not a project dependency).
2. The real report scanned, through ``etl ingest`` beside the born-digital PDF: benchmarks/ocr_speed.py
   (benchmarks/results/ocr_speed.md).

Run: ``.venv/bin/python benchmarks/ocr.py [--repeat 3]`` (writes benchmarks/results/ocr.md). The machine is shared:
the load average at the start is recorded; compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "scripts")]

from _common import cpu_model, load_average  # noqa: E402

from etl.extract import ocr  # noqa: E402
from etl.extract.ocr_engine import OcrLine  # noqa: E402
from etl.extract.ocr_image import PageImage, ScanPage, clean_for_recognition, page_image  # noqa: E402
from etl.extract.source import read_source  # noqa: E402
from etl.models import RawReport  # noqa: E402
from tests.fidelity import apply_mark_set  # noqa: E402
from tests.ocr_fidelity import rows_on_pages, score_scan  # noqa: E402

SCAN = ROOT / "tests" / "fixtures" / "scans" / "sample_scan.pdf"
SAMPLE_PDF = ROOT / "data" / "samples" / "typeset" / "2024Q3_市工信局_政府工作报告任务完成情况.pdf"
RESULTS = ROOT / "benchmarks" / "results" / "ocr.md"
ENGINE_PAGES = (1, 2)  # consecutive pages from the first: a document with its title, rows joined across


def page_greys(pages: tuple[int, ...]) -> list[PageImage]:
    doc = pdfium.PdfDocument(SCAN)
    return [page_image(doc[p - 1].render(scale=ocr.RENDER_DPI / 72).to_pil(), ocr.RENDER_DPI) for p in pages]


def tesseract_lines(page: ScanPage) -> list[OcrLine]:
    """Tesseract 5 (chi_sim) on the prepared page: each word box (TSV level 5) as a line with its confidence."""
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "page.png"
        from PIL import Image

        cleaned = clean_for_recognition(page.grey, page.threshold, page.red)
        Image.fromarray(cleaned).save(image, dpi=(page.dpi, page.dpi))
        out = subprocess.run(
            ["tesseract", str(image), "stdout", "-l", "chi_sim", "--dpi", str(int(page.dpi)), "tsv"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        ).stdout
    to_pt = 72.0 / page.dpi
    lines = []
    for record in out.splitlines()[1:]:
        fields = record.split("\t")
        if len(fields) < 12 or fields[0] != "5" or not fields[11].strip():
            continue
        left, top, width, height = (int(v) for v in fields[6:10])
        box = (left * to_pt, top * to_pt, (left + width) * to_pt, (top + height) * to_pt)
        lines.append(OcrLine(fields[11].strip(), box, max(0.0, float(fields[10])) / 100))
    return lines


def timed(read: Callable[[], RawReport]) -> tuple[RawReport | None, str | None, float, float]:
    """(report, error, wall seconds, CPU seconds of this process and its children)."""
    usage = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    raw, error = None, None
    try:
        raw = read()
    except Exception as exc:  # a benchmark row, not a crash: the error is the result
        error = f"{type(exc).__name__}: {str(exc)[:120]}"
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, usage, strict=True))
    return raw, error, wall, cpu


def engine_rows(expected: RawReport) -> list[str]:
    greys = page_greys(ENGINE_PAGES)
    engines: dict[str, Callable[[ScanPage], list[OcrLine]] | None] = {
        "RapidOCR PP-OCRv4, lines from the grid (etl)": None,
        "RapidOCR PP-OCRv4, lines by its detector": detector_lines,
    }
    if shutil.which("tesseract"):
        engines["Tesseract 5 chi_sim"] = tesseract_lines
    rows = []
    for name, recogniser in engines.items():
        ocr.recognise(ocr.prepare_page(1, greys[0]))  # type: ignore[arg-type]  # warm-up: load the models
        raw, error, wall, cpu = timed(
            lambda r=recogniser: ocr.read_page_images(b"bench", "scan.pdf", greys, None, r)  # type: ignore[misc]
        )
        if raw is None:
            rows.append(f"| {name} | error: {error} | | | |")
            continue
        # Rows printed wholly on the pages read; the rows of the expected report on the same pages, in order.
        expected_rows = [r for r in expected.rows if set(r.pages) <= set(ENGINE_PAGES)]
        read_rows = [raw.rows[i] for i in rows_on_pages(raw.rows, set(ENGINE_PAGES))]
        part = expected.model_copy(update={"rows": tuple(expected_rows)})
        score = score_scan(part, raw.model_copy(update={"rows": tuple(read_rows)}), rows=range(len(expected_rows)))
        rows.append(
            f"| {name} | {score.character_accuracy:.2%} | {score.cells_exact_share:.1%} "
            f"({score.cells_exact}/{score.text_cells}) | {cpu / len(greys):.1f} | {wall / len(greys):.1f} |"
        )
        print(rows[-1], flush=True)
    return rows


def detector_lines(page: ScanPage) -> list[OcrLine]:
    """RapidOCR's own detector on the whole page (at most 150 dpi), each detected box recognised: how `etl` found
    text lines before issue 21 (the engine's steps one by one: text_det, sorted_boxes, get_crop_img_list,
    text_rec)."""
    import cv2
    import numpy as np

    from etl.extract.ocr_engine import char_centres, ctc_column, engine, pair_brackets, punctuation_width

    ocr_engine_ = engine()
    grey = clean_for_recognition(page.grey, page.threshold, page.red)
    rgb = np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    scale = min(1.0, 150.0 / page.dpi)
    small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    boxes, _elapsed = ocr_engine_.text_det(small)
    if boxes is None or len(boxes) == 0:
        return []
    boxes = ocr_engine_.sorted_boxes(np.asarray([np.asarray(b, dtype=np.float32) / scale for b in boxes]))
    crops = ocr_engine_.get_crop_img_list(rgb, boxes)
    results, _elapsed = ocr_engine_.text_rec(crops, True)
    to_pt = 72.0 / page.dpi
    lines = []
    for points, crop, (text, score, info) in zip(boxes, crops, results, strict=True):
        if float(score) < 0.3 or not str(text).strip():
            continue
        xs, ys = [float(p[0]) for p in points], [float(p[1]) for p in points]
        centres = char_centres(str(text), info, crop.shape[1], min(xs), to_pt)
        box = (min(xs) * to_pt, min(ys) * to_pt, max(xs) * to_pt, max(ys) * to_pt)
        column = ctc_column(info, crop.shape[1], to_pt)
        lines.append(OcrLine(pair_brackets(punctuation_width(str(text), centres, column)), box, float(score), centres))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    started_load = load_average()
    # The born-digital PDF the scan was made from gives the expected rows with its own page numbers (its cells
    # equal the text dump's: benchmarks/results/fidelity.md).
    expected = apply_mark_set(read_source(SAMPLE_PDF), "scan")
    lines = [
        "# OCR: engine and line finding",
        "",
        f"Generated by `.venv/bin/python benchmarks/ocr.py --repeat {args.repeat}` on {time.strftime('%Y-%m-%d')}; "
        f"{cpu_model()}, {os.cpu_count()} cores; load average at start {started_load} (the machine is shared).",
        "",
        f"## Engines and line finding (pages {', '.join(map(str, ENGINE_PAGES))} of the sample scan, same grids "
        "and table reading)",
        "",
        "| engine | char accuracy | text cells exact | CPU s/page | wall s/page |",
        "| --- | ---: | ---: | ---: | ---: |",
        *engine_rows(expected),
        "",
    ]
    lines.append(f"Load average at the end: {load_average()}.")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
