"""Office packages (.xlsx, .docx) that would be read wrong or not at all (issue 22, defects 5 and 12):

- an .xlsx cell holding a formula without a saved value (openpyxl and scripts write such files; Excel, WPS and
  LibreOffice save the value beside the formula) was read as an empty cell, silently: refused, naming the cell;
- a ZIP member that unzips to far more than any report (a zip bomb) held a worker for the whole time limit: refused
  from the package's directory before any parsing, saying what it is.

Formula cells are made two ways: openpyxl writing a formula (it never stores a value), and the XML of a
LibreOffice-written workbook edited so that a cell holds a formula and no value.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl.errors import ReportError
from etl.extract.package import MAX_UNZIPPED_MB
from etl.extract.source import read_source

LAYOUTS = Path(__file__).parents[2] / "fixtures" / "formats" / "layouts"
CALC = LAYOUTS / "calc_landscape_serif_10_even.xlsx"  # LibreOffice's export of the real report (derived)
WORD = LAYOUTS / "word_portrait_sans_10.5.docx"


def _rewrite(source: Path, target: Path, member: str, edit: object) -> Path:
    """A copy of a package with one member replaced (``edit``: new bytes, or a function of the old bytes)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == member:
                data = edit(data) if callable(edit) else edit  # type: ignore[assignment]
            new.writestr(info.filename, data)
    return target


def test_a_formula_written_by_openpyxl_without_a_value_is_refused_naming_the_cell(tmp_path: Path) -> None:
    workbook = load_workbook(CALC)
    workbook.active["I6"] = '=CONCAT("项目进程", "持续推进中。")'  # 落实情况 of task 4
    path = tmp_path / "formula.xlsx"
    workbook.save(path)
    with pytest.raises(ReportError, match=r"cell I6: .*formula.*no saved value") as caught:
        read_source(path)
    assert "CONCAT" in str(caught.value) and "完成情况" in str(caught.value)  # the sheet is named too


def test_a_formula_cell_without_a_value_in_a_libreoffice_file_is_refused(tmp_path: Path) -> None:
    def formula_without_value(xml: bytes) -> bytes:
        start = xml.index(b'<c r="I4"')
        end = xml.index(b"</c>", start) + len(b"</c>")
        return xml[:start] + '<c r="I4" s="4"><f>"全市新增"&amp;"6户。"</f></c>'.encode() + xml[end:]

    path = _rewrite(CALC, tmp_path / "edited.xlsx", "xl/worksheets/sheet1.xml", formula_without_value)
    with pytest.raises(ReportError, match=r"cell I4: .*no saved value"):
        read_source(path)


def test_a_formula_with_its_saved_value_is_read_as_that_value(tmp_path: Path) -> None:
    def formula_with_value(xml: bytes) -> bytes:
        start = xml.index(b'<c r="I4"')
        end = xml.index(b"</c>", start) + len(b"</c>")
        cell = '<c r="I4" s="4" t="str"><f>"全市新增"&amp;"6户。"</f><v>全市新增“小巨人”企业6户。</v></c>'
        return xml[:start] + cell.encode() + xml[end:]

    path = _rewrite(CALC, tmp_path / "saved.xlsx", "xl/worksheets/sheet1.xml", formula_with_value)
    assert read_source(path).rows[0].cell("progress") == "全市新增“小巨人”企业6户。"


def _bomb(size_mb: int) -> bytes:
    """An XML member that deflates to a few hundred KB and unzips to ``size_mb`` MB."""
    return b"<x>" + b" " * (size_mb * 1_000_000) + b"</x>"


@pytest.mark.parametrize(
    ("source", "member"), [(CALC, "xl/worksheets/sheet1.xml"), (WORD, "word/document.xml")], ids=["xlsx", "docx"]
)
def test_a_zip_bomb_is_refused_before_parsing_saying_what_it_is(tmp_path: Path, source: Path, member: str) -> None:
    path = _rewrite(source, tmp_path / f"bomb{source.suffix}", member, _bomb(MAX_UNZIPPED_MB + 36))
    assert path.stat().st_size < 2_000_000
    with pytest.raises(ReportError, match=r"zip bomb") as caught:
        read_source(path)
    message = str(caught.value)
    assert member in message and f"{MAX_UNZIPPED_MB} MB" in message and "unknown error" not in message


def test_a_member_that_unzips_to_more_than_its_declared_size_is_refused(tmp_path: Path) -> None:
    """A directory that understates a member's size: reading stops at the declared size (CRC check), never more."""
    path = _rewrite(CALC, tmp_path / "lying.xlsx", "xl/worksheets/sheet1.xml", _bomb(MAX_UNZIPPED_MB + 36))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    name = info.filename.encode()
    central = data.rindex(name) - 46  # its central directory entry: the name follows a 46-byte header
    assert data[central : central + 4] == b"PK\x01\x02"
    for at in (info.header_offset + 22, central + 24):  # uncompressed size: local header, central directory
        data[at : at + 4] = (70_000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(ReportError, match=r"not a readable Excel workbook"):
        read_source(path)


def test_the_real_packages_are_far_below_the_bound() -> None:
    for path in (CALC, WORD):
        with zipfile.ZipFile(path) as archive:
            assert sum(i.file_size for i in archive.infolist()) < MAX_UNZIPPED_MB * 1_000_000 / 50
