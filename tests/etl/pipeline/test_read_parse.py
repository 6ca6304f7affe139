"""Reading and parsing a file: any failure is that file's rejection, named; results cross process boundaries."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import pytest

import etl.pipeline.read as read
from etl.digest import sha256_file
from etl.pipeline.read import read_and_parse, read_batch
from tests.conftest import REAL_PDF, REAL_TEXT_DUMP


def test_a_report_is_read_and_parsed_and_survives_pickling() -> None:
    parsed = read_and_parse(str(REAL_TEXT_DUMP))
    assert parsed.error is None and parsed.report is not None
    assert parsed.sha256 == sha256_file(REAL_TEXT_DUMP) == parsed.report.raw.source_sha256
    assert pickle.loads(pickle.dumps(parsed)) == parsed


def test_a_bad_file_is_an_error_naming_the_file_and_the_batch_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "no_title.txt"
    bad.write_text("\n".join(REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")[3:]), encoding="utf-8")
    missing = tmp_path / "gone.txt"
    parsed = read_batch([str(bad), str(missing), str(REAL_TEXT_DUMP)])
    assert [p.report is not None for p in parsed] == [False, False, True]
    assert parsed[0].error is not None and parsed[0].error.startswith("no_title.txt: ")
    assert parsed[1].error is not None and "gone.txt" in parsed[1].error


@pytest.mark.parametrize("error", [KeyError("cell"), IndexError("list index out of range"), ValueError("odd")])
def test_any_exception_of_the_extractor_or_parser_rejects_only_that_file(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    """Defect 1 of issue 16 (pipeline side): an unexpected exception used to stop the run; now it is a rejection.

    The fault is injected into the parser for one file only; the other file of the batch is parsed for real. The
    child's parsed report of that file is dropped (as when parsing failed in the child), so it is parsed here.
    """
    real_parse = read.parse_report
    real_extract = read.extract_guarded

    def extract(path, limits=None, pool=None, then=None):  # type: ignore[no-untyped-def]
        extracted = real_extract(path, limits, pool, then)
        return replace(extracted, then=None) if path.name == REAL_PDF.name else extracted

    def parse(raw, declared=None):  # type: ignore[no-untyped-def]
        if raw.source_file == REAL_PDF.name:
            raise error
        return real_parse(raw, declared)

    monkeypatch.setattr(read, "parse_report", parse)
    monkeypatch.setattr(read, "extract_guarded", extract)
    broken, good = read_batch([str(REAL_PDF), str(REAL_TEXT_DUMP)])
    assert good.report is not None
    assert broken.report is None and broken.error is not None
    assert broken.error.startswith(f"{REAL_PDF.name}: could not be read: {type(error).__name__}")
    assert "test_read_parse.py" in broken.error  # where it was raised, for the bug report


def test_the_report_parsed_in_the_child_is_used_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file is parsed once, in the guarded child (its limits bound the parse); this process does not parse again,
    and what the child sent equals what parsing here gives."""
    parsed_here: list[str] = []
    real_parse = read.parse_report

    def parse(raw):  # type: ignore[no-untyped-def]
        parsed_here.append(raw.source_file)
        return real_parse(raw)

    monkeypatch.setattr(read, "parse_report", parse)
    good = read_and_parse(str(REAL_PDF))
    assert good.report is not None and parsed_here == []
    assert good.report == real_parse(good.report.raw)


def test_a_file_the_child_could_not_parse_is_parsed_here_for_its_error(tmp_path: Path) -> None:
    """A file that reads but does not parse (a status written in both mark columns): no report comes back from the
    child, and the error is the parse step's, naming file, page, line and column."""
    lines = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
    cells = lines[6].split("\t")
    cells[7] = "✓"
    lines[6] = "\t".join(cells)
    bad = tmp_path / "both_marks.txt"
    bad.write_text("\n".join(lines), encoding="utf-8")
    extracted = read.extract_guarded(bad, None, None, read.PARSE_IN_CHILD)
    assert extracted.then is None and extracted.raw.source_file == "both_marks.txt"
    parsed = read_and_parse(str(bad))
    assert parsed.report is None and parsed.error is not None
    assert parsed.error.startswith("both_marks.txt: page 1, line 7, column 已完成: status in both columns")


def test_the_child_runs_the_step_it_is_handed_and_nothing_without_one() -> None:
    """extract knows no parse step: the pipeline hands one (by reference) and gets its result; without one the
    child only reads."""
    assert read.extract_guarded(REAL_TEXT_DUMP).then is None
    extracted = read.extract_guarded(REAL_TEXT_DUMP, None, None, read.PARSE_IN_CHILD)
    assert extracted.then is not None and extracted.then == read.parse_report(extracted.raw)
    counted = read.extract_guarded(REAL_TEXT_DUMP, None, None, len_of_rows)
    assert counted.then == len(extracted.raw.rows)


def len_of_rows(raw: object) -> int:
    """A step of this test's own for the child (module level: a step is sent by reference)."""
    return len(raw.rows)  # type: ignore[attr-defined]
