"""Make N synthetic report files from the real report, for backfill tests and benchmarks.

Every file is the real 2024 Q3 text dump (data/samples/2024Q3_市工信局_政府工作报告任务完成情况.txt) with two
edits, each checked to apply: the title line names another issuer, year and quarter
(``市发改委 2021 年政府工作报告任务 一季度完成情况``) and every quarter column header names that quarter
(``第一季度``). Task rows are the real ones. Issuers, years and quarters are combined in a fixed order, so the
same N gives the same files, and each file is a distinct report (issuer × year × quarter). File names say
``synthetic``: ``2021Q1_市发改委_synthetic_0005.txt``.

``--format pdf`` (or ``mixed``: every other file) typesets the edited dump as a PDF like the bureau's with
scripts/make_sample_pdfs.py (python-docx + LibreOffice; needs ``soffice`` and the Noto CJK fonts, about 2 s a
file, ``--jobs`` at once). Parsing a PDF costs about 10 times a text dump, which is what a backfill
parallelizes.

Generated files belong in a temporary folder or data/generated/ (ignored by git)::

    .venv/bin/python scripts/make_many_reports.py data/generated/txt --count 240
    .venv/bin/python scripts/make_many_reports.py data/generated/pdf --count 200 --format pdf --jobs 2
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

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
        written.append(target)
    if pdfs:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for done, _ in enumerate(pool.map(lambda item: write_pdf(*item), pdfs), start=1):
                if done % 10 == 0 or done == len(pdfs):
                    print(f"  {done}/{len(pdfs)} PDFs", file=sys.stderr)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="folder to write into (e.g. data/generated/txt or a temp folder)")
    parser.add_argument("--count", type=int, default=200, help="number of reports (default 200)")
    parser.add_argument("--format", choices=("txt", "pdf", "mixed"), default="txt", help="file format")
    parser.add_argument("--jobs", type=int, default=2, help="LibreOffice conversions at once (PDF only)")
    args = parser.parse_args(argv)
    files = make_reports(args.out, args.count, args.format, args.jobs)
    print(f"wrote {len(files)} synthetic report(s) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
