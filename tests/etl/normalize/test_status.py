import pytest
import yaml

from etl.normalize.status import StatusError, parse_statuses, status_of, status_of_word
from etl.resources import bundled_path


@pytest.mark.parametrize("mark", ["✓", "√", "✔", " ✓ "])
def test_any_check_mark_in_done_means_completed(mark: str) -> None:
    assert status_of(mark, "") == ("completed", mark.strip())


@pytest.mark.parametrize("mark", ["✓", "√", "×"])
def test_a_mark_in_not_done_means_not_completed(mark: str) -> None:
    assert status_of("", mark) == ("not_completed", mark)


@pytest.mark.parametrize("words", ["正在推进", "持续推进", "推进中"])
def test_progress_words_in_either_column_mean_in_progress(words: str) -> None:
    assert status_of(words, "") == ("in_progress", words)
    assert status_of("", words) == ("in_progress", words)


def test_words_wrapped_over_lines_are_recognised() -> None:
    assert status_of("正在推\n进", "")[0] == "in_progress"


@pytest.mark.parametrize(
    ("done", "not_done", "message"),
    [
        ("", "", "no status"),
        ("✓", "✓", "both columns"),
        ("暂缓", "", "unrecognised status '暂缓'"),
        ("", "待定", "unrecognised status '待定' in 未完成"),
        ("正在推进", "✓", "contradictory"),
        ("×", "", "wrong column"),
    ],
)
def test_unrecognised_or_contradictory_status_is_rejected(done: str, not_done: str, message: str) -> None:
    with pytest.raises(StatusError, match=message):
        status_of(done, not_done)


# --- every word of data/statuses.yaml, and the graded words of supervision offices ------------------------------

STATUS_FILE = yaml.safe_load(bundled_path("data", "statuses.yaml").read_text(encoding="utf-8"))
EVERY_WORD = [(word, status) for status, words in STATUS_FILE["words"].items() for word in words]


@pytest.mark.parametrize(("word", "status"), EVERY_WORD)
def test_every_word_of_the_statuses_file_maps_to_its_status(word: str, status: str) -> None:
    assert status_of_word(word) == (status, word)
    assert status_of_word(f" {word}。\n") == (status, f"{word}。")  # wrapped, with a full stop: as written


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("已完成", "completed"),
        ("超序时进度", "ahead_of_schedule"),
        ("超进度", "ahead_of_schedule"),
        ("达序时进度", "on_schedule"),
        ("达序推进", "on_schedule"),
        ("序时推进", "on_schedule"),
        ("欠进度", "behind_schedule"),
        ("未达序时进度", "behind_schedule"),
        ("滞后", "behind_schedule"),
        ("未启动", "not_started"),
        ("正在推进", "in_progress"),
        ("未完成", "not_completed"),
    ],
)
def test_the_graded_words_the_issue_lists(word: str, status: str) -> None:
    """The words supervision offices use (宣城, 涪陵, 金寨, 淮南 bulletins), each with the status it means."""
    assert status_of_word(word)[0] == status


@pytest.mark.parametrize("mark", ["✓", "√", "✔✔"])
def test_a_check_mark_alone_in_a_status_column_means_completed(mark: str) -> None:
    assert status_of_word(mark) == ("completed", mark)
    assert status_of_word("×")[0] == "not_completed"


@pytest.mark.parametrize("word", ["基本完成", "暂缓", "待定", "完成90%"])
def test_a_word_outside_the_vocabulary_is_refused_naming_it(word: str) -> None:
    with pytest.raises(StatusError, match=f"unrecognised status word '{word}'.*add it under its status"):
        status_of_word(word)


def test_an_empty_status_cell_is_refused() -> None:
    with pytest.raises(StatusError, match="no status"):
        status_of_word("  ")


@pytest.mark.parametrize(("word", "status"), [("滞后", "behind_schedule"), ("序时推进", "on_schedule")])
def test_graded_words_in_either_of_two_mark_columns(word: str, status: str) -> None:
    assert status_of(word, "")[0] == status
    assert status_of("", word)[0] == status
    with pytest.raises(StatusError, match="contradictory"):
        status_of(word, "✓")


def test_a_malformed_statuses_file_is_refused() -> None:
    with pytest.raises(StatusError, match="unknown status 'done'"):
        parse_statuses("words: {done: [好]}", "s.yaml")
    with pytest.raises(StatusError, match="under both completed and not_completed"):
        parse_statuses("words: {completed: [好], not_completed: [好]}", "s.yaml")


def test_a_new_word_is_one_line() -> None:
    words = parse_statuses("marks: {check: [✓]}\nwords: {completed: [已办结完毕]}", "mine.yaml")
    assert status_of_word("已办结完毕", words) == ("completed", "已办结完毕")
