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

Damaged and mixed-up files (issue 16, defect 2; the committed set is written by ``damaged-set``):

- ``damage-font``: 200 bytes of the embedded font program first used on a page overwritten, in the file's bytes
  (the compressed stream no longer inflates) or, with ``--decoded``, in the inflated program, stored again
  compressed (the stream inflates but the program is broken);
- ``pages``: the pages in another order, or some left out (``--order 1,3,2,4``);
- ``rotate``: pages turned for display (/Rotate), their content unchanged;
- ``strip-footer``: the text in each page's bottom band (the printed page numbers) removed;
- ``damaged-set``: all of tests/fixtures/hostile/damaged/ from the sample PDF, with a manifest.

Usage::

    .venv/bin/python scripts/make_hostile_pdf.py double IN.pdf OUT.pdf --pages 1,3,4
    .venv/bin/python scripts/make_hostile_pdf.py strip-tounicode IN.pdf OUT.pdf [--font-pattern DejaVu]
    .venv/bin/python scripts/make_hostile_pdf.py open-top IN.pdf OUT.pdf
    .venv/bin/python scripts/make_hostile_pdf.py scan IN.pdf OUT.pdf [--dpi 60] [--pages 1,2,3]
    .venv/bin/python scripts/make_hostile_pdf.py damage-font IN.pdf OUT.pdf --page 2 [--decoded]
    .venv/bin/python scripts/make_hostile_pdf.py pages IN.pdf OUT.pdf --order 1,3,2,4,5
    .venv/bin/python scripts/make_hostile_pdf.py rotate IN.pdf OUT.pdf --pages 2,3 --degrees 90,180
    .venv/bin/python scripts/make_hostile_pdf.py strip-footer IN.pdf OUT.pdf
    .venv/bin/python scripts/make_hostile_pdf.py damaged-set [--out tests/fixtures/hostile/damaged]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sys
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PDF = ROOT / "data" / "samples" / "typeset" / "2024Q3_市工信局_政府工作报告任务完成情况.pdf"
DAMAGED_DIR = ROOT / "tests" / "fixtures" / "hostile" / "damaged"
DAMAGE_BYTES = 200
FOOTER_BAND = 0.08  # share of the page height at the bottom holding only the footer (the table ends above it)
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


def _font_drawing(source: Path, text: str) -> tuple[int, str]:
    """(1-based page, font name without subset tag) of the first text object whose text contains ``text``."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    doc = pdfium.PdfDocument(source)
    try:
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            for k in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
                obj = pdfium_c.FPDFPage_GetObject(page.raw, k)
                if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_TEXT:
                    continue
                size = pdfium_c.FPDFTextObj_GetText(obj, textpage.raw, None, 0)
                buffer = ctypes.create_string_buffer(size)
                pointer = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
                pdfium_c.FPDFTextObj_GetText(obj, textpage.raw, pointer, size)
                if text[0] in buffer.raw[: max(size - 2, 0)].decode("utf-16-le", errors="replace"):
                    name = ctypes.create_string_buffer(256)
                    pdfium_c.FPDFFont_GetBaseFontName(pdfium_c.FPDFTextObj_GetFont(obj), name, 256)
                    return index + 1, name.value.decode("latin-1")
    finally:
        doc.close()
    raise ValueError(f"no text object draws {text!r}")


def _page_text(data: bytes, page: int) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return str(doc[page - 1].get_textpage().get_text_range())
    finally:
        doc.close()


def damage_font(source: Path, target: Path, text: str, decoded: bool) -> str:
    """Overwrite DAMAGE_BYTES bytes in the middle of the embedded program of the font that draws ``text``.

    The font is the page's font (same name as PDFium reports, in sorted resource order) whose damage makes PDFium
    lose part of the text. Without ``decoded`` the bytes are overwritten in the file itself (inside the
    compressed stream); with it, in the inflated program, which is then stored compressed again. Returns which
    object was damaged.
    """
    page, font_name = _font_drawing(source, text)
    data = source.read_bytes()
    with pikepdf.open(source) as pdf:
        fonts = pdf.pages[page - 1].Resources.Font
        for key in sorted(fonts.keys()):
            font = fonts[key]
            descriptor = font.get("/FontDescriptor")
            if not str(font.get("/BaseFont", "")).endswith(font_name) or descriptor is None:
                continue
            program = next(descriptor[k] for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor)
            raw = program.read_raw_bytes()
            at = data.index(raw) + len(raw) * 2 // 5
            damaged = data[:at] + b"A" * DAMAGE_BYTES + data[at + DAMAGE_BYTES :]
            if text in _page_text(damaged, page):
                continue  # not the font that draws it: the text is still whole
            where = f"object {program.objgen[0]} (font {font.BaseFont}, drawing {text[0]} on page {page})"
            if decoded:
                inflated = program.read_bytes()
                middle = len(inflated) // 2
                program.write(inflated[:middle] + bytes(DAMAGE_BYTES) + inflated[middle + DAMAGE_BYTES :])
                pdf.save(target, deterministic_id=True)
                return f"{where}: {DAMAGE_BYTES} bytes of the inflated font program zeroed"
            target.write_bytes(damaged)
            return f"{where}: {DAMAGE_BYTES} bytes of the compressed font program overwritten at byte {at}"
    raise ValueError(f"no embedded font on page {page} draws {text!r}")


def reorder_pages(source: Path, target: Path, order: list[int]) -> None:
    """Only the pages of ``order`` (1-based), in that order."""
    with pikepdf.open(source) as pdf, pikepdf.new() as out:
        for number in order:
            out.pages.append(pdf.pages[number - 1])
        out.save(target, deterministic_id=True)


def rotate_pages(source: Path, target: Path, pages: list[int], degrees: list[int]) -> None:
    with pikepdf.open(source) as pdf:
        for number, angle in zip(pages, degrees, strict=True):
            pdf.pages[number - 1].Rotate = angle
        pdf.save(target, deterministic_id=True)


def strip_footer(source: Path, target: Path) -> int:
    """Remove every text block (BT … ET) placed in the bottom FOOTER_BAND of its page; returns how many."""
    removed = 0
    with pikepdf.open(source) as pdf:
        for page in pdf.pages:
            band = float(page.MediaBox[1]) + FOOTER_BAND * (float(page.MediaBox[3]) - float(page.MediaBox[1]))
            out: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage] = []
            block: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage] = []
            in_text = False
            for instruction in pikepdf.parse_content_stream(page):
                name = str(instruction.operator)
                if name == "BT":
                    in_text, block = True, []
                if not in_text:
                    out.append(instruction)
                    continue
                block.append(instruction)
                if name == "ET":
                    in_text = False
                    placed = [i for i in block if str(i.operator) in ("Td", "TD", "Tm")]
                    if placed and float(placed[0].operands[-1]) < band:
                        removed += 1
                    else:
                        out.extend(block)
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
        pdf.save(target, deterministic_id=True)
    return removed


# The committed damaged set: file name → (what it is, how it is made from the sample PDF).
def damaged_set(out: Path) -> list[dict[str, object]]:
    out.mkdir(parents=True, exist_ok=True)
    pages = list(range(1, 13))
    entries: list[tuple[str, str]] = []

    def add(name: str, what: str) -> Path:
        entries.append((name, what))
        return out / name

    detail = damage_font(SAMPLE_PDF, add("damaged_font.pdf", ""), "招引一批", decoded=False)
    entries[-1] = ("damaged_font.pdf", f"sample PDF, {detail}")
    detail = damage_font(SAMPLE_PDF, add("damaged_font_program.pdf", ""), "招引一批", decoded=True)
    entries[-1] = ("damaged_font_program.pdf", f"sample PDF, {detail} (the stream inflates, the program is broken)")
    reorder_pages(SAMPLE_PDF, add("pages_out_of_order.pdf", "sample PDF, pages 2 and 3 swapped"), [1, 3, 2, *pages[3:]])
    reorder_pages(SAMPLE_PDF, add("page_missing.pdf", "sample PDF without page 5"), [p for p in pages if p != 5])
    footerless = out / "_footerless.pdf"
    strip_footer(SAMPLE_PDF, footerless)
    reorder_pages(
        footerless,
        add("pages_out_of_order_no_page_numbers.pdf", "sample PDF without footers, pages 2 and 3 swapped"),
        [1, 3, 2, *pages[3:]],
    )
    reorder_pages(
        footerless,
        add("page_missing_no_page_numbers.pdf", "sample PDF without footers, without page 5"),
        [p for p in pages if p != 5],
    )
    footerless.unlink()
    rotated = add("rotated_pages.pdf", "sample PDF, page 2 /Rotate 90, page 3 /Rotate 180")
    rotate_pages(SAMPLE_PDF, rotated, [2, 3], [90, 180])
    manifest = []
    for name, what in entries:
        data = (out / name).read_bytes()
        manifest.append({"file": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), "what": what})
    document = {"generated_by": "scripts/make_hostile_pdf.py damaged-set", "source": SAMPLE_PDF.name, "files": manifest}
    (out / "manifest.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _numbers(spec: str) -> list[int]:
    return [int(part) for part in spec.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("damage-font", "pages", "rotate", "strip-footer"):
        sub = commands.add_parser(name)
        sub.add_argument("source", type=Path)
        sub.add_argument("target", type=Path)
        if name == "damage-font":
            sub.add_argument("--text", default="招引一批", help="damage the font that draws this text")
            sub.add_argument("--decoded", action="store_true", help="damage the inflated program, not the file")
        if name == "pages":
            sub.add_argument("--order", required=True, help="1-based pages in the new order, e.g. 1,3,2,4")
        if name == "rotate":
            sub.add_argument("--pages", required=True)
            sub.add_argument("--degrees", required=True, help="one angle per page: 90, 180 or 270")
    damaged = commands.add_parser("damaged-set")
    damaged.add_argument("--out", type=Path, default=DAMAGED_DIR)
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
    if args.command == "damaged-set":
        for entry in damaged_set(args.out):
            print(f"wrote {args.out / str(entry['file'])} ({entry['bytes']} bytes): {entry['what']}")
        return 0
    args.target.parent.mkdir(parents=True, exist_ok=True)
    if args.command == "damage-font":
        print(damage_font(args.source, args.target, args.text, args.decoded))
    elif args.command == "pages":
        reorder_pages(args.source, args.target, _numbers(args.order))
    elif args.command == "rotate":
        rotate_pages(args.source, args.target, _numbers(args.pages), _numbers(args.degrees))
    elif args.command == "strip-footer":
        print("footer text blocks removed:", strip_footer(args.source, args.target))
    elif args.command == "double":
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
