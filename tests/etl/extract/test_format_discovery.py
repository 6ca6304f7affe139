"""A new input format touches its reader module, its test and one README line (issue 24), shown by doing it.

A format is added the way a maintainer would, without changing any file of the project: its module (the one a
maintainer would save as src/etl/extract/readers/psv.py) is written to a temporary folder that is put on the
readers package's search path, in a fresh interpreter, so nothing of this test process is altered. The registry
finds it; the folder search, the dispatch and the allowed source_format values follow; README's table test fails
until the format's line is added. The format is pipe-separated values (.psv), one the project does not read, so
this test stays true whatever formats are added for real.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from etl.extract.formats import FORMATS, SOURCE_FORMATS, SUFFIXES, preload_modules
from tests.conftest import REAL_TEXT_DUMP
from tests.etl.extract.test_formats import README, readme_disagreement

NAME = "psv"
# What the new maintainer writes: the format's declaration and a reader that is only a splitter in front of the text
# dump's table assembler (etl.extract.text_dump.delimited_report); tried just before the text dump, the catch-all.
READER = '''"""Pipe-separated values: the report table with its cells split by "|"."""

from __future__ import annotations

from pathlib import Path

from etl.extract.formats import Format
from etl.extract.template import TemplateSet
from etl.models import RawReport


def read(path: Path, templates: TemplateSet) -> RawReport:
    from etl.extract.text_dump import decode_text, delimited_report, split_lines

    data = path.read_bytes()
    lines = [line.split("|") for line in split_lines(decode_text(data, path.name))]
    return delimited_report(data, path.name, lines, templates, "psv", separated="pipe-separated")


FORMAT = Format(
    name="psv",
    describes="pipe-separated values",
    suffixes=(".psv",),
    matches=lambda probe: probe.path.suffix.lower() == ".psv",
    read=read,
    tried={tried},
)
'''

# Run in a fresh interpreter: the maintainer's folder joins the readers package, then the library is used as it
# always is.
TRIAL = """
import json, sys
from pathlib import Path
import etl.extract.readers
etl.extract.readers.__path__.append(sys.argv[1])
from etl.errors import ReportError
from etl.extract.formats import FORMATS, SOURCE_FORMATS, SUFFIXES, format_of, preload_modules, source_format
from etl.extract.source import is_report_file, read_source

new_file, text_file, bad_file = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
as_new, as_text = read_source(new_file), read_source(text_file)
same = {"source_file", "source_sha256", "source_format", "byte_size"}
try:
    read_source(bad_file)
    refused = ""
except ReportError as exc:
    refused = str(exc)
print(json.dumps({
    "formats": [[fmt.name, list(fmt.suffixes), fmt.refuses] for fmt in FORMATS],
    "suffix_listed": ".psv" in SUFFIXES,
    "source_formats": list(SOURCE_FORMATS),
    "allowed": source_format("psv"),
    "folder_search_takes_it": is_report_file(new_file),
    "dispatched_to": format_of(new_file, new_file.read_bytes()).name,
    "read_as": as_new.source_format,
    "rows": len(as_new.rows),
    "same_report_as_the_text_dump": as_new.model_dump(exclude=same) == as_text.model_dump(exclude=same),
    "refused": refused,
    "preload": list(preload_modules()),
}))
"""


def run_trial(tmp_path: Path) -> dict[str, Any]:
    assert NAME not in {fmt.name for fmt in FORMATS}, "the trial format became a real one: pick another"
    text = FORMATS[-1]
    tried = text.tried - 1  # just before the catch-all text dump, a place no format holds
    assert tried not in {fmt.tried for fmt in FORMATS}
    readers = tmp_path / "maintainer"
    readers.mkdir()
    (readers / f"{NAME}.py").write_text(READER.replace("{tried}", str(tried)), encoding="utf-8")
    dump = REAL_TEXT_DUMP.read_text(encoding="utf-8")
    assert "|" not in dump
    report, bad = tmp_path / "2024Q3_report.psv", tmp_path / "bad.psv"
    report.write_text(dump.replace("\t", "|"), encoding="utf-8")
    lines = dump.split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("1\t"))
    lines[row] += "\textra"
    bad.write_text("\n".join(lines).replace("\t", "|"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", TRIAL, str(readers), str(report), str(REAL_TEXT_DUMP), str(bad)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    found["bad_row_line"] = row + 1
    return found


def test_a_format_added_as_one_module_is_registered_dispatched_and_allowed(tmp_path: Path) -> None:
    assert ".psv" not in SUFFIXES and NAME not in SOURCE_FORMATS  # what the module alone changes
    trial = run_trial(tmp_path)
    names = [name for name, _, _ in trial["formats"]]
    assert names == [*(fmt.name for fmt in FORMATS[:-1]), NAME, "text"]  # its place: just before the catch-all
    assert trial["suffix_listed"] and trial["folder_search_takes_it"]
    assert trial["source_formats"] == [*SOURCE_FORMATS[:-1], NAME, "text"] and trial["allowed"] == NAME
    assert trial["dispatched_to"] == NAME and trial["read_as"] == NAME
    assert trial["rows"] == 34 and trial["same_report_as_the_text_dump"]
    # Its errors are the assembler's, naming the line and the format's own separator.
    assert f"line {trial['bad_row_line']}: expected 9 pipe-separated cells, found 10" in trial["refused"]
    assert trial["preload"] == list(preload_modules())


def test_the_readme_table_test_fails_until_the_new_format_has_its_line(tmp_path: Path) -> None:
    formats = [(name, suffixes, refuses) for name, suffixes, refuses in run_trial(tmp_path)["formats"]]
    readme = README.read_text(encoding="utf-8")
    assert readme_disagreement(readme, formats) == {NAME: (None, [".psv"])}
    text_row = next(line for line in readme.splitlines() if line.startswith("| `text` |"))
    new_row = f"| `{NAME}` | .psv | `extract/readers/{NAME}.py` (pipe-separated) |"
    with_line = readme.replace(text_row, f"{new_row}\n{text_row}")
    assert readme_disagreement(with_line, formats) == {}
