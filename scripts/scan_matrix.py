"""Scans of the report's PDFs as office scanners make them, through renderers other than make_scans.py.

make_scans.py renders with pypdfium2 and degrades one way; a reader tuned on it learns that one way (issue 21: its
ink threshold refused real 150 dpi grey and 1-bit scans). Here each page image comes from one of three independent
renderers, each with its own rasteriser and anti-aliasing:

- ``pdftoppm`` (poppler-utils, Splash): ``-gray`` / colour / ``-mono`` (poppler's own 1-bit output);
- ``pdfium`` (pypdfium2, grey or colour bitmap);
- ``gs`` (Ghostscript): ``tiffg4``, a true fax-style CCITT G4 1-bit TIFF, at the asked resolution or at the fax
  device's own 204 × 196 dpi (non-square pixels); ``pnggray`` / ``png16m`` when degraded further;

then, as a scanner would see the printout (each step optional, drawn from a numpy generator seeded per page):
a red seal or a stamp, a skew, uneven illumination and blur (print-and-scan), sensor noise, and the scanner's
output: grey, colour, 1-bit (a fixed mid-grey threshold, as an office scanner's black-and-white mode), JPEG at a
quality. Containers: an image-only PDF (JPEG embedded as it is, or lossless / CCITT G4 for 1-bit), PNG, JPEG, or a
(multi-page) TIFF.

The images are synthetic (made here from the PDFs, not received from a bureau); their content is the PDF's.
``MATRIX`` is the benchmark's list (benchmarks/ocr_scans.py); the combinations marked ``unseen`` were not looked at
while the mark rule of etl.extract.ocr_marks was developed. Usage::

    .venv/bin/python scripts/scan_matrix.py --list
    .venv/bin/python scripts/scan_matrix.py NAME OUT_DIR     # write one combination's file
"""

from __future__ import annotations

import argparse
import io
import math
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[1]
REAL_PDF = "data/samples/typeset/2024Q3_市工信局_政府工作报告任务完成情况.pdf"
LAYOUTS = "tests/fixtures/pdf_layouts"
SEAL_RED = (200, 30, 40)
FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)


@dataclass(frozen=True)
class Scan:
    """One combination: which PDF, which renderer, and what the scanner did to it."""

    name: str
    source: str  # a PDF, relative to the project root
    renderer: str  # pdftoppm | pdfium | gs
    dpi: int
    mode: str  # grey | colour | bw (1 bit per pixel)
    skew: float = 0.0  # degrees; the sign as PIL's rotate (counter-clockwise)
    jpeg: int | None = None  # JPEG quality of the scanner's output (grey and colour only)
    noise: float = 0.0  # Gaussian sensor noise, grey levels
    seal: bool = False  # a red seal over the title on page 1 and over the table on the last page
    print_scan: bool = False  # printed and scanned: toner, blur and uneven illumination
    blur: float = 0.0  # extra Gaussian blur (points), for the illegible case
    container: str = "pdf"  # pdf | png | jpeg | tiff
    pages: tuple[int, ...] | None = None  # 1-based pages of the source; all when None
    fax: bool = False  # gs tiffg4 at the fax device's own 204 × 196 dpi
    dpi_tag: bool = True  # whether the image file records its resolution
    unseen: bool = False  # kept out of sight while the mark rule was developed
    seed: int = 0

    @property
    def marks(self) -> str:
        """The source layout's mark set (etl's fidelity MARK_SETS name); the real report's is 'source'."""
        return LAYOUT_MARKS.get(Path(self.source).stem, "source")

    def describe(self) -> str:
        parts = [f"{self.renderer}{' tiffg4 204×196' if self.fax else ''}", f"{self.dpi} dpi", self.mode]
        parts += [f"skew {self.skew:+.1f}°"] if self.skew else []
        parts += [f"JPEG q{self.jpeg}"] if self.jpeg else []
        parts += [f"noise σ{self.noise:g}"] if self.noise else []
        parts += ["seal"] if self.seal else []
        parts += ["print-and-scan (blur, uneven light)"] if self.print_scan else []
        parts += [f"blur {self.blur:g} pt"] if self.blur else []
        parts += ["no dpi tag"] if not self.dpi_tag else []
        return ", ".join(parts)


LAYOUT_MARKS = {
    "word_landscape_sans_10_heavy_marks": "heavy",
    "calc_landscape_wqy_10_radical_marks": "radical",
    "word_portrait_serif_10.5_words": "words",
}


# --- Rendering --------------------------------------------------------------------------------------------------


def render(scan: Scan) -> list[Image.Image]:
    """The source's pages as the renderer gives them (mode L, RGB or 1)."""
    pdf = ROOT / scan.source
    pages = scan.pages or tuple(range(1, len(pdfium.PdfDocument(pdf)) + 1))
    grey = scan.mode != "colour"
    direct_bw = scan.mode == "bw" and not _degraded(scan)
    if scan.renderer == "pdfium":
        doc = pdfium.PdfDocument(pdf)
        images = [doc[p - 1].render(scale=scan.dpi / 72, grayscale=grey).to_pil() for p in pages]
        return [_threshold(im) for im in images] if direct_bw else images
    with tempfile.TemporaryDirectory() as folder:
        images = []
        for page in pages:
            out = Path(folder) / f"p{page}"
            if scan.renderer == "pdftoppm":
                mode = ["-mono"] if direct_bw else ["-gray"] if grey else []
                command = [
                    "pdftoppm",
                    "-r",
                    str(scan.dpi),
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-singlefile",
                    *mode,
                    str(pdf),
                    str(out),
                ]
                suffix = ".pbm" if direct_bw else ".pgm" if grey else ".ppm"
            elif scan.renderer == "gs":
                device = "tiffg4" if direct_bw else "pnggray" if grey else "png16m"
                resolution = "-r204x196" if scan.fax else f"-r{scan.dpi}"
                command = [
                    "gs",
                    "-q",
                    "-dNOPAUSE",
                    "-dBATCH",
                    "-dSAFER",
                    f"-sDEVICE={device}",
                    resolution,
                    f"-dFirstPage={page}",
                    f"-dLastPage={page}",
                    "-dTextAlphaBits=4",
                    "-dGraphicsAlphaBits=4",
                    f"-sOutputFile={out}.img",
                    str(pdf),
                ]
                if direct_bw:  # anti-aliasing does not apply to a 1-bit device
                    command = [c for c in command if "AlphaBits" not in c]
                suffix = ".img"
            else:
                raise ValueError(f"unknown renderer {scan.renderer}")
            subprocess.run(command, check=True, capture_output=True)
            image = Image.open(f"{out}{suffix}")
            image.load()
            images.append(image)
        return images


def _degraded(scan: Scan) -> bool:
    return bool(scan.skew or scan.noise or scan.seal or scan.print_scan or scan.blur)


def _threshold(image: Image.Image, level: int = 128) -> Image.Image:
    """An office scanner's black-and-white mode: a fixed mid-grey threshold, no dithering."""
    return image.convert("L").point(lambda v: 255 if v >= level else 0).convert("1", dither=Image.Dither.NONE)


# --- What the scanner does ------------------------------------------------------------------------------------


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONTS:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default()


def seal(diameter: int, rng: np.random.Generator) -> Image.Image:
    """A round red seal (ring, star, text along the ring) as an RGBA image, patchy as a stamp's ink is."""
    image = Image.new("RGBA", (diameter, diameter), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ring = max(2, diameter // 30)
    draw.ellipse((ring, ring, diameter - ring, diameter - ring), outline=(*SEAL_RED, 255), width=ring)
    c, outer, inner = diameter / 2, diameter * 0.15, diameter * 0.06
    star = [
        (
            c + (outer if k % 2 == 0 else inner) * math.cos(-math.pi / 2 + k * math.pi / 5),
            c + (outer if k % 2 == 0 else inner) * math.sin(-math.pi / 2 + k * math.pi / 5),
        )
        for k in range(10)
    ]
    draw.polygon(star, fill=(*SEAL_RED, 255))
    font = _font(max(8, diameter // 10))
    text = "经济和信息化局业务专用章"
    for index, letter in enumerate(text):
        angle = math.radians(-160 + index * 140 / (len(text) - 1))
        x, y = c + diameter * 0.36 * math.cos(angle), c + diameter * 0.36 * math.sin(angle)
        draw.text((x, y), letter, font=font, fill=(*SEAL_RED, 255), anchor="mm")
    alpha = np.asarray(image, dtype=np.float32)[:, :, 3] * rng.uniform(0.5, 0.95, (diameter, diameter))
    pixels = np.asarray(image).copy()
    pixels[:, :, 3] = alpha.astype(np.uint8)
    return Image.fromarray(pixels).rotate(float(rng.uniform(-30, 30)), resample=Image.Resampling.BICUBIC)


def stamp(page: np.ndarray, mark: Image.Image, x: int, y: int) -> np.ndarray:
    """Multiply the seal's ink over an RGB page (what is under it stays visible, darkened)."""
    alpha = np.asarray(mark, dtype=np.float32)[:, :, 3:4] / 255.0
    ink = np.array(SEAL_RED, dtype=np.float32) / 255.0
    h, w = alpha.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(page.shape[1], x + w), min(page.shape[0], y + h)
    a = alpha[y0 - y : y1 - y, x0 - x : x1 - x]
    region = page[y0:y1, x0:x1].astype(np.float32)
    page[y0:y1, x0:x1] = (region * (1 - a) + region * ink * a).clip(0, 255).astype(np.uint8)
    return page


def scanned(image: Image.Image, scan: Scan, index: int, last: bool) -> Image.Image:
    """One rendered page through the scanner: seal, print-and-scan, skew, blur, noise, then the output mode."""
    rng = np.random.default_rng([scan.seed, index])
    px = scan.dpi / 72.0
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    if scan.print_scan:  # toner a little light, paper a little grey
        pixels = 240 - (255 - pixels) * 0.85 * (240 / 255)
    page = pixels.clip(0, 255).astype(np.uint8)
    if scan.seal and (index == 0 or last):
        size = int(scan.dpi * 1.5)  # a 38 mm seal
        where = (0.62, 0.07) if index == 0 else (0.62, 0.55)
        page = stamp(page, seal(size, rng), int(where[0] * page.shape[1]), int(where[1] * page.shape[0]))
    picture = Image.fromarray(page)
    if scan.skew:
        picture = picture.rotate(scan.skew, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    if scan.print_scan:
        picture = picture.filter(ImageFilter.GaussianBlur(0.35 * px))
    if scan.blur:
        picture = picture.filter(ImageFilter.GaussianBlur(scan.blur * px))
    out: np.ndarray = np.asarray(picture, dtype=np.float64)
    if scan.print_scan:  # a lamp brighter on one side, a shadow at the spine
        h, w = out.shape[:2]
        gx = np.linspace(0.0, 1.0, w)[None, :]
        gy = np.linspace(0.0, 1.0, h)[:, None]
        light = 1.0 - 0.22 * gx - 0.08 * (gy - 0.5) ** 2 - 0.12 * np.exp(-gx / 0.04)
        out = out * light[:, :, None]
    if scan.noise:  # a sensor's: each colour channel its own
        out = out + rng.normal(0, scan.noise, size=out.shape)
    result = Image.fromarray(out.clip(0, 255).astype(np.uint8))
    if scan.mode == "grey":
        return result.convert("L")
    if scan.mode == "bw":
        return _threshold(result)
    return result


def pages_of(scan: Scan) -> list[Image.Image]:
    """The combination's page images, as the scanner outputs them (before the container's encoding)."""
    rendered = render(scan)
    if not _degraded(scan):
        if scan.mode == "bw":
            return [im.convert("1", dither=Image.Dither.NONE) for im in rendered]
        return [im.convert("L" if scan.mode == "grey" else "RGB") for im in rendered]
    return [scanned(im, scan, i, i == len(rendered) - 1) for i, im in enumerate(rendered)]


# --- Containers -----------------------------------------------------------------------------------------------


def _jpeg(image: Image.Image, quality: int, dpi: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, dpi=(dpi, dpi))
    return buffer.getvalue()


def write(scan: Scan, folder: Path) -> Path:
    """Write the combination's file into ``folder``; its path."""
    images = pages_of(scan)
    dpi = (204, 196) if scan.fax else (scan.dpi, scan.dpi)
    suffix = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "tiff": ".tif"}[scan.container]
    target = folder / f"{scan.name}{suffix}"
    tag = {"dpi": dpi} if scan.dpi_tag else {}
    if scan.container == "pdf":
        _write_pdf(images, scan, target)
    elif scan.container == "jpeg":
        if len(images) != 1:
            raise ValueError("a JPEG holds one page")
        target.write_bytes(_jpeg(images[0], scan.jpeg or 90, scan.dpi))
    elif scan.container == "png":
        if len(images) != 1:
            raise ValueError("a PNG holds one page")
        images[0].save(target, format="PNG", **tag)
    else:
        compression = "group4" if scan.mode == "bw" else "tiff_lzw"
        if scan.jpeg:
            images = [Image.open(io.BytesIO(_jpeg(im, scan.jpeg, scan.dpi))) for im in images]
        images[0].save(target, format="TIFF", save_all=True, append_images=images[1:], compression=compression, **tag)
    return target


def _write_pdf(images: list[Image.Image], scan: Scan, target: Path) -> None:
    """An image-only PDF, each page the size its image has at the scan's resolution: 1-bit pages as CCITT G4
    (Pillow's PDF writer), grey and colour as JPEG embedded as it is (quality ``jpeg``, else 95)."""
    if scan.mode == "bw":
        images[0].save(target, format="PDF", save_all=True, append_images=images[1:], resolution=float(scan.dpi))
        return
    out = pdfium.PdfDocument.new()
    for image in images:
        width, height = image.width * 72 / scan.dpi, image.height * 72 / scan.dpi
        page = out.new_page(width, height)
        obj = pdfium.PdfImage.new(out)
        obj.load_jpeg(io.BytesIO(_jpeg(image, scan.jpeg or 95, scan.dpi)), inline=True)
        obj.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page.insert_obj(obj)
        page.gen_content()
    out.save(target)


# --- The matrix ---------------------------------------------------------------------------------------------------


def _matrix() -> list[Scan]:
    real = REAL_PDF
    calc = f"{LAYOUTS}/calc_portrait_sans_9_narrow_plan.pdf"
    wqy = f"{LAYOUTS}/calc_landscape_wqy_10_radical_marks.pdf"
    heavy = f"{LAYOUTS}/word_landscape_sans_10_heavy_marks.pdf"
    serif12 = f"{LAYOUTS}/calc_landscape_serif_10_even.pdf"
    scans = [
        # The three: a clean 150 dpi grey scan, a 200 dpi colour office scan, a 300 dpi 1-bit scan.
        Scan("pdftoppm_150_grey", real, "pdftoppm", 150, "grey", container="pdf", jpeg=90, seed=1),
        Scan("pdfium_200_colour_office", real, "pdfium", 200, "colour", skew=0.8, jpeg=55, noise=6, seal=True, seed=2),
        Scan("pdftoppm_300_bw_skew", real, "pdftoppm", 300, "bw", skew=-0.7, seed=3),
        Scan("gs_tiffg4_300", real, "gs", 300, "bw", container="tiff", seed=4),
        Scan(
            "pdftoppm_150_colour_seal_q50",
            real,
            "pdftoppm",
            150,
            "colour",
            skew=1.5,
            jpeg=50,
            noise=5,
            seal=True,
            seed=5,
        ),
        Scan("gs_200_grey_print_scan", real, "gs", 200, "grey", skew=-1.2, print_scan=True, noise=4, jpeg=60, seed=6),
        Scan("pdfium_300_grey_skew_noise", real, "pdfium", 300, "grey", skew=-1.5, noise=8, jpeg=60, seed=7),
        Scan("pdftoppm_200_bw_mono", real, "pdftoppm", 200, "bw", container="tiff", seed=8),
        Scan("calc_pdfium_150_grey_png", calc, "pdfium", 150, "grey", container="pdf", jpeg=95, seed=9),
        Scan("wqy_radical_pdftoppm_200_colour", wqy, "pdftoppm", 200, "colour", skew=1.0, jpeg=58, noise=5, seed=10),
        # Unseen while the mark rule was developed: run once at the end, reported as first run.
        Scan("heavy_gs_150_grey_skew", heavy, "gs", 150, "grey", skew=1.3, jpeg=55, noise=6, unseen=True, seed=11),
        Scan("gs_tiffg4_fax_204x196", real, "gs", 204, "bw", fax=True, container="tiff", unseen=True, seed=12),
        Scan(
            "pdftoppm_300_colour_seal_print_scan",
            real,
            "pdftoppm",
            300,
            "colour",
            skew=1.1,
            print_scan=True,
            seal=True,
            jpeg=52,
            noise=5,
            unseen=True,
            seed=13,
        ),
        Scan("pdfium_150_bw_skew_noise", real, "pdfium", 150, "bw", skew=1.4, noise=10, unseen=True, seed=14),
        Scan(
            "serif_pdftoppm_200_grey_skew",
            serif12,
            "pdftoppm",
            200,
            "grey",
            skew=-1.5,
            jpeg=50,
            noise=7,
            unseen=True,
            seed=15,
        ),
        Scan("wqy_gs_300_bw_skew", wqy, "gs", 300, "bw", skew=-1.0, noise=6, container="pdf", unseen=True, seed=16),
    ]
    return scans


MATRIX: list[Scan] = _matrix()
BY_NAME = {scan.name: scan for scan in MATRIX}


def illegible(scan_name: str) -> Scan:
    """The pages a reader must refuse: 75 dpi, or blurred past reading (2 pt Gaussian)."""
    base = Scan("illegible", REAL_PDF, "pdftoppm", 150, "grey", pages=(1,), container="png")
    if scan_name == "75dpi":
        return replace(base, name="illegible_75dpi", dpi=75)
    return replace(base, name="illegible_blur", blur=2.0, noise=4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("name", nargs="?", help="a combination's name (see --list)")
    parser.add_argument("out", nargs="?", type=Path, default=Path("."))
    parser.add_argument("--pages", help="1-based source pages, e.g. 1,2")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    if args.list or not args.name:
        for scan in MATRIX:
            print(f"{scan.name:40} {'unseen ' if scan.unseen else ''}{scan.source}: {scan.describe()}")
        return 0
    scan = BY_NAME[args.name]
    if args.pages:
        scan = replace(scan, pages=tuple(int(p) for p in args.pages.split(",")))
    args.out.mkdir(parents=True, exist_ok=True)
    print(write(scan, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
