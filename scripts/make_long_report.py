"""Write the text dump of a long synthetic report: the real report's tasks repeated and renumbered.

The real 2024 Q3 report (data/samples/2024Q3_市工信局_政府工作报告任务完成情况.txt) has 17 tasks of two rows
each and prints on 12 landscape pages. Repeating its tasks ``--copies`` times (27 by default: 459 tasks, 918
rows), numbered 1, 2, 3 … in order, and titling it as a 2025 Q3 report of the same bureau gives a report of
302 pages when typeset by scripts/make_sample_pdfs.py with its defaults (landscape, Noto Serif CJK SC 10.5 pt):
what tests/reliability/test_hostile_pdfs.py reads to show that a long report is extracted in bounded memory.
Only the task numbers and the title differ from the real report; the content is the real report's, the report
itself is synthetic (its file names say so).

The dump is written in the ETL's text-dump format (title, the real two-line header, nine tab-separated cells per
row); the test rebuilds it with this script (no LibreOffice needed) and compares the PDF's records with it.

Usage (the second step needs LibreOffice's ``soffice``; the PDF is committed, so the tests do not)::

    .venv/bin/python scripts/make_long_report.py /tmp/2025Q3_市工信局_synthetic_long.txt
    PYTHONPATH=src:. .venv/bin/python scripts/make_sample_pdfs.py /tmp/2025Q3_市工信局_synthetic_long.txt \\
        tests/fixtures/reliability/2025Q3_市工信局_synthetic_long.pdf
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data" / "samples" / "2024Q3_市工信局_政府工作报告任务完成情况.txt"
TITLE = "市工信局 2025 年政府工作报告任务 三季度完成情况"
DEFAULT_COPIES = 27


def long_dump(copies: int = DEFAULT_COPIES, source: Path = REAL, title: str = TITLE) -> str:
    """The dump's text: title, the source's first two-line header, then its body rows ``copies`` times."""
    lines = source.read_text(encoding="utf-8").split("\n")
    header_at = next(i for i, line in enumerate(lines) if line.startswith("序号\t"))
    header = lines[header_at : header_at + 2]
    body = [line for line in lines[header_at:] if line.strip() and not _is_header(line)]
    tasks: list[list[list[str]]] = []
    for line in body:
        cells = line.split("\t")
        if cells[0].strip():
            tasks.append([cells])
        else:
            tasks[-1].append(cells)
    out = ["", "", title, "", *header]
    number = 0
    for _ in range(copies):
        for rows in tasks:
            number += 1
            out.append("\t".join([str(number), *rows[0][1:]]))
            out.extend("\t".join(cells) for cells in rows[1:])
    return "\n".join(out) + "\n"


def _is_header(line: str) -> bool:
    first = line.split("\t")[0].strip()
    return first == "序号" or (not first and "已完成" in line and "未完成" in line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("output", type=Path, help="the text dump to write")
    parser.add_argument("--copies", type=int, default=DEFAULT_COPIES, help="times the real report's tasks repeat")
    args = parser.parse_args(argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(long_dump(args.copies), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
