"""Run names given to great-expectations (etl.validate.gate.run_label): plain text and a folder name's length."""

from __future__ import annotations

from etl.validate.gate import MAX_RUN_LABEL_BYTES, run_label


def test_markup_characters_become_their_full_width_forms() -> None:
    assert run_label("<img src=x onerror='a'>&\"`/\\.txt") == "＜img src=x onerror=＇a＇＞＆＂｀／＼.txt"
    assert run_label("2024Q3_市工信局.txt") == "2024Q3_市工信局.txt"


def test_long_names_are_cut_to_a_folder_name_and_stay_distinct() -> None:
    first, second = "工" * 100 + "甲.txt", "工" * 100 + "乙.txt"  # 300 bytes of UTF-8 each, same first 120
    labels = [run_label(first), run_label(second)]
    assert all(len(label.encode("utf-8")) <= MAX_RUN_LABEL_BYTES for label in labels)
    assert labels[0] != labels[1] and labels[0].startswith("工" * 30)


def test_control_characters_and_dot_names_are_not_kept() -> None:
    assert "\n" not in run_label("a\nb.txt") and run_label("..") not in ("..", "")
