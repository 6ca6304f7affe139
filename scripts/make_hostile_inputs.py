"""Write the PDFs built to exhaust an extractor's memory, time or stack: tests/fixtures/hostile/.

Each is a few kilobytes on disk and written byte by byte here (no PDF library: they are not PDFs a library
would agree to write), then checked by tests/reliability/test_hostile_pdfs.py, which expects a clear ReportError
from etl.extract.guarded.extract_guarded for each, never a hang or an OOM kill:

- ``bomb.pdf``: one page whose content stream, compressed twice (/Filter [/FlateDecode /FlateDecode]), inflates
  to 4 GiB (NUL bytes, which PDF reads as white space); 10 KB on disk. Bounded by the memory limit.
- ``slow_content.pdf``: one page whose content stream inflates to 256 MiB of ``q Q`` (save/restore state):
  64 million operators that take PDFium seconds to run through, in a few hundred MB. Bounded by the time limit.
- ``nested_objects.pdf``: arrays and dictionaries nested 50,000 deep, in the catalog, the page (its /Annots and
  /Resources), a form XObject's resources and as operands in both content streams; the page has text, and the
  form XObject makes the fast path hand the page to pdfplumber, whose parser recurses. Bounded by
  Python's recursion limit (and PDFium's own nesting limit).
- ``nested_page_tree.pdf``: a page tree 5,000 /Pages nodes deep above its one page.
- ``many_pages.pdf``: 5,000 empty pages (sharing one content stream). Bounded by the page limit.

The deep objects sit in a compressed object stream (PDF 1.5 /ObjStm with a cross-reference stream), so the
files stay small. The output is deterministic: running the script again gives the same bytes.

Usage::

    .venv/bin/python scripts/make_hostile_inputs.py [--out tests/fixtures/hostile]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "hostile"
GIB = 1 << 30
MIB = 1 << 20


def repeated_deflate(unit: bytes, total: int) -> bytes:
    """A zlib stream inflating to ``unit`` repeated to ``total`` bytes, without ever holding ``total`` bytes.

    One MiB of ``unit`` is compressed and ended with a full flush (which makes the compressed segment
    self-contained and byte-aligned); the segment is then repeated, and the stream ends with the Adler-32 of
    the whole output, computed a MiB at a time.
    """
    chunk = unit * (MIB // len(unit))
    count = total // len(chunk)
    compressor = zlib.compressobj(9)
    segment = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    header, body = segment[:2], segment[2:]
    end = compressor.flush(zlib.Z_FINISH)[:-4]  # the final empty block, without the Adler-32 of one chunk
    adler = 1
    for _ in range(count):
        adler = zlib.adler32(chunk, adler)
    return header + body * count + end + adler.to_bytes(4, "big")


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def write_pdf(objects: list[bytes], compressed: frozenset[int] = frozenset()) -> bytes:
    """A PDF of ``objects`` (object n is objects[n - 1]; object 1 is the catalog).

    Objects whose numbers are in ``compressed`` go into one /ObjStm (they must not be streams), which makes a
    cross-reference stream necessary; otherwise a classic xref table is written.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    size = len(objects) + 1
    for number, body in enumerate(objects, 1):
        if number in compressed:
            continue
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    if not compressed:
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for number in range(1, size):
            out += b"%010d 00000 n \n" % offsets[number]
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
        return bytes(out)

    order = sorted(compressed)
    bodies = [objects[n - 1] for n in order]
    index, position = [], 0
    for number, body in zip(order, bodies, strict=True):
        index.append(b"%d %d" % (number, position))
        position += len(body) + 1
    head = b" ".join(index) + b"\n"
    data = head + b"\n".join(bodies) + b"\n"
    objstm, xref_number = size, size + 1
    offsets[objstm] = len(out)
    dictionary = b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(order), len(head))
    out += b"%d 0 obj\n" % objstm + stream(dictionary, zlib.compress(data, 9)) + b"\nendobj\n"
    offsets[xref_number] = len(out)
    rows = bytearray(b"\x00" + (0).to_bytes(4, "big") + (0xFFFF).to_bytes(2, "big"))
    for number in range(1, xref_number + 1):
        if number in compressed:
            rows += b"\x02" + objstm.to_bytes(4, "big") + order.index(number).to_bytes(2, "big")
        else:
            rows += b"\x01" + offsets[number].to_bytes(4, "big") + (0).to_bytes(2, "big")
    dictionary = b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode" % (xref_number + 1)
    out += b"%d 0 obj\n" % xref_number + stream(dictionary, zlib.compress(bytes(rows), 9)) + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


def one_page(content: bytes, filters: bytes) -> bytes:
    return write_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 4 0 R /Resources << >> >>",
            stream(b"/Filter " + filters, content),
        ]
    )


def bomb() -> bytes:
    inner = repeated_deflate(b"\x00", 4 * GIB)
    return one_page(zlib.compress(inner, 9), b"[/FlateDecode /FlateDecode]")


def slow_content() -> bytes:
    inner = repeated_deflate(b"q Q ", 256 * MIB)
    return one_page(zlib.compress(inner, 9), b"[/FlateDecode /FlateDecode]")


NEST_DEPTH = 50_000


def nested_objects(depth: int = NEST_DEPTH) -> bytes:
    array = b"[" * depth + b"]" * depth
    dictionary = b"<< /A " * depth + b"null" + b" >>" * depth
    text = b"BT /F1 12 Tf 72 500 Td (Task report) Tj ET\n"
    content = text + b"BT /F1 12 Tf 72 480 Td " + array + b" TJ ET\n/Fm1 Do\n"
    form = b"q " + array + b" 0 d 0 0 m 100 100 l S Q\n"
    return write_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Deep " + dictionary + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 4 0 R /Annots 7 0 R"
            b" /Resources << /Font << /F1 6 0 R >> /XObject << /Fm1 5 0 R >> /Deep 8 0 R >> >>",
            stream(b"/Filter /FlateDecode", zlib.compress(content, 9)),
            stream(
                b"/Type /XObject /Subtype /Form /BBox [0 0 200 200] /Resources << /Deep 7 0 R /More 8 0 R >>"
                b" /Filter /FlateDecode",
                zlib.compress(form, 9),
            ),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            array,
            dictionary,
        ],
        compressed=frozenset({1, 7, 8}),
    )


def nested_page_tree(depth: int = 5_000) -> bytes:
    # Object 1 catalog; objects 2 … depth+1 the /Pages chain; then the page and its content.
    page, content = depth + 2, depth + 3
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for number in range(2, depth + 2):
        parent = b" /Parent %d 0 R" % (number - 1) if number > 2 else b""
        kid = number + 1 if number < depth + 1 else page
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1%s >>" % (kid, parent))
    objects.append(
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 842 595] /Contents %d 0 R /Resources << >> >>"
        % (depth + 1, content)
    )
    objects.append(stream(b"", b"q Q\n"))
    return write_pdf(objects, compressed=frozenset(range(1, depth + 3)))


def many_pages(count: int = 5_000) -> bytes:
    first_page = 4
    kids = b" ".join(b"%d 0 R" % n for n in range(first_page, first_page + count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
        stream(b"", b"q Q\n"),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 3 0 R >>"] * count
    return write_pdf(objects, compressed=frozenset({1, 2, *range(first_page, first_page + count)}))


FIXTURES = {
    "bomb.pdf": (bomb, "content stream inflating to 4 GiB (FlateDecode twice)"),
    "slow_content.pdf": (slow_content, "content stream of 64 million q/Q operators (256 MiB inflated)"),
    "nested_objects.pdf": (nested_objects, f"arrays and dictionaries nested {NEST_DEPTH} deep"),
    "nested_page_tree.pdf": (nested_page_tree, "page tree 5000 /Pages nodes deep"),
    "many_pages.pdf": (many_pages, "5000 empty pages"),
}


def build() -> Iterator[tuple[str, bytes, str]]:
    for name, (make, description) in FIXTURES.items():
        yield name, make(), description


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write the PDFs to")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for name, data, description in build():
        (args.out / name).write_bytes(data)
        manifest.append(
            {"file": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), "what": description}
        )
        print(f"wrote {args.out / name} ({len(data)} bytes)")
    manifest_text = {"generated_by": "scripts/make_hostile_inputs.py", "files": manifest}
    (args.out / "manifest.json").write_text(json.dumps(manifest_text, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
