"""Supervision contact (监督方式): a phone number, possibly wrapped over lines in a PDF cell."""

from __future__ import annotations

import re

# A local number (7–8 digits) with an optional area code (0556-5515812) or a mobile number.
_PHONE = re.compile(r"^(?:0\d{2,3}-?)?\d{7,8}$|^1\d{10}$")


class PhoneError(ValueError):
    """A 监督方式 cell that is not a phone number."""


def normalize_phone(cell: str) -> str | None:
    """The phone number with all whitespace removed (a PDF may wrap it), None for an empty cell."""
    text = re.sub(r"\s+", "", cell)
    if not text:
        return None
    if not _PHONE.match(text):
        raise PhoneError(f"supervision contact {text!r} is not a phone number")
    return text
