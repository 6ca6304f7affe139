"""The format registry: the one list every format-dependent thing is derived from, found from the modules of
etl.extract.readers (tests/etl/extract/test_format_discovery.py adds one from outside the package)."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from etl.errors import ReportError
from etl.extract.formats import (
    FORMATS,
    SOURCE_FORMATS,
    SUFFIXES,
    discover_formats,
    format_of,
    preload_modules,
    source_format,
)
from etl.extract.source import is_report_file, read_source
from etl.settings import PROJECT_ROOT

SAMPLES = PROJECT_ROOT / "data" / "samples"
README = PROJECT_ROOT / "README.md"


# The formats of today, in the order they have always been tried. A new format may take any place among them (its
# module says which), so only their order relative to each other is held here: adding one edits nothing in this file.
TRIED_TODAY = ("pdf", "scan", "misnamed_pdf", "docx", "xlsx", "legacy_office", "zip", "html", "text")


def test_the_formats_are_tried_in_the_order_they_always_were() -> None:
    """The content tests overlap (a PDF named .txt, a .docx is a ZIP, anything is a text dump), so the order is
    behaviour: each module says its place (Format.tried) and the registry sorts by it, not by the module's name."""
    names = [fmt.name for fmt in FORMATS]
    assert [name for name in names if name in TRIED_TODAY] == list(TRIED_TODAY)
    assert set(TRIED_TODAY) <= set(names) and names[-1] == "text"
    assert [fmt.tried for fmt in FORMATS] == sorted(fmt.tried for fmt in FORMATS)
    assert names != sorted(names)  # the order is not the listing's


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


def readme_disagreement(readme: str, formats: Iterable[tuple[str, Iterable[str], bool]]) -> dict[str, object]:
    """Where README's table of formats and the registry differ: format name → (README's suffixes, the registry's),
    None for a side that lacks it. ``formats``: (name, suffixes, refuses) of each format; a refusal has no row."""
    table = readme.split("| format | suffixes | reader |\n", 1)[1].split("\n\n", 1)[0]
    rows = {m[1]: m[2].split() for m in re.finditer(r"^\| `([a-z_0-9]+)` \| ([^|]*) \|", table, re.MULTILINE)}
    registry = {name: list(suffixes) for name, suffixes, refuses in formats if not refuses}
    return {
        name: (rows.get(name), registry.get(name))
        for name in rows.keys() | registry
        if rows.get(name) != registry.get(name)
    }


def test_readme_lists_each_format_once_with_its_suffixes() -> None:
    readme = README.read_text(encoding="utf-8")
    assert readme_disagreement(readme, [(fmt.name, fmt.suffixes, fmt.refuses) for fmt in FORMATS]) == {}
    wrong = readme.replace("| `html` | .html .htm |", "| `html` | .html |")
    assert readme_disagreement(wrong, [(fmt.name, fmt.suffixes, fmt.refuses) for fmt in FORMATS]) == {
        "html": ([".html"], [".html", ".htm"])
    }


def test_importing_the_registry_imports_no_reading_library() -> None:
    """Finding the formats imports every module of etl.extract.readers: they must stay cheap (a reader imports its
    library when a file arrives), or every folder search and CLI start would pay for PDFium, OCR and lxml."""
    code = (
        "import sys\nfrom etl.extract.formats import FORMATS\nassert len(FORMATS) >= 9\n"
        "heavy = {'pypdfium2', 'pdfplumber', 'pdfminer', 'docx', 'openpyxl', 'lxml', 'PIL', 'numpy',"
        " 'rapidocr_onnxruntime', 'onnxruntime', 'cv2', 'pandas', 'duckdb'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in"
        " {'etl.extract.pdf', 'etl.extract.ocr', 'etl.extract.docx', 'etl.extract.html', 'etl.extract.text_dump'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def write_package(root: Path, name: str, modules: dict[str, str]) -> str:
    """A package ``name`` under ``root`` holding ``modules`` (module name → source)."""
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for module, source in modules.items():
        (package / f"{module}.py").write_text(source, encoding="utf-8")
    return name


DECLARES = (
    "from etl.extract.formats import Format\n\nFORMAT = Format({name!r}, 'x', (), lambda p: True, None, {tried})\n"
)


def test_discovery_sorts_by_place_and_refuses_a_tie_a_misnamed_or_an_undeclared_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    good = write_package(
        tmp_path, "formats_sorted", {"b": DECLARES.format(name="b", tried=1), "a": DECLARES.format(name="a", tried=2)}
    )
    assert [fmt.name for fmt in discover_formats(good)] == ["b", "a"]
    tie = write_package(
        tmp_path, "formats_tied", {"a": DECLARES.format(name="a", tried=5), "b": DECLARES.format(name="b", tried=5)}
    )
    with pytest.raises(ValueError, match="formats 'a' and 'b' are both tried 5"):
        discover_formats(tie)
    misnamed = write_package(tmp_path, "formats_misnamed", {"csv": DECLARES.format(name="tsv", tried=1)})
    with pytest.raises(ValueError, match=r"formats_misnamed.csv declares the format 'tsv'"):
        discover_formats(misnamed)
    undeclared = write_package(tmp_path, "formats_undeclared", {"helpers": "SPLIT = ','\n"})
    with pytest.raises(TypeError, match=r"formats_undeclared.helpers declares no FORMAT"):
        discover_formats(undeclared)
