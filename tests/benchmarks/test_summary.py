"""benchmarks/results/summary.md and README's benchmark table are generated from the result files' target tables
(issue 24): a result file edited (or re-measured) without regenerating them fails here, naming the file and target.

Run ``.venv/bin/python benchmarks/_summary.py`` after a benchmark to regenerate both."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks._summary import (
    README_BEGIN,
    README_END,
    RESULTS,
    SUMMARY,
    disagreements,
    read_result,
    readme_block,
    readme_text,
    summary_text,
    target_table,
)
from etl.settings import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"


def test_summary_is_what_the_generator_writes_from_the_result_files() -> None:
    assert (RESULTS / SUMMARY).read_text(encoding="utf-8") == summary_text(RESULTS)


def test_readme_quotes_the_summary_table() -> None:
    readme = README.read_text(encoding="utf-8")
    assert readme_block((RESULTS / SUMMARY).read_text(encoding="utf-8")) in readme
    assert readme_text(readme, summary_text(RESULTS)) == readme


def test_the_committed_files_agree() -> None:
    assert disagreements(RESULTS, README) == []


def test_every_result_file_with_a_target_says_whether_it_was_met() -> None:
    targets = [t for path in sorted(RESULTS.glob("*.md")) if path.name != SUMMARY for t in read_result(path).targets]
    assert len(targets) >= 20
    assert {t.met for t in targets} <= {"yes", "no", "not measured"}
    # The summary is truthful: targets not met are in it as not met (the 5 s single report, the mart views).
    assert any(t.met == "no" for t in targets)


def test_a_table_a_benchmark_writes_is_read_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "example.md"
    lines = ["# Example", "", "- date: 2026-12-07 18:00 UTC", "- machine: 2 CPUs (nproc), Example CPU", "", "text"]
    rows = [("a ≤ 2×", "1.50×", True), ("b < 5 s", "9.93 s", False), ("c ≤ 5×", "–", None)]
    path.write_text("\n".join([*lines, *target_table(rows), ""]), encoding="utf-8")
    result = read_result(path)
    assert (result.date, result.machine) == ("2026-12-07 18:00 UTC", "2 CPUs (nproc), Example CPU")
    assert [(t.target, t.measured, t.met) for t in result.targets] == [
        ("a ≤ 2×", "1.50×", "yes"),
        ("b < 5 s", "9.93 s", "no"),
        ("c ≤ 5×", "–", "not measured"),
    ]


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    results = tmp_path / "results"
    shutil.copytree(RESULTS, results)
    readme = tmp_path / "README.md"
    shutil.copyfile(README, readme)
    assert disagreements(results, readme) == []
    return results, readme


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_figure_edited_in_a_result_file_is_reported_with_its_file_and_target(copies: tuple[Path, Path]) -> None:
    results, readme = copies
    row = next(t for t in read_result(results / "backfill.md").targets if t.met == "yes")
    _edit(results / "backfill.md", f"| {row.target} | {row.measured} |", f"| {row.target} | 9{row.measured} |")
    problems = disagreements(results, readme)
    assert problems == [
        f"backfill.md: target {row.target!r}: the file says 9{row.measured} (met: yes), "
        f"{SUMMARY} says {row.measured} (met: yes)"
    ]


def test_a_target_turned_met_without_regenerating_is_reported(copies: tuple[Path, Path]) -> None:
    results, readme = copies
    row = next(t for t in read_result(results / "single_report.md").targets if t.met == "no")
    said = f"| {row.target} | {row.measured} |"
    _edit(results / "single_report.md", f"{said} **no** |", f"{said} yes |")
    (problem,) = disagreements(results, readme)
    assert problem.startswith(f"single_report.md: target {row.target!r}") and "(met: yes)" in problem


def test_a_target_missing_from_either_side_is_reported(copies: tuple[Path, Path]) -> None:
    results, readme = copies
    row = read_result(results / "scale.md").targets[0]
    _edit(results / "scale.md", f"| {row.target} |", f"| {row.target} (renamed) |")
    problems = disagreements(results, readme)
    assert f"scale.md: target '{row.target} (renamed)' is not in {SUMMARY}" in problems
    assert f"{SUMMARY}: target {row.target!r} of scale.md is in no result file" in problems


def test_a_result_file_redated_is_caught_and_regenerating_fixes_it(copies: tuple[Path, Path]) -> None:
    results, readme = copies
    _edit(results / "scale.md", "- date: 2026-12-01 14:08 UTC", "- date: 2026-12-08 14:08 UTC")
    assert disagreements(results, readme) == [
        f"{SUMMARY} is not what benchmarks/_summary.py writes from the result files (dates, machines)"
    ]
    (results / SUMMARY).write_text(summary_text(results), encoding="utf-8")
    assert disagreements(results, readme) == []


def test_readme_table_edited_by_hand_is_caught(copies: tuple[Path, Path]) -> None:
    results, readme = copies
    text = readme.read_text(encoding="utf-8")
    block = text[text.index(README_BEGIN) : text.index(README_END)]
    readme.write_text(text.replace(block, block.replace("| yes |", "| **no** |", 1)), encoding="utf-8")
    assert disagreements(results, readme) == [
        "README.md: the benchmark table between its markers is not summary.md's"
    ]
