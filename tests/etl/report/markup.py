"""Reading the report's HTML back as a reader would: tables by id (cell texts) and header cards by id."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.cards: dict[str, list[str]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._card: str | None = None
        self._card_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id"):
            self._table = attributes["id"]
            self.tables[self._table or ""] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        if tag == "div" and "card" in (attributes.get("class") or "").split() and attributes.get("id"):
            self._card = attributes["id"]
            self.cards[self._card or ""] = []
            self._card_depth = 0
        if self._card and tag == "div":
            self._card_depth += 1
        if self._card and tag in ("b", "small"):
            self.cards[self._card].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        if self._card and tag == "div":
            self._card_depth -= 1
            if self._card_depth == 0:
                self._card = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._card:
            parts = self.cards[self._card]
            if parts:
                parts[-1] += data
            else:
                parts.append(data)


def tables(page: str) -> dict[str, list[list[str]]]:
    """Every table with an id: its rows (header row first) as lists of cell texts."""
    parser = _Tables()
    parser.feed(re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.DOTALL))
    return parser.tables


def cards(page: str) -> dict[str, tuple[str, str]]:
    """Each header card by id: (label, value)."""
    parser = _Tables()
    parser.feed(re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.DOTALL))
    return {key: (parts[0].strip(), parts[1].strip()) for key, parts in parser.cards.items()}
