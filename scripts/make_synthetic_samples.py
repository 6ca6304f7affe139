"""Make the synthetic sample history from the real 2024 Q3 report, by documented rules.

The real report (data/samples/2024Q3_市工信局_政府工作报告任务完成情况.txt) is the only real document, and it stays
the current version of 2024 Q3 in the default warehouse. To show trends, the main job also loads other quarters and
a previous year, which we synthesise here from copies of the real text dump. Output files carry "synthetic" in their
names, and every change is recorded in data/samples/synthetic_manifest.json (line, column, old, new, rule).

Two kinds of change:

1. **Hand edits** (listed below): statuses (a task in progress in Q1 …), responsible units, and targets in titles
   (the previous year had other targets). Each is checked to apply exactly once.
2. **Figure rules**: every figure in 落实情况 (what was done) that a catalog indicator (data/indicators.yaml) takes
   is moved from the real Q3 value by the indicator's measure, so that every indicator has a plausible path through
   the year and a year-over-year change:

   - cumulative quantities (year to date) scale with the year's progress: × CUMULATIVE[quarter] (Q1 0.30, Q2 0.62;
     the previous year's Q3 0.82); stocks to date (累计, 已培育, 截止目前) grow slowly: × STOCK[quarter];
   - levels (% without 增长/下降: 通达率, 开工率) move by LEVEL[quarter] percentage points, kept within 0–100;
   - rates (增长/下降 %, pp above the province) scale by RATE[quarter].
   Values keep the real figure's decimals; counts stay at least 1.
3. **Period words** of 落实情况 follow the quarter (前三季度 → 一季度 / 上半年, 三季度 → 一季度 …, 1-8月份 →
   1-2月份 …), and the previous year's copy says 2023 where the real says 2024 (every year − 1).

The corrected re-issue (（修订）) is of a synthetic quarter (2024 Q2), never of the real one. No synthetic quarter comes
after the real one: in the bundled samples the real 2024 Q3 is the latest period (a synthetic 2024 Q4 led the report
and the docs' examples with made-up figures until issue 23).

    .venv/bin/python scripts/make_synthetic_samples.py
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from etl.metrics.catalog import Indicator, load_catalog
from etl.metrics.grammar import Metric, extract_metrics
from etl.normalize.text import clean_cell

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
REAL = SAMPLES / "2024Q3_市工信局_政府工作报告任务完成情况.txt"
CATALOG = ROOT / "data" / "indicators.yaml"
TITLE_LINE = 3
COLUMNS = ("序号", "目标任务", "责任分工", "监督方式", "季度类别", "第N季度", "已完成", "未完成", "落实情况")
DONE, NOT_DONE, PROGRESS, TITLE, UNITS, PLAN = 6, 7, 8, 1, 2, 5

# Keys: 1, 2 = that quarter of 2024; "prev" = Q3 of the previous year (relative to the real 2024 Q3).
CUMULATIVE: dict[int | str, float] = {1: 0.30, 2: 0.62, "prev": 0.82}
STOCK: dict[int | str, float] = {1: 0.94, 2: 0.97, "prev": 0.88}
LEVEL: dict[int | str, float] = {1: -7.0, 2: -3.0, "prev": -9.0}
RATE: dict[int | str, float] = {1: 0.45, 2: 0.72, "prev": 0.58}
STOCK_WORDS = re.compile(r"累计|已培育|总数|截至|截止")
PERIODS: dict[int | str, tuple[tuple[str, str], ...]] = {
    1: (("前三季度", "一季度"), ("三季度", "一季度"), ("1-8月份", "1-2月份")),
    2: (("前三季度", "上半年"), ("三季度", "二季度"), ("1-8月份", "1-5月份")),
    "prev": (),
}


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
    key: int | str  # which rule column applies (1, 2, 4 or "prev")
    edits: tuple[Edit, ...] = field(default=())
    corrections: tuple[Edit, ...] = field(default=())  # applied after the rules (a re-issue's corrections)
    renumber: dict[str, str] = field(default_factory=dict)  # 序号 of the real report → 序号 in the copy
    shift_years: int = 0


def in_progress(line: int, why: str) -> tuple[Edit, ...]:
    """The status cell of a ✓ row turned into 正在推进 (in progress)."""
    return (Edit(line, DONE, "✓", "正在推进", why),)


Q1 = Synthetic(
    "2024Q1_市工信局_synthetic.txt",
    "市工信局 2024 年政府工作报告任务 一季度完成情况",
    "第一季度",
    "2024 Q1: early in the year; several tasks in progress, one not completed, figures by rule (cumulative × 0.30, "
    "levels −7 pp, rates × 0.45), task 6 with one responsible unit, task 23 with an earlier target of 250 firms.",
    1,
    (
        *in_progress(9, "task 4 not yet approved"),
        *in_progress(10, "task 4 not yet approved"),
        Edit(32, DONE, "✓", "", "task 12 not completed in Q1"),
        Edit(32, NOT_DONE, "", "✓", "task 12 not completed in Q1"),
        *in_progress(46, "task 23 in progress"),
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

Q2_EDITS = (*in_progress(9, "task 4 awaiting approval"),)
Q2 = Synthetic(
    "2024Q2_市工信局_synthetic.txt",
    "市工信局 2024 年政府工作报告任务 二季度完成情况",
    "第二季度",
    "2024 Q2 as first issued: task 4 in progress, task 12 completed, figures by rule (cumulative × 0.62, levels "
    "−3 pp, rates × 0.72); task 23's target now 260 firms. Superseded by its re-issue (修订).",
    2,
    Q2_EDITS,
)

REISSUE = Synthetic(
    "2024Q2_市工信局_synthetic_修订.txt",
    "市工信局 2024 年政府工作报告任务 二季度完成情况（修订）",
    "第二季度",
    "A corrected re-issue of the synthetic 2024 Q2: the 5G figure corrected (714 → 720) and task 19's schedule "
    "row corrected to completed. It outranks the synthetic original; the real 2024 Q3 report is not re-issued.",
    2,
    Q2_EDITS,
    corrections=(
        Edit(48, PROGRESS, "714个", "720个", "corrected 5G figure"),
        Edit(39, DONE, "正在推进", "✓", "task 19's schedule row was in fact completed"),
    ),
)

PREVIOUS_YEAR = Synthetic(
    "2023Q3_市工信局_synthetic.txt",
    "市工信局 2023 年政府工作报告任务 三季度完成情况",
    "第三季度",
    "2023 Q3: the previous year's list numbers its tasks differently and has other targets; figures by rule "
    "(cumulative × 0.82, stocks × 0.88, levels −9 pp, rates × 0.58); every year in the text one less.",
    "prev",
    (
        Edit(7, TITLE, "企业5家", "企业4家", "2023 target"),
        Edit(48, PLAN, "1000个", "800个", "2023 plan"),
        Edit(48, TITLE, "达95%", "达90%", "2023 target"),
        Edit(18, TITLE, "100个以上", "80个以上", "2023 target"),
        Edit(46, TITLE, "260户以上", "220户以上", "2023 target"),
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
    shift_years=-1,
)

ALL = (Q1, Q2, REISSUE, PREVIOUS_YEAR)


def indicator_of(metric: Metric, catalog: tuple[Indicator, ...]) -> Indicator | None:
    """The catalog indicator the warehouse assigns (same rule as sql/views/staging_metric_indicator.sql)."""
    for indicator in catalog:
        if indicator.unit != metric.unit_normalized:
            continue
        if indicator.direction is not None and indicator.direction != metric.direction:
            continue
        if any(re.search(pattern, metric.subject) for pattern in indicator.match):
            return indicator
    return None


def moved_value(metric: Metric, indicator: Indicator, key: int | str, sentence: str) -> float:
    """The figure of the synthetic quarter, by the indicator's measure (see the module docstring)."""
    if indicator.measure == "level":
        return min(100.0, max(0.0, metric.value + LEVEL[key]))
    if indicator.measure == "rate":
        return metric.value * RATE[key]
    factor = STOCK[key] if STOCK_WORDS.search(sentence) else CUMULATIVE[key]
    return metric.value * factor


def rule_name(indicator: Indicator, sentence: str) -> str:
    if indicator.measure == "cumulative" and STOCK_WORDS.search(sentence):
        return "stock"
    return indicator.measure


def written(value: float, like: str) -> str:
    """value with as many decimals as the real figure's number ``like``; a count stays at least 1."""
    decimals = len(like.split(".")[1]) if "." in like else 0
    if decimals == 0:
        return str(max(1, round(value)))
    return f"{value:.{decimals}f}"


def sentence_before(text: str, figure: str) -> str:
    """The text from the sentence start (after 。) up to the figure: 已培育 … 20家；… 92家 are both stocks."""
    end = text.find(figure)
    start = text.rfind("。", 0, end) + 1
    return text[start:end]


def figure_edits(real_lines: list[str], spec: Synthetic, catalog: tuple[Indicator, ...]) -> list[Edit]:
    """The rule-made edits of every indicator figure in 落实情况."""
    edits: list[Edit] = []
    for line_no, line in enumerate(real_lines, start=1):
        cells = line.split("\t")
        if len(cells) != len(COLUMNS) or not cells[PROGRESS]:
            continue
        raw = cells[PROGRESS]
        cleaned = clean_cell(raw)
        seen: set[str] = set()
        for metric in extract_metrics(cleaned):
            number = re.match(r"\d+(?:\.\d+)?", metric.source_text)
            indicator = indicator_of(metric, catalog)
            if number is None or indicator is None:
                continue
            pattern = re.compile(rf"(?<![\d.]){re.escape(number.group())}(\s*){re.escape(metric.unit)}")
            found = pattern.findall(raw)
            old = pattern.search(raw)
            if old is None or old.group() in seen:
                continue
            seen.add(old.group())
            sentence = sentence_before(cleaned, metric.source_text)
            new_number = written(moved_value(metric, indicator, spec.key, sentence), number.group())
            edits.append(
                Edit(
                    line_no,
                    PROGRESS,
                    old.group(),
                    f"{new_number}{old.group(1)}{metric.unit}",
                    f"rule {rule_name(indicator, sentence)} ({indicator.code})",
                    count=len(found),
                )
            )
    return edits


def apply(lines: list[str], edit: Edit, file_name: str) -> None:
    cells = lines[edit.line - 1].split("\t")
    count = cells[edit.column].count(edit.old) if edit.old else int(cells[edit.column] == "")
    if count != edit.count:
        raise ValueError(f"{file_name}: {edit} applies {count} times, expected {edit.count}")
    cells[edit.column] = cells[edit.column].replace(edit.old, edit.new) if edit.old else edit.new
    lines[edit.line - 1] = "\t".join(cells)


def apply_periods(lines: list[str], spec: Synthetic) -> list[Edit]:
    """Period words of 落实情况 follow the quarter (前三季度 first, so that its 三季度 is not replaced twice)."""
    edits = []
    for line_no, line in enumerate(lines, start=1):
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            continue
        for old, new in PERIODS[spec.key]:
            count = cells[PROGRESS].count(old)
            if count:
                edits.append(Edit(line_no, PROGRESS, old, new, "rule period", count))
                cells[PROGRESS] = cells[PROGRESS].replace(old, new)
        lines[line_no - 1] = "\t".join(cells)
    return edits


def synthesize(real_lines: list[str], spec: Synthetic, catalog: tuple[Indicator, ...]) -> tuple[list[str], list[Edit]]:
    lines = list(real_lines)
    lines[TITLE_LINE - 1] = spec.title
    for i, line in enumerate(lines):
        if "\t第三季度\t" in line:
            lines[i] = line.replace("\t第三季度\t", f"\t{spec.quarter_header}\t")
    applied: list[Edit] = []
    for edit in (*spec.edits, *figure_edits(real_lines, spec, catalog)):
        apply(lines, edit, spec.file_name)
        applied.append(edit)
    applied += apply_periods(lines, spec)
    for edit in spec.corrections:
        apply(lines, edit, spec.file_name)
        applied.append(edit)
    for i, line in enumerate(lines):
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            continue
        if spec.shift_years:
            for column in (TITLE, PLAN, PROGRESS):
                cells[column] = re.sub(
                    r"(20\d\d)(\s*年)", lambda m: f"{int(m.group(1)) + spec.shift_years}{m.group(2)}", cells[column]
                )
        if cells[0] in spec.renumber:
            cells[0] = spec.renumber[cells[0]]
        lines[i] = "\t".join(cells)
    return lines, applied


def sidecar_text(spec: Synthetic) -> str:
    """The file's declared metadata (etl.declared): synthetic, and what it was derived from. The loader reads it;
    nothing in the warehouse depends on the file's name."""
    return (
        "# Declared metadata of this sample (etl.declared): demo data, not a real report.\n"
        "synthetic: true\n"
        f"note: synthetic {spec.title}, derived from {REAL.name} by scripts/make_synthetic_samples.py "
        "(every change in synthetic_manifest.json)\n"
    )


def main() -> None:
    real_lines = REAL.read_text(encoding="utf-8").split("\n")
    catalog = load_catalog(CATALOG).indicators
    manifest = []
    for old in [*SAMPLES.glob("*synthetic*.txt"), *SAMPLES.glob("*synthetic*.txt.meta.yaml")]:
        old.unlink()
    for spec in ALL:
        lines, applied = synthesize(real_lines, spec, catalog)
        (SAMPLES / spec.file_name).write_text("\n".join(lines), encoding="utf-8")
        (SAMPLES / (spec.file_name + ".meta.yaml")).write_text(sidecar_text(spec), encoding="utf-8")
        manifest.append(
            {
                "file": spec.file_name,
                "synthetic": True,
                "derived_from": REAL.name,
                "title": spec.title,
                "description": spec.description,
                "rules": {
                    "cumulative_factor": CUMULATIVE[spec.key],
                    "stock_factor": STOCK[spec.key],
                    "level_offset_pp": LEVEL[spec.key],
                    "rate_factor": RATE[spec.key],
                    "years_shifted_by": spec.shift_years,
                },
                "renumbered_tasks": spec.renumber,
                "edits": [{**asdict(edit), "column": COLUMNS[edit.column]} for edit in applied],
            }
        )
    (SAMPLES / "synthetic_manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
