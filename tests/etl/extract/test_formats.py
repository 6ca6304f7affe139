"""The format registry: the one list every format-dependent thing is derived from."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from etl.errors import ReportError
from etl.extract.formats import FORMATS, SOURCE_FORMATS, SUFFIXES, format_of, preload_modules, source_format
from etl.extract.source import is_report_file, read_source
from etl.settings import PROJECT_ROOT

SAMPLES = PROJECT_ROOT / "data" / "samples"


def test_names_are_unique_and_every_suffix_belongs_to_one_format() -> None:
    names = [fmt.name for fmt in FORMATS]
    assert len(names) == len(set(names))
    suffixes = [suffix for fmt in FORMATS for suffix in fmt.suffixes]
    assert len(suffixes) == len(set(suffixes))
    assert all(re.fullmatch(r"\.[a-z0-9]+", suffix) for suffix in suffixes)
    assert set(suffixes) == SUFFIXES


def test_the_text_dump_is_last_and_takes_what_no_other_format_does(tmp_path: Path) -> None:
    assert FORMATS[-1].name == "text"
    odd = tmp_path / "report.dat"
    odd.write_text("市工信局 2024 年政府工作报告任务完成情况\n", encoding="utf-8")
    assert format_of(odd, odd.read_bytes()).name == "text"


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.txt", b"%PDF-1.7\n", "pdf"),  # content wins over the name
        ("a.pdf", b"\x89PNG\r\n\x1a\n....", "scan"),
        ("a.pdf", "标题\t序号".encode(), "misnamed_pdf"),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "legacy_office"),
        ("a.txt", b"<!DOCTYPE html><html>", "html"),
        ("a.htm", "标题".encode(), "html"),
        ("a.zip", b"PK\x03\x04not a zip", "zip"),  # an unreadable ZIP is refused as a ZIP
    ],
)
def test_the_content_decides_the_format(tmp_path: Path, name: str, head: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(head)
    assert format_of(path, head).name == expected


def test_a_refusing_entry_says_why_and_is_no_source_format(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(ReportError, match=r"legacy Excel 97-2003 workbook .* --convert-to xlsx 'old.xls'"):
        read_source(path)
    assert [fmt.name for fmt in FORMATS if fmt.refuses] == ["misnamed_pdf", "legacy_office", "zip"]
    assert set(SOURCE_FORMATS).isdisjoint(fmt.name for fmt in FORMATS if fmt.refuses)


def test_folder_search_takes_the_registry_suffixes(tmp_path: Path) -> None:
    for name in ("a.PDF", "b.tsv", "c.csvx", ".hidden.txt", "~$lock.docx", "d.htm"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir() if is_report_file(p)) == ["a.PDF", "b.tsv", "d.htm"]


def test_every_sample_reads_as_the_format_the_registry_names() -> None:
    for path in sorted(SAMPLES.glob("2024Q3_*")):
        raw = read_source(path)
        assert raw.source_format == format_of(path, path.read_bytes()).name


def test_a_report_can_only_carry_a_registered_source_format() -> None:
    assert source_format("html") == "html"
    with pytest.raises(ValueError, match="'csvx' is not a source format"):
        source_format("csvx")


def test_the_child_preloads_modules_that_exist() -> None:
    modules = preload_modules()
    assert "etl.extract.pdf" in modules and "etl.extract.text_dump" in modules
    for name in modules:
        importlib.import_module(name)


def test_readme_lists_each_format_once_with_its_suffixes() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| format | suffixes | reader |\n", 1)[1].split("\n\n", 1)[0]
    rows = {m[1]: m[2].split() for m in re.finditer(r"^\| `([a-z_]+)` \| ([^|]*) \|", table, re.MULTILINE)}
    assert rows == {fmt.name: list(fmt.suffixes) for fmt in FORMATS if not fmt.refuses}
