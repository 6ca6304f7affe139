"""Scans made by other renderers than the project's generator, read whole by OCR (issue 21).

A subset of the scan matrix (scripts/scan_matrix.py; the whole matrix is benchmarks/ocr_scans.py, results in
benchmarks/results/fidelity_scans.md), made at run time into tmp from the committed PDFs: the issue's clean 150
dpi grey scan (pdftoppm, image-only PDF, and one page of it as a PNG), Ghostscript's fax-style 1-bit multi-page TIFF
at 300 dpi, and a 200 dpi colour office scan (skew, noise, JPEG q55, a red seal) as a JPEG and, two pages of it, as
a multi-page colour TIFF. Each must come out with every status right,
≥ 99 % of characters and ≥ 90 % of text cells as printed (the born-digital PDF's rows on the same pages). An
undecidable mark and illegible pages are refused naming where.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from etl.errors import ReportError
from etl.extract.grid import BBox
from etl.extract.ocr import prepare_page
from etl.extract.ocr_image import ScanPage, page_image
from etl.extract.source import read_source
from etl.load.warehouse import connect
from tests.conftest import PROJECT_ROOT
from tests.ocr_fidelity import scan_expected, scan_matrix, score_pages, status_header_lines

# Each case: a matrix combination, the pages read and the file it comes in (issue 21, item 4: image files are read
# as image-only PDFs are: PNG, JPEG, a multi-page TIFF of grey or colour pages, a 1-bit CCITT G4 TIFF). A part of
# the report starts at a page whose first row starts a task (tests.ocr_fidelity.score_pages compares whole rows).
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "pdftoppm_150_grey": ("pdftoppm_150_grey", {"pages": (1, 2)}),
    "gs_tiffg4_300": ("gs_tiffg4_300", {"pages": (1, 2)}),
    "pdfium_200_colour_office": ("pdfium_200_colour_office", {"pages": (1,), "container": "jpeg"}),
    "png_150_grey": ("pdftoppm_150_grey", {"pages": (4,), "container": "png"}),
    "tiff_lzw_200_colour_two_pages": ("pdfium_200_colour_office", {"pages": (9, 10), "container": "tiff"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_scan_from_another_renderer_reads_as_printed(case: str, tmp_path: Path) -> None:
    matrix = scan_matrix()
    name, changes = CASES[case]
    scan = replace(matrix.BY_NAME[name], name=case, **changes)
    path = matrix.write(scan, tmp_path)
    assert path.suffix == {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "tiff": ".tif"}[scan.container]
    if scan.container == "tiff":
        with Image.open(path) as tiff:
            assert getattr(tiff, "n_frames", 1) == len(scan.pages)
    raw = read_source(path)
    assert raw.source_format == "scan" and raw.page_count == len(scan.pages)
    expected = scan_expected(read_source(PROJECT_ROOT / scan.source), scan.marks)
    score = score_pages(expected, raw, scan.pages)
    assert not score.record_differences  # every status as printed
    assert score.character_accuracy >= 0.99, score.differences
    assert score.cells_exact_share >= 0.90, score.differences


def _page_one(dpi: int, tmp_path: Path) -> tuple[Image.Image, ScanPage]:
    matrix = scan_matrix()
    scan = replace(matrix.BY_NAME["pdftoppm_150_grey"], dpi=dpi, pages=(1,))
    image = matrix.pages_of(scan)[0]
    page = prepare_page(1, page_image(image, float(dpi)))
    assert isinstance(page, ScanPage)
    return image, page


def test_a_mark_that_cannot_be_decided_refuses_the_file_naming_page_row_and_column(tmp_path: Path) -> None:
    """A short stroke in an empty 未完成 cell — about a third of the column's marks, neither a mark nor nothing."""
    image, page = _page_one(150, tmp_path)
    header = status_header_lines(page)[1]
    cells = sorted(
        (b for b in page.boxes if abs(b[0] - header.box[0]) < 2 and b[1] >= header.box[3] - 1), key=lambda b: b[1]
    )
    row_two = cells[1]
    line = page.line_px
    px = 150 / 72
    x, y = (row_two[0] + row_two[2]) / 2 * px, (row_two[1] + 14) * px
    smudged = image.convert("L")
    ImageDraw.Draw(smudged).line([(x, y), (x + 0.4 * line, y + 0.05 * line)], fill=40, width=2)
    path = tmp_path / "smudged.png"
    smudged.save(path, dpi=(150, 150))
    with pytest.raises(ReportError, match=r"smudged\.png: page 1, column 未完成: table row 2 of the page \(task 1\): "
                       r"the status mark cannot be decided"):  # fmt: skip
        read_source(path)


def test_a_page_scanned_too_coarse_or_blurred_past_reading_is_refused_naming_the_page(tmp_path: Path) -> None:
    matrix = scan_matrix()
    coarse = matrix.write(matrix.illegible("75dpi"), tmp_path)
    with pytest.raises(ReportError, match=r"illegible_75dpi\.png: page 1: the scanned page image is only 75 dpi"):
        read_source(coarse)
    blurred = matrix.write(matrix.illegible("blur"), tmp_path)
    with pytest.raises(ReportError, match=r"illegible_blur\.png: page 1: "):
        read_source(blurred)


def test_a_blurred_page_whose_grid_survives_is_refused_by_etl_ingest_naming_the_page_and_nothing_loads(
    tmp_path: Path,
) -> None:
    """A 1 pt blur at 150 dpi keeps the ruling lines (the grid is found) but not the characters: the recogniser's
    confidence decides, and `etl ingest` refuses the page by number instead of loading what it guessed."""
    matrix = scan_matrix()
    scan = replace(matrix.illegible("blur"), name="soft_blur", blur=1.0)
    path = matrix.write(scan, tmp_path)
    warehouse = tmp_path / "w.duckdb"
    etl = Path(sys.executable).parent / "etl"
    done = subprocess.run(
        [str(etl), "ingest", str(path), "--warehouse", str(warehouse), "--no-prefect",
         "--issuer", "市工信局", "--period", "2024Q3"],
        capture_output=True, text=True, timeout=1800, check=False, cwd=tmp_path,
        env={**os.environ, "COLUMNS": "200", "ETL_MAX_EXTRACT_SECONDS": "1500"},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    errors = " ".join((done.stdout + done.stderr).split())
    assert "soft_blur.png: page 1: the scanned page is not legible" in errors, errors
    with connect(warehouse, read_only=True) as conn:
        assert conn.execute("select count(*) from core.task_row").fetchone() == (0,)
        outcomes = conn.execute("select file_name, outcome from ops.ingest_file").fetchall()
    assert outcomes == [("soft_blur.png", "failed")]


def test_a_fax_resolution_tiff_is_read_withsquare_pixels(tmp_path: Path) -> None:
    """A 204 × 196 dpi image (a fax's) is stretched to square pixels before its grid is found: its cells keep
    their printed proportions (read as 196 × 196 the page would be 4 % too tall)."""
    from etl.extract.ocr import square_pixels

    image = Image.fromarray(np.full((196, 204), 255, dtype=np.uint8))
    image.info["dpi"] = (204, 196)
    square, dpi = square_pixels(image)
    assert dpi == 204 and square.size == (204, 204)


def test_a_page_lit_unevenly_keeps_its_grid() -> None:
    """The print-and-scan degradation (a lamp 22 % darker across the page, a shadow at the spine, blur) on the
    report's last page, mostly paper: one Otsu threshold over the page split the light from the dark paper and
    found no ruling line (the matrix's gs_200_grey_print_scan was refused on page 12); flattening the paper first
    keeps the table's cells."""
    matrix = scan_matrix()
    scan = replace(matrix.BY_NAME["gs_200_grey_print_scan"], pages=(12,))
    page = prepare_page(12, page_image(matrix.pages_of(scan)[0], 200.0))
    assert isinstance(page, ScanPage), page
    assert len(page.boxes) >= 18


def _drawn_grid(pdf: Path, page_number: int) -> list[BBox]:
    """The cell boxes of a born-digital page from its drawn lines (the fast PDF path): the grid a scan of it must
    give, found without any image."""
    import pypdfium2 as pdfium

    from etl.extract.pdf_fast import _page_objects
    from etl.extract.rulings import cells_from_rulings

    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[page_number - 1]
        return cells_from_rulings(_page_objects(page, page.get_height()).rulings)
    finally:
        doc.close()


def _same_grid(scanned: list[BBox], drawn: list[BBox]) -> bool:
    """Every drawn cell has a scanned cell within 1.5 pt on each side, and no scanned cell is extra."""
    return len(scanned) == len(drawn) and all(
        any(max(abs(a - b) for a, b in zip(cell, other, strict=True)) <= 1.5 for other in scanned) for cell in drawn
    )


@pytest.mark.parametrize("dpi", [150.0, 150.000003])
def test_a_line_of_small_text_is_not_taken_for_a_ruling_line(dpi: float) -> None:
    """The Calc layout's 9 pt narrow text at 150 dpi: bridging the pinholes of a printed line (3 px when the
    resolution measured from the PDF's image is a hair over 150) also joined the bottom strokes of text lines into
    runs longer than a cell border; under the title they chained the table's top line away, the header row was
    lost and the file refused (calc_pdfium_150_grey_png, "found columns [已完成, 未完成]"). A ruling line is mostly
    ink: the grid is the drawn one at either resolution."""
    matrix = scan_matrix()
    scan = replace(matrix.BY_NAME["calc_pdfium_150_grey_png"], pages=(1,))
    page = prepare_page(1, page_image(matrix.pages_of(scan)[0], dpi))
    assert isinstance(page, ScanPage), page
    assert _same_grid(page.boxes, _drawn_grid(PROJECT_ROOT / scan.source, 1))
