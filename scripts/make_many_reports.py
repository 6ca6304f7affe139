"""Make N synthetic report files from the real report, for backfill tests and benchmarks.

Every file is the real 2024 Q3 text dump (data/samples/2024Q3_市工信局_政府工作报告任务完成情况.txt) with two
edits, each checked to apply: the title line names another issuer, year and quarter
(``市发改委 2021 年政府工作报告任务 一季度完成情况``) and every quarter column header names that quarter
(``第一季度``). Task rows are the real ones. Issuers, years and quarters are combined in a fixed order, so the
same N gives the same files, and each file is a distinct report (issuer × year × quarter). File names say
``synthetic``: ``2021Q1_市发改委_synthetic_0005.txt``.

``--format pdf`` (or ``mixed``: every other file) typesets the edited dump as a PDF like the bureau's with
scripts/make_sample_pdfs.py (python-docx + LibreOffice; needs ``soffice`` and the Noto CJK fonts, about 2-3 s a
file, ``--jobs`` at once). Parsing a PDF costs about 10 times a text dump, which is what a backfill
parallelizes.

``--format derived-pdf`` makes PDFs in milliseconds instead, without LibreOffice: each one is the committed
sample PDF (data/samples/…pdf, itself typeset by LibreOffice from the real dump) with the same two edits made in
its content streams — the title's issuer, year and quarter, and the quarter column header on every page. The
sample's fonts are subsets, so every replacement character is drawn with a glyph the PDF already embeds (from the
font that has it: a title digit may come out in the regular weight instead of the bold one). Everything else —
layout, ruling lines, the 12 pages, every cell — is the typeset sample's. Issuers are those whose characters
the subsets hold and as long as 市工信局 (10 of the 16), years 2000–2025: up to 1,040 distinct reports.

Generated files belong in a temporary folder or data/generated/ (ignored by git)::

    .venv/bin/python scripts/make_many_reports.py data/generated/txt --count 240
    .venv/bin/python scripts/make_many_reports.py data/generated/pdf --count 200 --format pdf --jobs 2
"""

from __future__ import annotations

import argparse
import itertools
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data" / "samples" / "2024Q3_市工信局_政府工作报告任务完成情况.txt"
REAL_TITLE = "市工信局 2024 年政府工作报告任务 三季度完成情况"
REAL_QUARTER_HEADER = "\t第三季度\t"
ISSUERS = (
    "市工信局",
    "市发改委",
    "市商务局",
    "市科技局",
    "市财政局",
    "市住建局",
    "市交通运输局",
    "市农业农村局",
    "市文旅局",
    "市生态环境局",
    "市人社局",
    "市教育局",
    "市卫健委",
    "市民政局",
    "市水利局",
    "市自然资源局",
)
YEARS = tuple(range(2019, 2026))
QUARTER_WORDS = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True)
class Spec:
    index: int
    issuer: str
    year: int
    quarter: int
    fmt: str  # txt | pdf

    @property
    def stem(self) -> str:
        return f"{self.year}Q{self.quarter}_{self.issuer}_synthetic_{self.index:04d}"

    @property
    def title(self) -> str:
        return f"{self.issuer} {self.year} 年政府工作报告任务 {QUARTER_WORDS[self.quarter]}季度完成情况"


def specs(count: int, fmt: str) -> Iterator[Spec]:
    """The first ``count`` issuer × year × quarter combinations (issuer varies slowest)."""
    combos = itertools.product(ISSUERS, YEARS, QUARTER_WORDS)
    capacity = len(ISSUERS) * len(YEARS) * len(QUARTER_WORDS)
    if count > capacity:
        raise SystemExit(f"at most {capacity} distinct reports (issuer × year × quarter); asked for {count}")
    for index, (issuer, year, quarter) in enumerate(itertools.islice(combos, count)):
        file_format = fmt if fmt != "mixed" else ("pdf" if index % 2 else "txt")
        yield Spec(index, issuer, year, quarter, file_format)


def edited_dump(real: str, spec: Spec) -> str:
    """The real dump with the title and quarter headers of ``spec``; each edit must apply."""
    if real.count(REAL_TITLE) != 1:
        raise SystemExit(f"the real dump's title {REAL_TITLE!r} is not there exactly once")
    headers = real.count(REAL_QUARTER_HEADER)
    if headers < 1:
        raise SystemExit(f"the real dump has no quarter header {REAL_QUARTER_HEADER.strip()!r}")
    text = real.replace(REAL_TITLE, spec.title)
    text = text.replace(REAL_QUARTER_HEADER, f"\t第{QUARTER_WORDS[spec.quarter]}季度\t")
    if text.count(f"\t第{QUARTER_WORDS[spec.quarter]}季度\t") != headers:  # pragma: no cover - guards the edit
        raise SystemExit("quarter header edit did not apply to every header")
    return text


def write_pdf(dump_text: str, output: Path) -> None:
    """Typeset the dump as a PDF with scripts/make_sample_pdfs.py (LibreOffice)."""
    with tempfile.TemporaryDirectory(prefix="make_many_reports_") as tmp:
        dump = Path(tmp) / f"{output.stem}.txt"
        dump.write_text(dump_text, encoding="utf-8")
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make_sample_pdfs.py"), str(dump), str(output)],
            check=True,
            capture_output=True,
            env=_env(),
            timeout=600,
        )


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH")]))
    return env


def label_synthetic(report: Path) -> None:
    """The report's declared metadata (etl.declared): synthetic demo data, not a real report."""
    report.with_name(report.name + ".meta.yaml").write_text(
        f"synthetic: true\nnote: derived from {REAL.name} by scripts/make_many_reports.py\n", encoding="utf-8"
    )


def make_reports(out: Path, count: int, fmt: str = "txt", jobs: int = 1) -> list[Path]:
    """Write ``count`` synthetic reports into ``out`` (kept if already there) and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    real = REAL.read_text(encoding="utf-8")
    written: list[Path] = []
    pdfs: list[tuple[str, Path]] = []
    for spec in specs(count, fmt):
        text = edited_dump(real, spec)
        if spec.fmt == "pdf":
            target = out / f"{spec.stem}.pdf"
            if not target.exists():
                pdfs.append((text, target))
        else:
            target = out / f"{spec.stem}.txt"
            target.write_text(text, encoding="utf-8")
        label_synthetic(target)
        written.append(target)
    if pdfs:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for done, _ in enumerate(pool.map(lambda item: write_pdf(*item), pdfs), start=1):
                if done % 10 == 0 or done == len(pdfs):
                    print(f"  {done}/{len(pdfs)} PDFs", file=sys.stderr)
    return written


SAMPLE_PDF = ROOT / "data" / "samples" / "typeset" / "2024Q3_市工信局_政府工作报告任务完成情况.pdf"
DERIVED_YEARS = tuple(range(2000, 2026))
_SHOW = re.compile(rb"(/F\d+) ([\d.]+) Tf<([0-9A-Fa-f]+)>Tj")


def _to_unicode(font: Any) -> dict[int, str]:
    """A simple font's code → character map from its ToUnicode CMap."""
    data = font.ToUnicode.read_bytes().decode("latin-1")
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for first, last, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                mapping[code] = chr(int(dst, 16) + offset)
    return mapping


class _Glyphs:
    """Which embedded font and code draw each character of the sample PDF."""

    def __init__(self, fonts: Any) -> None:
        self.decode: dict[bytes, dict[int, str]] = {}
        self.encode: dict[str, tuple[bytes, int]] = {}
        for name, font in fonts.items():
            mapping = _to_unicode(font)
            self.decode[str(name).encode()] = mapping
            for code, char in mapping.items():
                self.encode.setdefault(char, (str(name).encode(), code))

    def has(self, text: str) -> bool:
        return all(char in self.encode for char in text)

    def show(self, text: str, font: bytes, size: bytes) -> bytes:
        """Text-showing operators drawing ``text`` at the current point, each character with a font that has it."""
        own = {char: code for code, char in self.decode[font].items()}
        out = b""
        for char in text:
            name, code = (font, own[char]) if char in own else self.encode[char]
            out += name + b" " + size + b" Tf<" + f"{code:02X}".encode() + b">Tj"
        return out + font + b" " + size + b" Tf"


def _edit_show(
    glyphs: _Glyphs, quarter: str, title_edits: dict[str, str], done: set[str], match: re.Match[bytes]
) -> bytes:
    """One text-showing operator of the sample, with the quarter header (every page) and title edits applied."""
    font, size, codes = match.group(1), match.group(2), bytes.fromhex(match.group(3).decode())
    text = "".join(glyphs.decode[font][code] for code in codes)
    new = text.replace("第三季度", f"第{quarter}季度")
    for old, value in title_edits.items():  # the first occurrence of each on the first page: the title's
        if old not in done and old in new:
            new = new.replace(old, value, 1)
            done.add(old)
    return match.group(0) if new == text else glyphs.show(new, font, size)


def _derived_specs(count: int) -> list[Spec]:
    import pikepdf

    with pikepdf.open(SAMPLE_PDF) as pdf:
        glyphs = _Glyphs(pdf.pages[0].Resources.Font)
    # Same length as the sample's 市工信局: the title's pieces are placed at fixed positions, so a longer name
    # would run into the year (市农业农村20局00).
    issuers = [issuer for issuer in ISSUERS if glyphs.has(issuer) and len(issuer) == len("市工信局")]
    combos = list(itertools.product(issuers, DERIVED_YEARS, QUARTER_WORDS))
    if count > len(combos):
        raise SystemExit(f"at most {len(combos)} derived PDFs (issuer × year × quarter); asked for {count}")
    return [Spec(i, issuer, year, quarter, "pdf") for i, (issuer, year, quarter) in enumerate(combos[:count])]


def derive_pdfs(out: Path, count: int) -> list[Path]:
    """``count`` PDFs derived from the sample PDF by editing its title and quarter headers (module docstring)."""
    import pikepdf

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with pikepdf.open(SAMPLE_PDF) as pdf:
        glyphs = _Glyphs(pdf.pages[0].Resources.Font)
        originals = [page.Contents.read_bytes() for page in pdf.pages]
        for spec in _derived_specs(count):
            target = out / f"{spec.stem}.pdf"
            written.append(target)
            label_synthetic(target)
            if target.exists():
                continue
            quarter = QUARTER_WORDS[spec.quarter]
            title_edits = {"市工信局": spec.issuer, "2024": str(spec.year), "三季度": f"{quarter}季度"}
            done: set[str] = set()
            for number, (page, content) in enumerate(zip(pdf.pages, originals, strict=True)):
                edit = partial(_edit_show, glyphs, quarter, title_edits if number == 0 else {}, done)
                page.Contents = pdf.make_stream(_SHOW.sub(edit, content))
            if done != set(title_edits):
                raise SystemExit(f"the sample PDF's title edits did not all apply: {sorted(set(title_edits) - done)}")
            pdf.docinfo["/Title"] = f"{spec.title} (SYNTHETIC, derived from the typeset sample)"
            pdf.save(target, deterministic_id=True)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="folder to write into (e.g. data/generated/txt or a temp folder)")
    parser.add_argument("--count", type=int, default=200, help="number of reports (default 200)")
    parser.add_argument("--format", choices=("txt", "pdf", "mixed", "derived-pdf"), default="txt", help="file format")
    parser.add_argument("--jobs", type=int, default=2, help="LibreOffice conversions at once (PDF only)")
    args = parser.parse_args(argv)
    if args.format == "derived-pdf":
        files = derive_pdfs(args.out, args.count)
    else:
        files = make_reports(args.out, args.count, args.format, args.jobs)
    print(f"wrote {len(files)} synthetic report(s) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
