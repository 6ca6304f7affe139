"""Turn a generated report PDF into one of the hostile inputs the extractor must detect or survive.

Each is what real office PDFs do, made reproducibly from a PDF of our own generators (scripts/make_sample_pdfs.py,
scripts/make_sample_xlsx_pdf.py) with pikepdf (content streams and font dictionaries) or pypdfium2 (rendering):

- ``double``: every text object drawn a second time 0.35 pt to the right (bold simulated by overprinting, as
  some writers do), on the pages given only, so detection must be per page;
- ``strip-tounicode``: the /ToUnicode maps of the fonts whose name matches are removed, so their glyphs
  cannot be decoded (pdfminer reads them as (cid:N)); with a pattern matching only the fallback font that
  draws ✔, only the status marks become undecodable;
- ``open-top``: on pages 2 and later the topmost horizontal ruling line is deleted, as writers do that leave
  out the top border of a row continued from the previous page (use with a header that does not repeat);
- ``scan``: every page rendered to a greyscale JPEG and put on an empty page: a scan with no text layer.

Usage::

    .venv/bin/python scripts/make_hostile_pdf.py double IN.pdf OUT.pdf --pages 1,3,4
    .venv/bin/python scripts/make_hostile_pdf.py strip-tounicode IN.pdf OUT.pdf [--font-pattern DejaVu]
    .venv/bin/python scripts/make_hostile_pdf.py open-top IN.pdf OUT.pdf
    .venv/bin/python scripts/make_hostile_pdf.py scan IN.pdf OUT.pdf [--dpi 60] [--pages 1,2,3]
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium

DOUBLE_OFFSET = 0.35  # points: what fake-bold writers use, well under DUPLICATE_TOLERANCE of the extractor
PATH_OPS = frozenset({"m", "l", "c", "v", "y", "h", "re"})
PAINT_OPS = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"})


def _pages(spec: str | None, count: int) -> list[int]:
    """0-based page indexes from a 1-based list such as "1,3,4" (all pages when None)."""
    if not spec:
        return list(range(count))
    return [int(p) - 1 for p in spec.split(",") if p.strip()]


def double_text(source: Path, target: Path, pages: str | None) -> None:
    """After each BT … ET block, draw the same block again shifted by DOUBLE_OFFSET (q … cm … Q around it)."""
    with pikepdf.open(source) as pdf:
        for index in _pages(pages, len(pdf.pages)):
            page = pdf.pages[index]
            ops = pikepdf.parse_content_stream(page)
            out: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage] = []
            block: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage] = []
            in_text = False
            for instruction in ops:
                out.append(instruction)
                name = str(instruction.operator)
                if name == "BT":
                    in_text, block = True, [instruction]
                elif in_text:
                    block.append(instruction)
                    if name == "ET":
                        in_text = False
                        out.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("q")))
                        shift = [1, 0, 0, 1, DOUBLE_OFFSET, 0]
                        out.append(pikepdf.ContentStreamInstruction(shift, pikepdf.Operator("cm")))
                        out.extend(block)
                        out.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("Q")))
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
        pdf.save(target, deterministic_id=True)


def strip_tounicode(source: Path, target: Path, font_pattern: str) -> list[str]:
    """Remove /ToUnicode from every font whose /BaseFont matches ``font_pattern``; returns the fonts changed."""
    changed: list[str] = []
    pattern = re.compile(font_pattern)
    with pikepdf.open(source) as pdf:
        for page in pdf.pages:
            fonts = page.Resources.get("/Font")
            if not isinstance(fonts, pikepdf.Dictionary):
                continue
            for key in list(fonts.keys()):
                font = fonts[key]
                base = str(font.get("/BaseFont", ""))
                if pattern.search(base) and "/ToUnicode" in font:
                    del font["/ToUnicode"]
                    changed.append(base)
        pdf.save(target, deterministic_id=True)
    return sorted(set(changed))


def open_top(source: Path, target: Path) -> int:
    """Delete the topmost long horizontal stroked line on pages 2 and later; returns how many were deleted."""
    deleted = 0
    with pikepdf.open(source) as pdf:
        for page in list(pdf.pages)[1:]:
            ops = list(pikepdf.parse_content_stream(page))
            groups = _line_groups(ops)
            width = float(page.MediaBox[2]) - float(page.MediaBox[0])
            horizontal = [(y, span) for y, length, span in groups if y is not None and length > width / 3]
            if not horizontal:
                continue
            top = max(y for y, _ in horizontal)
            drop = {i for y, span in horizontal if abs(y - top) < 1.0 for i in span}
            deleted += len([1 for y, _ in horizontal if abs(y - top) < 1.0])
            kept = [instruction for i, instruction in enumerate(ops) if i not in drop]
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        pdf.save(target, deterministic_id=True)
    return deleted


def _line_groups(
    ops: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage],
) -> list[tuple[float | None, float, range]]:
    """(y, length, instruction indexes) of each painted path made of one horizontal m/l segment."""
    groups: list[tuple[float | None, float, range]] = []
    start = None
    for i, instruction in enumerate(ops):
        name = str(instruction.operator)
        if name in PATH_OPS and start is None:
            start = i
        elif name in PAINT_OPS and start is not None:
            path = ops[start:i]
            if [str(step.operator) for step in path] == ["m", "l"]:
                (x0, y0), (x1, y1) = ([float(v) for v in step.operands] for step in path)
                if abs(y0 - y1) < 0.5:
                    groups.append((y0, abs(x1 - x0), range(start, i + 1)))
            start = None
        elif name not in PATH_OPS:
            start = None
    return groups


def scan(source: Path, target: Path, dpi: float, pages: str | None) -> None:
    """Each page as a greyscale JPEG on an otherwise empty page of the same size: no text layer at all."""
    doc = pdfium.PdfDocument(source)
    out = pdfium.PdfDocument.new()
    for index in _pages(pages, len(doc)):
        width, height = doc[index].get_size()
        picture = doc[index].render(scale=dpi / 72, grayscale=True).to_pil()
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=55)
        buffer.seek(0)
        page = out.new_page(width, height)
        image = pdfium.PdfImage.new(out)
        image.load_jpeg(buffer, inline=True)
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page.insert_obj(image)
        page.gen_content()
    out.save(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("double", "strip-tounicode", "open-top", "scan"):
        sub = commands.add_parser(name)
        sub.add_argument("source", type=Path)
        sub.add_argument("target", type=Path)
        if name in ("double", "scan"):
            sub.add_argument("--pages", help="1-based pages, e.g. 1,3,4 (default: all)")
        if name == "strip-tounicode":
            sub.add_argument("--font-pattern", default=".", help="regex on /BaseFont (default: every font)")
        if name == "scan":
            sub.add_argument("--dpi", type=float, default=60.0)
    args = parser.parse_args(argv)
    args.target.parent.mkdir(parents=True, exist_ok=True)
    if args.command == "double":
        double_text(args.source, args.target, args.pages)
    elif args.command == "strip-tounicode":
        print("fonts without /ToUnicode now:", ", ".join(strip_tounicode(args.source, args.target, args.font_pattern)))
    elif args.command == "open-top":
        print("top lines deleted:", open_top(args.source, args.target))
    else:
        scan(args.source, args.target, args.dpi, args.pages)
    print(f"wrote {args.target} ({args.target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
