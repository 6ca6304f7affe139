"""Build the Word/Excel fixtures (tests/fixtures/formats/) from the real text dump, and their manifest.

Every file is made by the project's own generators from data/samples/2024Q3_市工信局_政府工作报告任务完成情况.txt:

- ``layouts/<layout>.docx|.xlsx``: the source document of each of the 17 PDF layouts of tests/fixtures/pdf_layouts
  (scripts/make_pdf_layouts.py), written by the same builders with the same options (scripts/make_sample_pdfs.py
  ``build_docx``, scripts/make_sample_xlsx_pdf.py ``build_xlsx``), without printing them: the Word/Excel reader
  must give the same records as those PDFs. A hostile layout's source is the clean document before its PDF was
  damaged (doubled text, fonts without /ToUnicode, a scan): it must read like the clean report;
- ``changed_template_synthetic.docx`` / ``.pdf``: a SYNTHETIC later-year template of the real report: headers
  reworded (重点任务, 牵头单位, 联系电话, 类别, 1-9月, 工作进展), columns moved (the responsible units and phone
  at the right), one extra column 备注 whose cells say which task and row kind they stand beside; the PDF is the
  .docx printed by LibreOffice Writer (needs ``soffice`` and fonts-noto-cjk);
- ``workbook_with_cover_sheet.xlsx``: the Calc layout's workbook with a cover sheet (说明) in front of the table;
- ``legacy.doc`` / ``legacy.xls``: the Word and Excel sources saved by LibreOffice in the 97-2003 formats, which
  must be refused with how to convert them.

Usage (LibreOffice only for the changed template's PDF and the legacy files)::

    PYTHONPATH=src:. .venv/bin/python scripts/make_format_fixtures.py
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.shared import Mm
from openpyxl import load_workbook

from scripts.make_pdf_layouts import CALC, LAYOUTS, WORD
from scripts.make_sample_pdfs import (
    Layout,
    Task,
    add_page_number_footer,
    add_title,
    build_docx,
    convert_to_pdf,
    load_tasks,
    mark_header_row,
    setup_document,
    write_cell,
)
from scripts.make_sample_xlsx_pdf import build_xlsx

ROOT = Path(__file__).resolve().parents[1]
DUMP = ROOT / "data" / "samples" / "2024Q3_市工信局_政府工作报告任务完成情况.txt"
OUT = ROOT / "tests" / "fixtures" / "formats"

# The changed template: (header, field of the real report it shows, width in mm). 已完成/未完成 sit under 完成情况.
CHANGED_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("序号", "task_no", 10),
    ("重点任务", "task_title", 36),
    ("类别", "plan_kind", 13),
    ("1-9月", "period_plan", 48),
    ("已完成", "done", 17),
    ("未完成", "not_done", 17),
    ("工作进展", "progress", 52),
    ("牵头单位", "responsible", 32),
    ("联系电话", "supervision", 19),
    ("备注", "remark", 17),
)
TASK_FIELDS = ("task_no", "task_title", "responsible", "supervision")


def _option(command: tuple[str, ...], name: str, default: str) -> str:
    return command[command.index(name) + 1] if name in command else default


def build_layout_source(name: str, command: tuple[str, ...], out_dir: Path) -> Path:
    """The .docx or .xlsx a layout's PDF was printed from, made by the same builder with the same options."""
    orientation = _option(command, "--orientation", "landscape")
    font = _option(command, "--font", "Noto Serif CJK SC")
    size = float(_option(command, "--font-size", "10.5"))
    marks = _option(command, "--marks", "source")
    if command[1] == WORD:
        layout = Layout(
            orientation=orientation,
            font=font,
            font_size=size,
            marks=marks,
            repeat_header="--no-repeat-header" not in command,
            other_table="--other-table" in command,
        )
        target = out_dir / f"{name}.docx"
        build_docx(DUMP, target, layout)
        return target
    if command[1] == CALC:
        target = out_dir / f"{name}.xlsx"
        columns = _option(command, "--columns", "even")
        build_xlsx(DUMP, target, orientation=orientation, font=font, font_size=size, columns=columns, marks=marks)
        return target
    raise ValueError(f"layout {name}: first command is neither {WORD} nor {CALC}")


def remark(task: Task, row: int) -> str:
    """The synthetic 备注 cell: which task and row kind it stands beside (so a test can check each is kept)."""
    return f"任务{task.number}{task.rows[row].plan_kind}"


def build_changed_template(target: Path) -> None:
    """The SYNTHETIC changed-template Word document (see the module docstring)."""
    title, _quarter_header, tasks = load_tasks(DUMP)
    layout = Layout(orientation="landscape", font="Noto Serif CJK SC", font_size=10.5)
    doc = setup_document(layout, title, DUMP.name)
    doc.core_properties.subject = "SYNTHETIC changed template of the real report (headers, column order, 备注)"
    add_page_number_footer(doc)
    add_title(doc, title, layout)
    rows = 2 + sum(len(task.rows) for task in tasks)
    table = doc.add_table(rows=rows, cols=len(CHANGED_COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for index, (_, _, width) in enumerate(CHANGED_COLUMNS):
        table.columns[index].width = Mm(width)
        for cell in table.columns[index].cells:
            cell.width = Mm(width)
    top, bottom = table.rows[0], table.rows[1]
    done = [field for _, field, _ in CHANGED_COLUMNS].index("done")
    for column, (header, field, _) in enumerate(CHANGED_COLUMNS):
        if field == "done":
            write_cell(top.cells[column], ("完成情况",), center=True, bold=True)
            write_cell(bottom.cells[column], (header,), center=True, bold=True)
        elif field == "not_done":
            write_cell(bottom.cells[column], (header,), center=True, bold=True)
        else:
            write_cell(top.cells[column], (header,), center=True, bold=True)
    top.cells[done].merge(top.cells[done + 1])
    for column, (_, field, _) in enumerate(CHANGED_COLUMNS):
        if field not in ("done", "not_done"):
            top.cells[column].merge(bottom.cells[column])
    for row in (top, bottom):
        mark_header_row(row)
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    index = 2
    for task in tasks:
        task_rows = [table.rows[index + offset] for offset in range(len(task.rows))]
        for column, (_, field, _) in enumerate(CHANGED_COLUMNS):
            if field in TASK_FIELDS:
                value = {"task_no": task.number, "task_title": task.title, "responsible": task.responsible,
                         "supervision": task.supervision}[field]  # fmt: skip
                write_cell(task_rows[0].cells[column], (value,), center=field in ("task_no", "supervision"))
                if len(task_rows) > 1:
                    task_rows[0].cells[column].merge(task_rows[-1].cells[column])
                continue
            for offset, (row, body) in enumerate(zip(task_rows, task.rows, strict=True)):
                lines = {
                    "plan_kind": (body.plan_kind,),
                    "period_plan": body.plan_lines,
                    "done": (body.done,),
                    "not_done": (body.not_done,),
                    "progress": body.progress_lines,
                    "remark": (remark(task, offset),),
                }[field]
                write_cell(row.cells[column], lines, center=field in ("plan_kind", "done", "not_done"))
        index += len(task.rows)
    doc.save(str(target))


def add_cover_sheet(source: Path, target: Path) -> None:
    """The workbook with a cover sheet (说明) in front of the table's sheet."""
    workbook = load_workbook(source)
    cover = workbook.create_sheet("说明", 0)
    cover["A1"] = "填报说明（SYNTHETIC cover sheet）"
    cover["A2"] = "本表按季度填报，完成情况在已完成或未完成栏内打√。"
    workbook.active = 0
    workbook.save(str(target))


def convert(source: Path, target_format: str, out_dir: Path) -> Path:
    """A file saved by LibreOffice in another format (doc, xls), with a private profile."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed")
    profile = out_dir / "lo-profile"
    command = [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--convert-to",
               target_format, "--outdir", str(out_dir), str(source)]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return out_dir / f"{source.stem}.{target_format}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.parse_args(argv)
    layouts_dir = OUT / "layouts"
    layouts_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for layout in LAYOUTS:
        source = build_layout_source(layout.name, layout.commands[0], layouts_dir)
        other = "--other-table" in layout.commands[0]
        # A hostile layout's source is the clean document; its mark set is the one it was built with.
        marks = _option(layout.commands[0], "--marks", "source")
        entries.append(
            {
                "name": layout.name,
                "file": f"layouts/{source.name}",
                "pdf": f"pdf_layouts/{layout.name}.pdf",
                "marks": marks,
                "expect_error": layout.error if other else None,
            }
        )
    with tempfile.TemporaryDirectory(prefix="format_fixtures_") as tmp:
        work = Path(tmp)
        changed = OUT / "changed_template_synthetic.docx"
        build_changed_template(changed)
        shutil.copyfile(convert_to_pdf(changed, work), OUT / "changed_template_synthetic.pdf")
        add_cover_sheet(layouts_dir / "calc_landscape_serif_10_even.xlsx", OUT / "workbook_with_cover_sheet.xlsx")
        shutil.copyfile(layouts_dir / "word_landscape_serif_10.5.docx", work / "legacy.docx")
        shutil.copyfile(layouts_dir / "calc_landscape_serif_10_even.xlsx", work / "legacy.xlsx")
        shutil.copyfile(convert(work / "legacy.docx", "doc", work), OUT / "legacy.doc")
        shutil.copyfile(convert(work / "legacy.xlsx", "xls", work), OUT / "legacy.xls")
    manifest = {
        "source": str(DUMP.relative_to(ROOT)),
        "generated_by": "scripts/make_format_fixtures.py",
        "expected_records": "parse_report of the text dump with the layout's mark set (tests.fidelity)",
        "layouts": entries,
        "changed_template": {
            "files": ["changed_template_synthetic.docx", "changed_template_synthetic.pdf"],
            "columns": [{"header": h, "field": f} for h, f, _ in CHANGED_COLUMNS],
            "extra_column": "备注: 任务<task_no><plan_kind> on every row (synthetic)",
        },
        "workbook_with_cover_sheet": {"file": "workbook_with_cover_sheet.xlsx", "table_sheet": "完成情况"},
        "legacy": ["legacy.doc", "legacy.xls"],
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    total = sum(path.stat().st_size for path in OUT.rglob("*") if path.is_file())
    print(f"wrote {len(entries)} layout sources and the other fixtures ({total / 1e6:.1f} MB) to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
