"""Build the PDF layout fixtures (tests/fixtures/pdf_layouts/) from the real text dump, and their manifest.

Every file is made by the project's own generators from data/samples/2024Q3_市工信局_政府工作报告任务完成情况.txt:
Word-like tables (scripts/make_sample_pdfs.py: python-docx, LibreOffice Writer), spreadsheet printouts
(scripts/make_sample_xlsx_pdf.py: openpyxl, LibreOffice Calc) and hostile variants of those
(scripts/make_hostile_pdf.py: pikepdf, pypdfium2). ``manifest.json`` lists each file with the commands that made
it, its pages, the mark set its status columns use (the expected records are the text dump's with that mark
set, tests.fidelity) or the error it must raise, and what it exercises. The files are committed, so the
tests need neither LibreOffice nor these scripts.

Usage (needs LibreOffice's ``soffice`` and the Noto CJK and WenQuanYi fonts)::

    PYTHONPATH=src:. .venv/bin/python scripts/make_pdf_layouts.py [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
DUMP = "data/samples/2024Q3_市工信局_政府工作报告任务完成情况.txt"
OUT = ROOT / "tests" / "fixtures" / "pdf_layouts"
PYTHON = ".venv/bin/python"
WORD = "scripts/make_sample_pdfs.py"
CALC = "scripts/make_sample_xlsx_pdf.py"
HOSTILE = "scripts/make_hostile_pdf.py"
SERIF, SANS, WQY = "Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei"


@dataclass(frozen=True)
class Layout:
    """One fixture: its name, the commands that make it ({out} is the file, {tmp} a scratch folder)."""

    name: str
    description: str
    commands: tuple[tuple[str, ...], ...]
    marks: str = "source"
    error: str | None = None  # a regex the ReportError message must match; None: records must match the dump
    exercises: tuple[str, ...] = field(default_factory=tuple)


def word(out: str, orientation: str, font: str, size: float, *extra: str) -> tuple[str, ...]:
    return (PYTHON, WORD, DUMP, out, "--orientation", orientation, "--font", font, "--font-size", str(size), *extra)


def calc(out: str, orientation: str, font: str, size: float, columns: str, *extra: str) -> tuple[str, ...]:
    return (PYTHON, CALC, DUMP, out, "--orientation", orientation, "--font", font, "--font-size", str(size),
            "--columns", columns, *extra)  # fmt: skip


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "word_landscape_serif_10.5",
        "Word table, landscape, Noto Serif CJK SC 10.5 pt (the sample's layout)",
        (word("{out}", "landscape", SERIF, 10.5),),
        exercises=("rows split across pages",),
    ),
    Layout(
        "word_landscape_sans_9", "Word table, landscape, Noto Sans CJK SC 9 pt", (word("{out}", "landscape", SANS, 9),)
    ),
    Layout(
        "word_landscape_wqy_12",
        "Word table, landscape, WenQuanYi Zen Hei 12 pt",
        (word("{out}", "landscape", WQY, 12),),
    ),
    Layout(
        "word_portrait_serif_12",
        "Word table, portrait, Noto Serif CJK SC 12 pt: narrow task columns",
        (word("{out}", "portrait", SERIF, 12),),
        exercises=("merged task cells split across pages",),
    ),
    Layout(
        "word_portrait_sans_10.5",
        "Word table, portrait, Noto Sans CJK SC 10.5 pt",
        (word("{out}", "portrait", SANS, 10.5),),
    ),
    Layout("word_portrait_wqy_9", "Word table, portrait, WenQuanYi Zen Hei 9 pt", (word("{out}", "portrait", WQY, 9),)),
    Layout(
        "word_landscape_sans_10_heavy_marks",
        "Word table with ✔ (a fallback font's glyph) and progress words in 未完成",
        (word("{out}", "landscape", SANS, 10, "--marks", "heavy"),),
        marks="heavy",
        exercises=("marks from a fallback font", "status words in 未完成"),
    ),
    Layout(
        "word_portrait_serif_10.5_words",
        "Word table with the word 已完成 instead of marks, progress words in 未完成",
        (word("{out}", "portrait", SERIF, 10.5, "--marks", "words"),),
        marks="words",
    ),
    Layout(
        "word_portrait_serif_10.5_open_top",
        "Word table whose header is on page 1 only and whose pages 2+ lack the top border of the continued row",
        (
            word("{tmp}/no_repeat.pdf", "portrait", SERIF, 10.5, "--no-repeat-header"),
            (PYTHON, HOSTILE, "open-top", "{tmp}/no_repeat.pdf", "{out}"),
        ),
        exercises=("continuation rows whose top border is missing", "pages without a header"),
    ),
    Layout(
        "calc_landscape_serif_10_even",
        "Calc printout, landscape, Noto Serif CJK SC 10 pt, even columns",
        (calc("{out}", "landscape", SERIF, 10, "even"),),
        exercises=("print-title rows", "merged cells centred vertically and clipped at page breaks"),
    ),
    Layout(
        "calc_portrait_sans_9_narrow_plan",
        "Calc printout, portrait, Noto Sans CJK SC 9 pt, wide 落实情况 column",
        (calc("{out}", "portrait", SANS, 9, "narrow-plan"),),
        exercises=("other column proportions",),
    ),
    Layout(
        "calc_landscape_wqy_10_radical_marks",
        "Calc printout, landscape, WenQuanYi Zen Hei 10 pt, √ marks",
        (calc("{out}", "landscape", WQY, 10, "narrow-plan", "--marks", "radical"),),
        marks="radical",
    ),
    Layout(
        "hostile_doubled_text",
        "Word table, pages 1, 3 and 4 with every glyph drawn twice 0.35 pt apart",
        (
            word("{tmp}/plain.pdf", "landscape", SANS, 9),
            (PYTHON, HOSTILE, "double", "{tmp}/plain.pdf", "{out}", "--pages", "1,3,4"),
        ),
        exercises=("fake bold: duplicates removed on those pages only",),
    ),
    Layout(
        "hostile_unmapped_marks",
        "✔ marks whose fallback font (DejaVu Sans) lost its /ToUnicode map",
        (
            word("{tmp}/heavy.pdf", "landscape", SANS, 10, "--marks", "heavy"),
            (PYTHON, HOSTILE, "strip-tounicode", "{tmp}/heavy.pdf", "{out}", "--font-pattern", "DejaVu|OpenSymbol"),
        ),
        marks="unmapped",
        exercises=("undecodable mark decided by its cell and reported in notes",),
    ),
    Layout(
        "hostile_no_tounicode",
        "Word table whose CJK fonts have no /ToUnicode map: (cid:N) glyphs",
        (
            word("{tmp}/plain.pdf", "landscape", SANS, 9),
            (PYTHON, HOSTILE, "strip-tounicode", "{tmp}/plain.pdf", "{out}", "--font-pattern", "Noto"),
        ),
        error=r"page 1, column 序号: .*no Unicode mapping.*needs OCR",
    ),
    Layout(
        "hostile_scan",
        "Pages 1-3 of a Word table rendered at 60 dpi and put back as images only",
        (
            word("{tmp}/plain.pdf", "landscape", SANS, 9),
            (PYTHON, HOSTILE, "scan", "{tmp}/plain.pdf", "{out}", "--pages", "1,2,3"),
        ),
        error=r"page 1: no text layer .*scanned PDF needs OCR",
    ),
    Layout(
        "hostile_other_table",
        "A ruled table with other columns (项目名称, 牵头单位 …): not this report",
        (word("{out}", "landscape", SERIF, 10.5, "--other-table"),),
        error=r"page 1: the table is not a task-completion report table: found columns \[序号, 项目名称",
    ),
)


def build(layout: Layout) -> dict[str, object]:
    """Run a layout's commands and describe the file for the manifest."""
    target = OUT / f"{layout.name}.pdf"
    with tempfile.TemporaryDirectory(prefix=f"layout_{layout.name}_") as tmp:
        for command in layout.commands:
            argv = [part.format(out=target, tmp=tmp) for part in command]
            env_command = ["env", "PYTHONPATH=src:.", *argv]
            subprocess.run(env_command, cwd=ROOT, check=True, capture_output=True, timeout=600)
    return {
        "name": layout.name,
        "file": target.name,
        "description": layout.description,
        "commands": [shlex.join(["env", "PYTHONPATH=src:.", *c]) for c in layout.commands],
        "pages": len(pdfium.PdfDocument(target)),
        "bytes": target.stat().st_size,
        "marks": layout.marks,
        "expect_error": layout.error,
        "exercises": list(layout.exercises),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", nargs="*", help="rebuild these layouts only (the manifest keeps the others)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    manifest_path = OUT / "manifest.json"
    old = json.loads(manifest_path.read_text(encoding="utf-8"))["layouts"] if manifest_path.exists() else []
    previous = {entry["name"]: entry for entry in old}
    chosen = [layout for layout in LAYOUTS if not args.only or layout.name in args.only]
    with ThreadPoolExecutor(max_workers=2) as pool:
        built = {entry["name"]: entry for entry in pool.map(build, chosen)}
    entries = [
        built.get(layout.name) or previous[layout.name]
        for layout in LAYOUTS
        if layout.name in built or layout.name in previous
    ]
    manifest = {
        "source": DUMP,
        "generated_by": "scripts/make_pdf_layouts.py",
        "expected_records": (
            "parse_report of the text dump with the layout's mark set applied (tests.fidelity.apply_mark_set); "
            "expect_error: the ReportError message must match this regex"
        ),
        "layouts": entries,
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    total = sum(int(str(entry["bytes"])) for entry in entries)
    print(f"wrote {len(entries)} layouts ({total / 1e6:.1f} MB) and {manifest_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
