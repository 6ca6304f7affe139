"""Supervision contact (监督方式): a phone number, possibly wrapped over lines in a PDF cell."""

from __future__ import annotations

import re

from etl.vocabulary import PHONE_PATTERN

# The one phone rule (etl.vocabulary), also checked by the quality gate's report_rows suite.
_PHONE = re.compile(PHONE_PATTERN)


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
