"""A new input format touches its reader module, its test and one README line (issue 24), shown by doing it.

A CSV format is added the way a maintainer would, without changing any file of the project: its module (the one a
maintainer would save as src/etl/extract/readers/csv.py) is written to a temporary folder that is put on the
readers package's search path, in a fresh interpreter, so nothing of this test process is altered. The registry
finds it; the folder search, the dispatch and the allowed source_format values follow; README's table test fails
until the format's line is added.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from etl.extract.formats import FORMATS, SOURCE_FORMATS, SUFFIXES, preload_modules
from tests.conftest import REAL_TEXT_DUMP
from tests.etl.extract.test_formats import README, readme_disagreement

# What the new maintainer writes: the format's declaration and a reader that is only a splitter in front of the text
# dump's table assembler (etl.extract.text_dump.delimited_report). Tried just before the text dump, the catch-all.
CSV_READER = '''"""Comma-separated values: the report table with its cells split by commas (quoted as RFC 4180 says)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from etl.extract.formats import Format
from etl.extract.template import TemplateSet
from etl.models import RawReport


def read(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.text_dump import decode_text, delimited_report

    data = path.read_bytes()
    # A blank line stays a line ([""]): line numbers in errors are the file's.
    lines = [row or [""] for row in csv.reader(io.StringIO(decode_text(data, path.name), newline=""))]
    return delimited_report(data, path.name, lines, templates, "csv")


FORMAT = Format(
    name="csv",
    describes="comma-separated values",
    suffixes=(".csv",),
    matches=lambda probe: probe.path.suffix.lower() == ".csv",
    read=read,
    tried=850,
)
'''

# Run in a fresh interpreter: the maintainer's folder joins the readers package, then the library is used as it
# always is.
TRIAL = """
import json, sys
import etl.extract.readers
etl.extract.readers.__path__.append(sys.argv[1])
from etl.extract.formats import FORMATS, SOURCE_FORMATS, SUFFIXES, format_of, preload_modules, source_format
from etl.extract.source import is_report_file, read_source

csv_file, text_file = __import__("pathlib").Path(sys.argv[2]), __import__("pathlib").Path(sys.argv[3])
as_csv, as_text = read_source(csv_file), read_source(text_file)
same = {"source_file", "source_sha256", "source_format", "byte_size"}
print(json.dumps({
    "formats": [[fmt.name, list(fmt.suffixes), fmt.refuses] for fmt in FORMATS],
    "suffix_listed": ".csv" in SUFFIXES,
    "source_formats": list(SOURCE_FORMATS),
    "allowed": source_format("csv"),
    "folder_search_takes_it": is_report_file(csv_file),
    "dispatched_to": format_of(csv_file, csv_file.read_bytes()).name,
    "read_as": as_csv.source_format,
    "rows": len(as_csv.rows),
    "same_report_as_the_text_dump": as_csv.model_dump(exclude=same) == as_text.model_dump(exclude=same),
    "preload": list(preload_modules()),
}))
"""


def as_csv(text_dump: Path) -> str:
    """The real text dump's cells, comma-separated: the table a CSV export of the same report holds."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lines = text_dump.read_text(encoding="utf-8").split("\n")
    for line in lines[:-1] if lines[-1] == "" else lines:  # the real dump has no line end after its last row
        writer.writerow(line.split("\t"))
    return out.getvalue()


def run_trial(tmp_path: Path) -> dict[str, Any]:
    readers = tmp_path / "maintainer"
    readers.mkdir()
    (readers / "csv.py").write_text(CSV_READER, encoding="utf-8")
    report = tmp_path / "2024Q3_report.csv"
    report.write_text(as_csv(REAL_TEXT_DUMP), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", TRIAL, str(readers), str(report), str(REAL_TEXT_DUMP)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_a_format_added_as_one_module_is_registered_dispatched_and_allowed(tmp_path: Path) -> None:
    assert ".csv" not in SUFFIXES and "csv" not in SOURCE_FORMATS  # what the module alone changes
    assert "," in as_csv(REAL_TEXT_DUMP) and "\t" not in as_csv(REAL_TEXT_DUMP)
    trial = run_trial(tmp_path)
    names = [name for name, _, _ in trial["formats"]]
    assert names == [*(fmt.name for fmt in FORMATS[:-1]), "csv", "text"]  # its place: just before the catch-all
    assert trial["suffix_listed"] and trial["folder_search_takes_it"]
    assert trial["source_formats"] == [*SOURCE_FORMATS[:-1], "csv", "text"] and trial["allowed"] == "csv"
    assert trial["dispatched_to"] == "csv" and trial["read_as"] == "csv"
    assert trial["rows"] == 34 and trial["same_report_as_the_text_dump"]
    assert trial["preload"] == list(preload_modules())


def test_the_readme_table_test_fails_until_the_new_format_has_its_line(tmp_path: Path) -> None:
    formats = [(name, suffixes, refuses) for name, suffixes, refuses in run_trial(tmp_path)["formats"]]
    readme = README.read_text(encoding="utf-8")
    assert readme_disagreement(readme, formats) == {"csv": (None, [".csv"])}
    text_row = next(line for line in readme.splitlines() if line.startswith("| `text` |"))
    with_line = readme.replace(text_row, f"| `csv` | .csv | `extract/readers/csv.py` (comma-separated) |\n{text_row}")
    assert readme_disagreement(with_line, formats) == {}
