"""Text shown as itself in Markdown: what the bulletin's Markdown and the flows' run-summary artifacts write from
report content and file names (never markup, never a link)."""

from __future__ import annotations

import re

# Every ASCII punctuation character: CommonMark lets a backslash escape each of them, and with all escaped no tag,
# link, emphasis, code span or table cell can start.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md_text(text: str) -> str:
    """``text`` backslash-escaped for Markdown (CommonMark, GitHub tables), its line breaks (any: \\n, \\r\\n, \\r)
    as spaces, so that it stays on its line or in its table cell."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.splitlines()))
