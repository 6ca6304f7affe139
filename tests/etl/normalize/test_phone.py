import pytest

from etl.normalize.phone import PhoneError, normalize_phone


@pytest.mark.parametrize(
    ("cell", "phone"),
    [("5515812", "5515812"), (" 55158\n12 ", "5515812"), ("0556-5515812", "0556-5515812"), ("", None)],
)
def test_phone_numbers_are_kept_without_whitespace(cell: str, phone: str | None) -> None:
    assert normalize_phone(cell) == phone


@pytest.mark.parametrize("cell", ["电话", "12345", "5515812 转 8"])
def test_anything_else_is_rejected(cell: str) -> None:
    with pytest.raises(PhoneError, match="is not a phone number"):
        normalize_phone(cell)
