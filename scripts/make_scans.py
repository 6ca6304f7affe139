"""Make the OCR fixtures: realistic scans of the project's own report PDFs, reproducibly from a seed.

A bureau's scanned copy is a printout that was stamped and fed through an office scanner: slightly rotated on the
glass, a little out of focus, grainy, JPEG-compressed hard, with the red seal (公章) stamped over part of the
table. Each page of a born-digital report PDF (data/samples/ or tests/fixtures/pdf_layouts/) is rendered with
pypdfium2 and then, with a numpy generator seeded per page:

- grey paper and slightly uneven toner (contrast 0.88–0.95, paper 236–246 grey);
- a red seal — a ring, a star and the issuer's name — multiplied over the text (on the pages given by --seal-pages,
  over the middle of the table so it covers body text, and over the title on page 1);
- rotation by an angle uniform in ±``--max-skew`` degrees (1.5 by default), white corners;
- Gaussian blur (radius 0.5–0.8 px) and Gaussian noise (sigma 5–8 grey levels) with a few dark specks;
- JPEG at a quality drawn from 50–60.

Output: ``OUT.pdf`` (image-only: each JPEG is embedded as it is, no text layer), and with ``--images`` each page
as ``OUT_pN.jpg`` (the JPEG itself) or ``.png`` (lossless copy of the degraded page, before JPEG). With
``--no-grid`` a synthetic cover-letter page (text but no table) is made instead, for the error path.

The scans are synthetic (made here, not received from a bureau); their content is that of the PDF they are made
from. tests/fixtures/scans/manifest.json records the commands. Usage::

    .venv/bin/python scripts/make_scans.py data/samples/2024Q3_….pdf tests/fixtures/scans/sample_scan.pdf \\
        --dpi 150 --seed 20240930 --seal-pages 1,12
    .venv/bin/python scripts/make_scans.py --no-grid tests/fixtures/scans/cover_letter.jpg --seed 7
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
SEAL_TEXT = "安庆市经济和信息化局"
SEAL_RED = (214, 38, 46)


def _font(size: int) -> ImageFont.FreeTypeFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    raise SystemExit("no CJK font found (Debian: fonts-noto-cjk)")


def seal_image(diameter: int) -> Image.Image:
    """A round red seal as an RGBA image: double ring, a star, the issuer's name around the top."""
    size = diameter
    seal = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    ring = max(3, size // 28)
    draw.ellipse((ring, ring, size - ring, size - ring), outline=(*SEAL_RED, 255), width=ring)
    centre = size / 2
    outer, inner = size * 0.16, size * 0.064
    points = []
    for k in range(10):
        radius = outer if k % 2 == 0 else inner
        angle = -math.pi / 2 + k * math.pi / 5
        points.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle)))
    draw.polygon(points, fill=(*SEAL_RED, 255))
    font = _font(max(10, size // 9))
    letters = len(SEAL_TEXT)
    for index, letter in enumerate(SEAL_TEXT):
        angle = math.radians(-150 + index * 120 / (letters - 1))
        radius = size * 0.34
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        glyph = Image.new("RGBA", (size // 6, size // 6), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size // 12, size // 12), letter, font=font, fill=(*SEAL_RED, 255), anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        seal.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
    label = _font(max(10, size // 11))
    draw.text((centre, size * 0.73), "公章", font=label, fill=(*SEAL_RED, 255), anchor="mm")
    return seal


def stamp(page: np.ndarray, seal: Image.Image, x: int, y: int, rng: np.random.Generator) -> np.ndarray:
    """Multiply the seal's red ink over the page (ink darkens what is under it, text stays visible beneath)."""
    rotated = seal.rotate(float(rng.uniform(-25, 25)), resample=Image.Resampling.BICUBIC)
    alpha = np.asarray(rotated, dtype=np.float32)[:, :, 3:4] / 255.0
    # Uneven stamp pressure: the ink is patchy.
    patch = rng.uniform(0.55, 0.9, size=alpha.shape[:2])[:, :, None].astype(np.float32)
    alpha = alpha * patch
    ink = np.array(SEAL_RED, dtype=np.float32) / 255.0
    h, w = alpha.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(page.shape[1], x + w), min(page.shape[0], y + h)
    region = page[y0:y1, x0:x1].astype(np.float32)
    a = alpha[y0 - y : y1 - y, x0 - x : x1 - x]
    region = region * (1 - a) + region * ink * a
    page[y0:y1, x0:x1] = region.clip(0, 255).astype(np.uint8)
    return page


def degrade(picture: Image.Image, rng: np.random.Generator, max_skew: float, seals: list[tuple[float, float]],
            seal_size: int) -> tuple[Image.Image, dict[str, float]]:  # fmt: skip
    """One page as a scanner would give it (before JPEG); the parameters drawn, for the manifest."""
    # Drawn first, so that a page's skew, blur and noise do not depend on its resolution.
    angle = float(rng.uniform(-max_skew, max_skew))
    blur = float(rng.uniform(0.5, 0.8))
    sigma = float(rng.uniform(5, 8))
    pixels = np.asarray(picture.convert("RGB"), dtype=np.float32)
    contrast = float(rng.uniform(0.88, 0.95))
    paper = float(rng.uniform(236, 246))
    pixels = paper - (255 - pixels) * contrast * (paper / 255)
    page = pixels.clip(0, 255).astype(np.uint8)
    seal = seal_image(seal_size)
    for fx, fy in seals:
        page = stamp(page, seal, int(fx * page.shape[1] - seal_size / 2), int(fy * page.shape[0] - seal_size / 2), rng)
    image = Image.fromarray(page).rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(250, 250, 250))
    image = image.filter(ImageFilter.GaussianBlur(blur))
    noisy = np.asarray(image, dtype=np.float32) + rng.normal(0, sigma, size=(image.height, image.width, 1))
    specks = rng.random((image.height, image.width)) < 0.0004
    noisy[specks] = rng.uniform(40, 120)
    degraded = Image.fromarray(noisy.clip(0, 255).astype(np.uint8))
    return degraded, {"skew_degrees": round(angle, 3), "blur_px": round(blur, 3), "noise_sigma": round(sigma, 2)}


def cover_letter(rng: np.random.Generator, dpi: float) -> Image.Image:
    """A synthetic cover letter page: a title and paragraphs, no table (what no grid looks like)."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    title = _font(int(dpi * 0.22))
    body = _font(int(dpi * 0.15))
    heading = "关于报送2024年三季度政府工作报告任务完成情况的函"
    draw.text((width / 2, dpi * 1.2), heading, font=title, fill=0, anchor="mm")
    lines = [
        "市政府督查室：",
        "根据《关于做好2024年政府工作报告任务季度调度的通知》要求，",
        "现将我局牵头负责的政府工作报告任务三季度完成情况报送如下，",
        "详见附件。特此函告。",
        "",
        "附件：2024年政府工作报告任务三季度完成情况",
        "",
        "市经济和信息化局",
        "2024年10月8日",
    ]
    for index, line in enumerate(lines):
        draw.text((dpi * 1.0, dpi * (2.0 + 0.4 * index)), line, font=body, fill=0)
    return image


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def write_pdf(pages: list[tuple[bytes, float, float]], target: Path) -> None:
    """An image-only PDF: each JPEG embedded as it is (no re-encoding), scaled to its page."""
    out = pdfium.PdfDocument.new()
    for data, width, height in pages:
        page = out.new_page(width, height)
        image = pdfium.PdfImage.new(out)
        image.load_jpeg(io.BytesIO(data), inline=True)
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page.insert_obj(image)
        page.gen_content()
    target.parent.mkdir(parents=True, exist_ok=True)
    out.save(target)


def _page_list(spec: str | None, count: int) -> list[int]:
    if not spec:
        return list(range(1, count + 1))
    return [int(part) for part in spec.split(",") if part]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, nargs="?", help="born-digital report PDF (not with --no-grid)")
    parser.add_argument("target", type=Path, help="OUT.pdf, or OUT.jpg / OUT.png for one page")
    parser.add_argument("--dpi", type=float, default=150.0)
    parser.add_argument("--seed", type=int, default=20240930)
    parser.add_argument("--pages", help="1-based pages to take, e.g. 1,2 (default: all)")
    parser.add_argument("--seal-pages", default="1", help="1-based pages of the output that get a seal")
    parser.add_argument("--max-skew", type=float, default=1.5)
    parser.add_argument("--no-grid", action="store_true", help="a cover letter page (no table) instead")
    args = parser.parse_args(argv)

    seal_pages = set(_page_list(args.seal_pages, 0))
    seal_size = int(args.dpi * 1.6)  # a 40 mm seal
    made: list[tuple[Image.Image, int, float, float]] = []
    if args.no_grid:
        rng = np.random.default_rng(args.seed)
        picture = cover_letter(rng, args.dpi)
        image, _ = degrade(picture, rng, args.max_skew, [(0.7, 0.45)], seal_size)
        made.append((image, int(rng.integers(50, 61)), 595.0, 842.0))
    else:
        if args.source is None:
            parser.error("source PDF required")
        doc = pdfium.PdfDocument(args.source)
        for number, page_no in enumerate(_page_list(args.pages, len(doc)), start=1):
            page = doc[page_no - 1]
            width, height = page.get_size()
            picture = page.render(scale=args.dpi / 72).to_pil()
            rng = np.random.default_rng([args.seed, page_no])
            seals: list[tuple[float, float]] = []
            if number in seal_pages:
                # Over the body text in the middle of the table, and on page 1 over the title as well.
                seals.append((float(rng.uniform(0.74, 0.86)), float(rng.uniform(0.4, 0.7))))
                if number == 1:
                    seals.append((0.62, 0.09))
            image, params = degrade(picture, rng, args.max_skew, seals, seal_size)
            quality = int(rng.integers(50, 61))
            print(f"page {page_no}: {params} jpeg quality {quality}", file=sys.stderr)
            made.append((image, quality, width, height))
    suffix = args.target.suffix.lower()
    if suffix == ".pdf":
        write_pdf([(_jpeg(image, quality), w, h) for image, quality, w, h in made], args.target)
    elif len(made) == 1 and suffix in (".jpg", ".jpeg"):
        args.target.write_bytes(_jpeg(made[0][0], made[0][1]))
    elif len(made) == 1 and suffix == ".png":
        # What a scanner's lossless mode gives: the degraded page after one JPEG round-trip of the scanner's own.
        image = Image.open(io.BytesIO(_jpeg(made[0][0], made[0][1]))).convert("L")
        image.save(args.target, format="PNG", optimize=True)
    else:
        parser.error("one page for .jpg/.png targets, any number for .pdf")
    print(f"wrote {args.target} ({args.target.stat().st_size} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
