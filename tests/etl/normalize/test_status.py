import pytest

from etl.normalize.status import StatusError, status_of


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
