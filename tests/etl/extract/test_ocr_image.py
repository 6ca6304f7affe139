"""The speck eraser of etl.extract.ocr_image.clean_for_recognition: a point within a number survives, noise goes.

A printed point one stroke wide is as small as a speck of scanner noise (2 x 2 px on a 1-bit page at 150 dpi, or
at 300 dpi read at 200 dpi: wqy_gs_300_bw_skew lost 2. 3. 1. and 1-8's hyphen to the eraser). The pages here are
made two ways, neither the scan matrix's: Helvetica through pdftoppm's 1-bit output (a hand-made PDF), and
DejaVu Sans / Noto CJK drawn by Pillow at 300 dpi and thresholded (read at 200 dpi, as a 300 dpi page is).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from etl.extract.ocr_image import (
    Grey,
    clean_for_recognition,
    otsu_threshold,
    page_image,
    stroke_width,
)
from tests.etl.extract.test_pdf import tiny_pdf

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc")
Box = tuple[int, int, int, int, int]  # x, y, width, height, area


def pdftoppm_page(tmp_path: Path, text: str, size_pt: float, dpi: int) -> Grey:
    """``text`` in Helvetica on a small PDF page, rendered by pdftoppm in 1-bit (-mono) and read as a scan is."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    source = tmp_path / "page.pdf"
    source.write_bytes(tiny_pdf(f"BT /F1 {size_pt} Tf 20 60 Td ({text}) Tj ET\n", 160, 100))
    subprocess.run(["pdftoppm", "-r", str(dpi), "-mono", str(source), str(tmp_path / "page")], check=True)
    with Image.open(next(tmp_path.glob("page*.pbm"))) as image:
        return page_image(image, float(dpi)).grey


def pillow_page(parts: list[tuple[str, Path]], em_px: int) -> Grey:
    """Text drawn by Pillow on a 300 dpi page, thresholded to 1 bit, read as a scan is (reduced to 200 dpi)."""
    if not all(font.exists() for _text, font in parts):
        pytest.skip("the fonts are not installed")
    image = Image.new("L", (700, 160), 255)
    draw = ImageDraw.Draw(image)
    x = 30
    for text, font_path in parts:
        font = ImageFont.truetype(str(font_path), em_px)
        draw.text((x, 60), text, font=font, fill=0)
        x += round(draw.textlength(text, font=font)) + em_px // 2
    return page_image(image.convert("1", dither=Image.Dither.NONE), 300.0).grey


def blobs(grey: Grey, threshold: int) -> list[Box]:
    _count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(
        (grey <= threshold).astype(np.uint8), connectivity=8
    )
    return sorted((int(s[0]), int(s[1]), int(s[2]), int(s[3]), int(s[4])) for s in stats[1:])


def inked(grey: Grey, threshold: int, box: Box) -> bool:
    x, y, w, h, _area = box
    return bool((grey[y : y + h, x : x + w] <= threshold).any())


def specks_of(grey: Grey) -> tuple[int, list[Box]]:
    """The page's threshold and its blobs of speck size (no larger than a dot one stroke wide), left to right."""
    threshold = otsu_threshold(grey)
    limit = round(stroke_width(grey <= threshold) ** 2)
    return threshold, [b for b in blobs(grey, threshold) if b[4] <= limit]


def with_speck(grey: Grey, x: int, y: int, size: int = 2) -> Grey:
    out = grey.copy()
    out[y : y + size, x : x + size] = 0
    return out


@pytest.mark.parametrize(
    ("path", "points"),
    [
        # pdftoppm 1-bit at 150 dpi, 9 pt: the points of 1.8 and 2.5 are 2 x 2 px
        ("pdftoppm_150", 2),
        # pdftoppm 1-bit at 200 dpi, 6 pt: the two points and 1-8's hyphen (4 x 1 px)
        ("pdftoppm_200", 3),
        # Pillow, DejaVu Sans at a 26 px em on a 300 dpi 1-bit page read at 200 dpi: 2 x 2 px points
        ("pillow_300", 2),
    ],
)
def test_a_point_or_hyphen_between_digits_is_kept(tmp_path: Path, path: str, points: int) -> None:
    text = "1.8 2.5 1-8"
    grey = {
        "pdftoppm_150": lambda: pdftoppm_page(tmp_path, text, 9, 150),
        "pdftoppm_200": lambda: pdftoppm_page(tmp_path, text, 6, 200),
        "pillow_300": lambda: pillow_page([(text, DEJAVU)], 26),
    }[path]()
    threshold, specks = specks_of(grey)
    # the points are as small as specks (what the eraser took before: blobs of at most 4 px), or this proves nothing
    assert len(specks) == points
    assert all(area <= 4 for *_xywh, area in specks)
    cleaned = clean_for_recognition(grey, threshold)
    assert [inked(cleaned, threshold, speck) for speck in specks] == [True] * points
    # and the digits themselves are untouched
    assert len(blobs(cleaned, threshold)) == len(blobs(grey, threshold))


@pytest.mark.parametrize("path", ["pdftoppm_150", "pillow_300"])
def test_specks_that_are_not_points_are_erased(tmp_path: Path, path: str) -> None:
    """Noise in the paper, a speck between two digits at their top (not their baseline or middle), a speck after
    the number that ends the line (nothing follows it) and one between two ideographs on their middle: all
    erased, while the points of 1.8 and 2.5 stay."""
    text = "1.8 2.5 1 8"
    if path == "pdftoppm_150":
        grey = pdftoppm_page(tmp_path, text, 9, 150)
    else:
        grey = pillow_page([("工", NOTO_CJK), ("作", NOTO_CJK), (text, DEJAVU)], 26)
    threshold, points = specks_of(grey)
    assert len(points) == 2
    glyphs = [b for b in blobs(grey, threshold) if b not in points]
    one, eight = glyphs[-2:]  # the last 1 and 8
    noisy = with_speck(grey, (one[0] + one[2] + eight[0]) // 2, one[1])  # between them, at their top
    noisy = with_speck(noisy, eight[0] + eight[2] + 2, eight[1] + eight[3] - 2)  # on the baseline, after the 8
    if path == "pillow_300":  # between 工 and the first part of 作, at 工's middle
        gong, zuo = glyphs[0], glyphs[1]
        noisy = with_speck(noisy, (gong[0] + gong[2] + zuo[0]) // 2, gong[1] + gong[3] // 2 - 1)
    rng = np.random.default_rng(7)
    for _ in range(20):  # scanner noise in the paper above the text
        x, y = int(rng.integers(5, grey.shape[1] - 5)), int(rng.integers(2, 14))
        noisy = with_speck(noisy, x, y, size=1 + int(rng.integers(0, 2)))
    assert len(blobs(noisy, threshold)) >= len(blobs(grey, threshold)) + 20
    cleaned = clean_for_recognition(noisy, threshold)
    assert blobs(cleaned, threshold) == blobs(grey, threshold)  # every speck gone, the points kept


def test_the_speck_size_follows_the_stroke_width(tmp_path: Path) -> None:
    """On a page of 1 px strokes (pdftoppm 1-bit, 150 dpi, 6 pt) a lone 2 x 2 px blob is larger than a dot one
    stroke wide: kept, while a 1 px one is erased; on pages of 2 and 3 px strokes (150 dpi 9 pt; 300 dpi 10 pt
    read at 200) a lone 2 x 2 px speck is erased, a 3 x 3 px dot kept (SPECK_MAX_PX: at 3 px strokes a printed
    dot, the top of ；)."""
    pages = []
    for name, size, dpi in (("thin", 6, 150), ("light", 9, 150), ("heavy", 10, 300)):
        (tmp_path / name).mkdir()
        pages.append(pdftoppm_page(tmp_path / name, "1.8 2.5", size, dpi))
    for grey, stroke, erased_sizes in ((pages[0], 1, {1}), (pages[1], 2, {1, 2}), (pages[2], 3, {1, 2})):
        threshold = otsu_threshold(grey)
        assert stroke_width(grey <= threshold) == stroke
        for size in (1, 2, 3):
            cleaned = clean_for_recognition(with_speck(grey, 5, 5, size=size), threshold)
            assert inked(cleaned, threshold, (5, 5, size, size, size * size)) is (size not in erased_sizes)
