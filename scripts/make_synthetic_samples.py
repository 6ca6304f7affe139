"""Make the synthetic sample history from the real 2024 Q3 report, transparently.

The real report (data/samples/2024Q3_市工信局_政府工作报告任务完成情况.txt) is the only real document. To show
trends, the main job also loads other quarters and a previous year, which we synthesise here by editing copies
of the real text dump: every edit is listed below as (source line, column, text as in the real report, text in
the synthetic copy), is checked to apply exactly once, and is written to data/samples/synthetic_manifest.json.
Output files carry "synthetic" in their names. Figures are invented but plausible (monotone within a year).

    .venv/bin/python scripts/make_synthetic_samples.py
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
REAL = SAMPLES / "2024Q3_市工信局_政府工作报告任务完成情况.txt"
TITLE_LINE = 3
COLUMNS = ("序号", "目标任务", "责任分工", "监督方式", "季度类别", "第N季度", "已完成", "未完成", "落实情况")
DONE, NOT_DONE, PROGRESS, TITLE, UNITS, PLAN = 6, 7, 8, 1, 2, 5


@dataclass(frozen=True)
class Edit:
    line: int  # line of the real dump
    column: int  # 0-based column
    old: str
    new: str
    why: str = ""
    count: int = 1  # how many times `old` occurs in the cell (all are replaced)


@dataclass(frozen=True)
class Synthetic:
    file_name: str
    title: str
    quarter_header: str
    description: str
    edits: tuple[Edit, ...] = field(default=())
    renumber: dict[str, str] = field(default_factory=dict)  # 序号 of the real report → 序号 in the copy


def in_progress(line: int, why: str) -> tuple[Edit, ...]:
    """Both status cells of a ✓ row turned into 正在推进 (in progress)."""
    return (Edit(line, DONE, "✓", "正在推进", why),)


Q1 = Synthetic(
    "2024Q1_市工信局_synthetic.txt",
    "市工信局 2024 年政府工作报告任务 一季度完成情况",
    "第一季度",
    "2024 Q1: early in the year; several tasks in progress, one not completed, smaller year-to-date figures, "
    "task 6 with one responsible unit, task 23 with an earlier target of 250 firms.",
    (
        *in_progress(9, "task 4 not yet approved"),
        *in_progress(10, "task 4 not yet approved"),
        Edit(32, DONE, "✓", "", "task 12 not completed in Q1"),
        Edit(32, NOT_DONE, "", "✓", "task 12 not completed in Q1"),
        *in_progress(46, "task 23 in progress"),
        Edit(7, PROGRESS, "6户", "1户", "little giants so far"),
        Edit(8, PROGRESS, "6户", "1户", "little giants so far", count=2),
        Edit(48, PROGRESS, "1152个", "286个", "5G base stations so far"),
        Edit(49, PROGRESS, "98%", "91%", "village 5G coverage"),
        Edit(19, PROGRESS, "99个", "41个", "key tech-upgrade projects so far"),
        Edit(19, PROGRESS, "31.3%", "12.6%", "tech-upgrade investment growth"),
        Edit(19, PROGRESS, "5.2个百分点", "1.1个百分点", "above the provincial average"),
        Edit(46, PROGRESS, "20户", "8户", "firms newly above scale"),
        Edit(42, PROGRESS, "1.23亿元", "0.31亿元", "arrears repaid"),
        Edit(42, PROGRESS, "9起", "3起", "complaints received"),
        Edit(
            16,
            UNITS,
            "市经济和信息化局 安庆高新区管委会 【运行办】",
            "市经济和信息化局【运行办】",
            "task 6 had one unit before Q2",
        ),
        Edit(46, TITLE, "260户以上", "250户以上", "task 23's target was raised in Q2"),
    ),
)

Q2 = Synthetic(
    "2024Q2_市工信局_synthetic.txt",
    "市工信局 2024 年政府工作报告任务 二季度完成情况",
    "第二季度",
    "2024 Q2: task 4 in progress, task 12 completed, figures between Q1 and Q3; task 23's target now 260 firms.",
    (
        *in_progress(9, "task 4 awaiting approval"),
        Edit(7, PROGRESS, "6户", "4户", "little giants so far"),
        Edit(8, PROGRESS, "6户", "4户", "little giants so far", count=2),
        Edit(48, PROGRESS, "1152个", "702个", "5G base stations so far"),
        Edit(49, PROGRESS, "98%", "95%", "village 5G coverage"),
        Edit(19, PROGRESS, "99个", "76个", "key tech-upgrade projects so far"),
        Edit(19, PROGRESS, "31.3%", "22.4%", "tech-upgrade investment growth"),
        Edit(46, PROGRESS, "20户", "14户", "firms newly above scale"),
        Edit(42, PROGRESS, "1.23亿元", "0.84亿元", "arrears repaid"),
        Edit(42, PROGRESS, "9起", "6起", "complaints received"),
    ),
)

Q4 = Synthetic(
    "2024Q4_市工信局_synthetic.txt",
    "市工信局 2024 年政府工作报告任务 四季度完成情况",
    "第四季度",
    "2024 Q4: year end; task 22 completed, task 19 still in progress, full-year figures.",
    (
        Edit(41, DONE, "持续推进", "✓", "task 22 completed"),
        Edit(42, DONE, "持续推进", "✓", "task 22 completed"),
        Edit(7, PROGRESS, "6户", "7户", "little giants for the year"),
        Edit(8, PROGRESS, "6户", "7户", "little giants for the year", count=2),
        Edit(48, PROGRESS, "1152个", "1415个", "5G base stations for the year"),
        Edit(49, PROGRESS, "98%", "100%", "village 5G coverage"),
        Edit(19, PROGRESS, "99个", "112个", "key tech-upgrade projects for the year"),
        Edit(19, PROGRESS, "31.3%", "28.9%", "tech-upgrade investment growth"),
        Edit(46, PROGRESS, "20户", "31户", "firms newly above scale"),
        Edit(42, PROGRESS, "1.23亿元", "1.67亿元", "arrears repaid"),
        Edit(42, PROGRESS, "9起", "12起", "complaints received"),
    ),
)

PREVIOUS_YEAR = Synthetic(
    "2023Q3_市工信局_synthetic.txt",
    "市工信局 2023 年政府工作报告任务 三季度完成情况",
    "第三季度",
    "2023 Q3: the previous year's list numbers its tasks differently and has other targets and figures.",
    (
        Edit(7, TITLE, "企业5家", "企业4家", "2023 target"),
        Edit(7, PROGRESS, "6户", "5户", "little giants 2023"),
        Edit(8, PROGRESS, "6户", "5户", "little giants 2023", count=2),
        Edit(48, PLAN, "1000个", "800个", "2023 plan"),
        Edit(48, PROGRESS, "2024年已新建5G基站1152个", "2023年已新建5G基站905个", "5G base stations 2023"),
        Edit(48, TITLE, "达95%", "达90%", "2023 target"),
        Edit(49, PROGRESS, "98%", "89%", "village 5G coverage 2023"),
        Edit(18, TITLE, "100个以上", "80个以上", "2023 target"),
        Edit(19, PROGRESS, "99个", "84个", "key tech-upgrade projects 2023"),
        Edit(19, PROGRESS, "31.3%", "18.2%", "tech-upgrade investment growth 2023"),
        Edit(46, TITLE, "260户以上", "220户以上", "2023 target"),
        Edit(46, PROGRESS, "20户", "17户", "firms newly above scale 2023"),
        Edit(42, PROGRESS, "1.23亿元", "0.97亿元", "arrears repaid 2023"),
        Edit(42, PROGRESS, "9起", "7起", "complaints received 2023"),
    ),
    renumber={
        "1": "2",
        "4": "3",
        "5": "7",
        "6": "5",
        "8": "9",
        "9": "10",
        "10": "11",
        "11": "12",
        "12": "14",
        "18": "17",
        "19": "20",
        "22": "21",
        "23": "24",
        "25": "26",
        "29": "28",
        "30": "29",
        "31": "32",
    },
)

REISSUE = Synthetic(
    "2024Q3_市工信局_synthetic_修订.txt",
    "市工信局 2024 年政府工作报告任务 三季度完成情况（修订）",
    "第三季度",
    "A corrected re-issue of 2024 Q3: the 5G figure and task 19's schedule status corrected.",
    (
        Edit(48, PROGRESS, "1152个", "1158个", "corrected 5G figure"),
        Edit(39, DONE, "正在推进", "✓", "task 19's schedule row was in fact completed"),
    ),
)

ALL = (Q1, Q2, Q4, PREVIOUS_YEAR, REISSUE)


def synthesize(real_lines: list[str], spec: Synthetic) -> list[str]:
    lines = list(real_lines)
    lines[TITLE_LINE - 1] = spec.title
    for i, line in enumerate(lines):
        if "\t第三季度\t" in line:
            lines[i] = line.replace("\t第三季度\t", f"\t{spec.quarter_header}\t")
    for edit in spec.edits:
        cells = lines[edit.line - 1].split("\t")
        count = cells[edit.column].count(edit.old) if edit.old else int(cells[edit.column] == "")
        if count != edit.count:
            raise ValueError(f"{spec.file_name}: {edit} applies {count} times, expected {edit.count}")
        cells[edit.column] = cells[edit.column].replace(edit.old, edit.new) if edit.old else edit.new
        lines[edit.line - 1] = "\t".join(cells)
    for i, line in enumerate(lines):
        cells = line.split("\t")
        if len(cells) == len(COLUMNS) and cells[0] in spec.renumber:
            cells[0] = spec.renumber[cells[0]]
            lines[i] = "\t".join(cells)
    return lines


def main() -> None:
    real_lines = REAL.read_text(encoding="utf-8").split("\n")
    manifest = []
    for spec in ALL:
        lines = synthesize(real_lines, spec)
        (SAMPLES / spec.file_name).write_text("\n".join(lines), encoding="utf-8")
        manifest.append(
            {
                "file": spec.file_name,
                "synthetic": True,
                "derived_from": REAL.name,
                "title": spec.title,
                "description": spec.description,
                "renumbered_tasks": spec.renumber,
                "edits": [{**asdict(edit), "column": COLUMNS[edit.column]} for edit in spec.edits],
            }
        )
    (SAMPLES / "synthetic_manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
