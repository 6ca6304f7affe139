"""Errors that name the file, the place in it and what is wrong, so a data engineer can act on them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the format allows."""

    message: str
    page: int | None = None
    line: int | None = None
    column: str | None = None

    def describe(self) -> str:
        where = []
        if self.page is not None:
            where.append(f"page {self.page}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ReportError(Exception):
    """An input file that cannot be turned into a report; it is rejected whole, other files go on."""

    def __init__(self, file_name: str, problems: list[Problem]) -> None:
        self.file_name = file_name
        self.problems = problems
        super().__init__(self._text())

    def _text(self) -> str:
        lines = [f"{self.file_name}: {p.describe()}" for p in self.problems]
        return "\n".join(lines)

    @classmethod
    def single(
        cls,
        file_name: str,
        message: str,
        *,
        page: int | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> ReportError:
        return cls(file_name, [Problem(message, page=page, line=line, column=column)])
