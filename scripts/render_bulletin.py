"""Render the bulletin (`etl bulletin`) as a reader sees it: the .docx printed to PDF by LibreOffice, each page a PNG.

    .venv/bin/python scripts/render_bulletin.py                       # the bundled samples, 2024Q3 and 2024Q1
    .venv/bin/python scripts/render_bulletin.py -w data/warehouse.duckdb --period 2024Q3 --out /tmp/bulletin

Without ``-w`` the bundled samples (data/samples) are ingested into a temporary warehouse first, as `make run` does.
Writes ``<out>/bulletin_<period>.docx`` and ``bulletin_<period>-<page>.png``, one per printed page (those under
docs/bulletin/ are this script's output); the PDF LibreOffice prints is a temporary file. Needs LibreOffice
(Debian's libreoffice-writer) and fonts-noto-cjk; the tests do not.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from etl.bulletin import write_bulletin
from etl.periods import declared_period
from etl.pipeline import RunOptions, discover_files, run_context, run_pipeline
from etl.settings import PROJECT_ROOT, Settings

DPI = 110


def samples_warehouse(folder: Path) -> Path:
    """The bundled samples ingested into a new warehouse, as `etl ingest` (no Prefect, no Data Docs or report)."""
    settings = Settings(warehouse=folder / "warehouse.duckdb", data_docs_dir=None)
    files = discover_files([PROJECT_ROOT / "data" / "samples"])
    summary = run_pipeline(files, run_context(settings, RunOptions(write_report=False)))
    if summary.failed:
        raise SystemExit(f"samples failed to load: {[f.message for f in summary.failed]}")
    return settings.warehouse


def to_pdf(docx: Path, folder: Path) -> Path:
    """LibreOffice's own rendering of the Word file (a profile of its own, so a running office is not disturbed)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice is needed: apt-get install libreoffice-writer")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(folder), str(docx)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return folder / f"{docx.stem}.pdf"


def to_pngs(pdf: Path, out: Path, stem: str) -> list[Path]:
    document = pdfium.PdfDocument(pdf)
    pages = []
    try:
        for index in range(len(document)):
            image = document[index].render(scale=DPI / 72).to_pil().quantize(colors=64)  # text and lines: small
            path = out / f"{stem}-{index + 1}.png"
            image.save(path, optimize=True)
            pages.append(path)
    finally:
        document.close()
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-w", "--warehouse", type=Path, help="warehouse file [the bundled samples, ingested]")
    parser.add_argument("--period", action="append", help="2024Q3 … (repeatable) [2024Q3 and 2024Q1]")
    parser.add_argument("--issuer", help="the issuer [the only one]")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "bulletin", help="folder to write into")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        warehouse = args.warehouse or samples_warehouse(Path(folder))
        for spec in args.period or ["2024Q3", "2024Q1"]:
            year, period = declared_period(spec)
            docx = args.out / f"bulletin_{spec}.docx"
            write_bulletin(warehouse, docx, year=year, end_month=period.end_month, issuer=args.issuer)
            pages = to_pngs(to_pdf(docx, Path(folder)), args.out, docx.stem)
            print(f"{docx}: {len(pages)} page(s): {', '.join(p.name for p in pages)}")


if __name__ == "__main__":
    main()
