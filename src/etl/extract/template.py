"""Report table templates as data: which header words name which field, for every input format.

The templates live in data/templates.yaml (bundled as package data; the settings' ``templates_file`` names another
file, read by etl.extract.template_file). Every extractor (text dump, HTML, PDF, Word, Excel, OCR) finds its
table's header rows and hands their cell texts here, column by column:

- ``TemplateSet.match(header_lines)`` joins each column's header lines (季度 / 类别 → 季度类别), finds the field
  each column names, and picks the template whose required fields are all named: a ``ColumnMap``. A header that
  matches no template raises ``TemplateMismatch`` whose message lists the headers found, the fields missing and
  a proposed template entry;
- a column whose header names one of two fields by content (完成情况: a status column, or the narrative) is
  settled once the body is read: ``ColumnMap.settled(cells)`` decides from the shape of its cells;
- ``ColumnMap.canonical(cells)`` turns a body row in source order into one cell per field (COLUMN_NAMES order);
  ``ColumnMap.extras(cells)`` gives the cells of the extra columns, which are kept with the raw cells.

This module knows nothing of parsing (extract never imports parse); its inputs are header texts and cells.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import product
from typing import Literal

from etl.models import COLUMN_LABELS, COLUMN_NAMES, ColumnMapping, RawReport
from etl.periods import Period, PeriodWords

RowLayout = Literal["plan_rows", "one_per_task"]
ROW_LAYOUTS: tuple[str, ...] = ("plan_rows", "one_per_task")
# What counts as a dash between months (1-9月, 1—9月) once full-width forms are folded.
_DASH_CHARS = "‐‑‒–—―−－~～〜"
_DASHES = re.compile(f"[{_DASH_CHARS}]")
# A status cell is a mark or a short word (已完成, 达序时进度, 正在推进); a narrative cell is a sentence. Fitted on the
# bureau's status words (at most 4 characters) and the graded words of supervision bulletins (at most 6: 未达序时进度),
# against the shortest narrative cells of the real tables (象山: 17 characters with figures); checked on the other
# issuers' tables in tests/fixtures/real_tables.
STATUS_MAX_CHARS = 8
_SENTENCE = re.compile(r"[0-9０-９%％，,；;：:。（）()、]")


class TemplateMismatch(ValueError):
    """A table header that no template accepts; the message says what was found and what to add."""

    def __init__(self, message: str, headers: Sequence[str]) -> None:
        super().__init__(message)
        self.headers = tuple(headers)


def normalize_header(text: str) -> str:
    """A header text as matched: full-width forms folded (NFKC), whitespace removed, dashes made '-'."""
    folded = unicodedata.normalize("NFKC", text)
    return _DASHES.sub("-", re.sub(r"\s+", "", folded))


def drop_stray_marks(text: str, words: Iterable[str]) -> str:
    """``text`` without the punctuation and symbols (Unicode categories P and S) that none of ``words`` holds.

    For header cells read by OCR: a sliver of a ruling line or a speck inside a header cell is read as ，, →, +
    or · (完成情况，已完成), and a header word holds no such mark, so it cannot be part of one. Letters and
    ideographs are kept: a header read with a wrong character is still a wrong header."""
    kept = {ch for word in words for ch in word}
    return "".join(ch for ch in text if ch in kept or unicodedata.category(ch)[0] not in "PS")


def merge_header_lines(lines: Sequence[Sequence[str]]) -> list[str]:
    """Join multi-line header cells column by column, whitespace removed: [季度, 类别] → 季度类别."""
    width = max((len(line) for line in lines), default=0)
    return ["".join(re.sub(r"\s+", "", line[i]) for line in lines if i < len(line)) for i in range(width)]


def looks_like_status(cell: str) -> bool:
    """Whether a cell reads as a status (a mark or a short word) rather than narrative (a sentence, a figure)."""
    text = re.sub(r"\s+", "", cell).rstrip("。.")
    return len(text) <= STATUS_MAX_CHARS and not _SENTENCE.search(text)


@dataclass(frozen=True)
class FieldSpec:
    """One field and the header texts (normalized) that name it."""

    name: str
    label: str
    headers: frozenset[str]


@dataclass(frozen=True)
class Template:
    """A table family: the fields it needs, those it may have, and how its tasks are laid out in rows."""

    name: str
    description: str
    rows: RowLayout
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True)
class ColumnMap:
    """How a table's columns map to the fields, under one template.

    ``undecided`` lists the columns whose field depends on their content (完成情况); until ``settled`` they are
    mapped as their first option allows, and ``alternatives`` holds every (template, fields) the header accepts.
    """

    template: Template
    headers: tuple[str, ...]  # each source column's header, lines joined, whitespace removed
    fields: tuple[str | None, ...]  # the field each source column fills; None: an extra column
    period: Period | None  # the period the period-plan column's header names (第三季度 → quarter ending in 9)
    period_header: str  # the period-plan column's header as found, '' when the table has none
    undecided: tuple[int, ...] = ()
    alternatives: tuple[tuple[Template, tuple[str | None, ...]], ...] = ()
    decision: str | None = None  # how the undecided columns were settled, for the notes

    @property
    def width(self) -> int:
        return len(self.headers)

    @property
    def plan_rows(self) -> bool:
        """Whether each task has plan rows (进度安排 / 施工图) told apart by the plan_kind column."""
        return self.template.rows == "plan_rows"

    @property
    def extra_positions(self) -> tuple[int, ...]:
        return tuple(i for i, name in enumerate(self.fields) if name is None)

    @property
    def extra_headers(self) -> tuple[str, ...]:
        return tuple(self.headers[i] for i in self.extra_positions)

    def position(self, name: str) -> int | None:
        """The source column that fills a field, None when the (optional) field has no column."""
        return self.fields.index(name) if name in self.fields else None

    def canonical(self, cells: Sequence[str]) -> tuple[str, ...]:
        """A body row in source order as one cell per field (COLUMN_NAMES order); a field without a column is ""."""
        out = [""] * len(COLUMN_NAMES)
        for position, name in enumerate(self.fields):
            if name is not None and position < len(cells):
                out[COLUMN_NAMES.index(name)] = cells[position]
        return tuple(out)

    def canonical_flags(self, flags: Sequence[bool]) -> tuple[bool, ...]:
        """Per-column flags (e.g. 'a cell starts here') in field order; a column-less field takes False."""
        out = [False] * len(COLUMN_NAMES)
        for position, name in enumerate(self.fields):
            if name is not None and position < len(flags):
                out[COLUMN_NAMES.index(name)] = flags[position]
        return tuple(out)

    def canonical_scores(self, scores: Sequence[float | None]) -> tuple[float | None, ...]:
        """OCR confidences (source order) in field order, then the extra columns'; () when there are none."""
        if all(score is None for score in scores):
            return ()
        out: list[float | None] = [None] * len(COLUMN_NAMES)
        for position, name in enumerate(self.fields):
            if name is not None and position < len(scores):
                out[COLUMN_NAMES.index(name)] = scores[position]
        return (*out, *(scores[i] if i < len(scores) else None for i in self.extra_positions))

    def extras(self, cells: Sequence[str]) -> tuple[str, ...]:
        return tuple(cells[i] if i < len(cells) else "" for i in self.extra_positions)

    def settled(self, rows: Sequence[Sequence[str]]) -> ColumnMap:
        """The map once the body rows (source order) are read: each undecided column becomes the status column
        when its filled cells read as statuses (marks, short words), else the narrative, or an extra column when
        the table has its narrative elsewhere. TemplateMismatch when no template accepts the outcome."""
        if not self.undecided:
            return self
        roles: dict[int, str | None] = {}
        reasons = []
        for position in self.undecided:
            filled = [row[position] for row in rows if position < len(row) and row[position].strip()]
            statuses = sum(1 for cell in filled if looks_like_status(cell))
            as_status = bool(filled) and statuses == len(filled)
            roles[position] = "status" if as_status else "progress"
            shape = "marks or short status words" if as_status else "narrative"
            reasons.append(f"column {self.headers[position]} read as {roles[position]}: {statuses} of "
                           f"{len(filled)} filled cells are marks or short words ({shape})")  # fmt: skip
        for fallback in (False, True):
            wanted = {p: (None if fallback and r == "progress" else r) for p, r in roles.items()}
            fitting = [(t, f) for t, f in self.alternatives if all(f[p] == wanted[p] for p in self.undecided)]
            if fitting:
                template, fields = min(fitting, key=lambda tf: sum(1 for n in tf[1] if n is None))
                if fallback:
                    reasons.append("the table has its narrative in another column: kept as an extra column")
                return replace(self, template=template, fields=fields, undecided=(), decision="; ".join(reasons))
        raise TemplateMismatch(
            f"no template accepts the table once its columns are read: {'; '.join(reasons)}", self.headers
        )

    def mappings(self) -> tuple[ColumnMapping, ...]:
        return tuple(
            ColumnMapping(position=i, header=header, field=name)
            for i, (header, name) in enumerate(zip(self.headers, self.fields, strict=True))
        )

    def describe(self) -> list[str]:
        """One line per source column: how it was mapped (for `etl check` and the notes)."""
        return describe_columns(self.template.name, self.mappings())


def describe_columns(template: str | None, columns: Sequence[ColumnMapping]) -> list[str]:
    """`etl check`'s lines: the template, then each source column → the field it fills or 'extra column'."""
    lines = [f"template {template or '(none)'}"]
    for column in columns:
        target = (
            f"{column.field} ({COLUMN_LABELS.get(column.field, '')})"
            if column.field
            else "extra column (kept in raw.extracted_cell)"
        )
        lines.append(f"  column {column.position + 1} {column.header or '(empty)'} → {target}")
    return lines


def describe_source(raw: RawReport) -> list[str]:
    """`etl check`'s account of how a file was read: the sheet (Excel), the template and each column's mapping."""
    lines = [f"sheet {raw.sheet!r} (the one holding the table)"] if raw.sheet else []
    return lines + describe_columns(raw.template, raw.columns)


@dataclass(frozen=True)
class TemplateSet:
    """Every field's header words, the headers decided by content, and every template of one template file."""

    fields: Mapping[str, FieldSpec]
    templates: tuple[Template, ...]
    by_content: Mapping[
        str, tuple[str, ...]
    ]  # normalized header → the fields it may name (完成情况 → status, progress)
    periods: PeriodWords
    source: str  # the file, for messages

    def fields_of(self, header: str) -> tuple[str, ...]:
        """The fields a (normalized) header text may name: none, one, or several decided by content."""
        if header in self.by_content:
            return self.by_content[header]
        for spec in self.fields.values():
            if header in spec.headers:
                return (spec.name,)
        if "period_plan" in self.fields and self.periods.of_header(header) is not None:
            return ("period_plan",)
        return ()

    def header_words(self) -> list[str]:
        """Every header word of the file, and the dashes of period headers (1-9月, matched by pattern)."""
        words = [h for spec in self.fields.values() for h in spec.headers]
        return [*words, *self.by_content, "-" + _DASH_CHARS]

    def without_stray_marks(self, text: str) -> str:
        """A header cell read by OCR without the punctuation and symbols no header word holds (drop_stray_marks)."""
        return drop_stray_marks(text, self.header_words())

    def is_header_word(self, text: str) -> bool:
        """Whether a cell's text is a header word of some field: how extractors recognise a header row."""
        return bool(text.strip()) and bool(self.fields_of(normalize_header(text)))

    def looks_like_header(self, cells: Sequence[str], minimum: int = 3) -> bool:
        """A row is a header when at least ``minimum`` of its cells are header words (or it starts with 序号)."""
        words = sum(1 for cell in cells if self.is_header_word(cell))
        first = normalize_header(cells[0]) if cells else ""
        return words >= minimum or first in self.fields["task_no"].headers

    def continues_header(self, above: Sequence[str], cells: Sequence[str]) -> bool:
        """A row continues the header row above it when each of its filled cells is a header word, alone or
        joined to the cell above (目标 / 任务, 完成情况 / 已完成, 责任 / 领导)."""
        filled = [(i, cell) for i, cell in enumerate(cells) if cell.strip()]
        if not filled:
            return False
        for i, cell in filled:
            joined = (above[i] if i < len(above) else "") + cell
            if not (self.is_header_word(cell) or self.is_header_word(joined)):
                return False
        return True

    def column_fields(
        self, header_lines: Sequence[Sequence[str]]
    ) -> tuple[list[str], list[tuple[tuple[str, ...], str]]]:
        """Each column's joined header, and the fields it may name with the text that named them.

        A column's candidates are its header lines joined from the top, then from the second line down, …: the
        first that names a field wins, so a parent header spanning several columns (完成情况 over 已完成) or a
        group title above a header (工作任务安排 over 第二季度) does not hide the column's own header.
        """
        width = max((len(line) for line in header_lines), default=0)
        merged = merge_header_lines(header_lines)
        named: list[tuple[tuple[str, ...], str]] = []
        for column in range(width):
            parts = [line[column] if column < len(line) else "" for line in header_lines]
            found: tuple[tuple[str, ...], str] = ((), normalize_header(merged[column]))
            for start in range(len(parts)):
                candidate = normalize_header("".join(parts[start:]))
                if not candidate:
                    break
                names = self.fields_of(candidate)
                if names:
                    found = (names, candidate)
                    break
            named.append(found)
        return merged, named

    def match(self, header_lines: Sequence[Sequence[str]]) -> ColumnMap:
        """The column map of a table header (its lines of cells, a merged cell's text in its first column)."""
        merged, named = self.column_fields(header_lines)
        undecided = tuple(i for i, (names, _) in enumerate(named) if len(names) > 1)
        # a column decided by content may also end up an extra column (a narrative beside the table's narrative)
        options = [(*names, None) if len(names) > 1 else (names[0] if names else None,) for names, _ in named]
        accepted: list[tuple[_Outcome, tuple[str | None, ...]]] = []
        outcomes: list[_Outcome] = []
        for names in product(*options):
            for template in self.templates:
                outcome = _Outcome.of(template, names)
                outcomes.append(outcome)
                if outcome.accepted:
                    accepted.append((outcome, tuple(n if n in template.fields else None for n in names)))
        if not accepted:
            raise TemplateMismatch(self._mismatch_message(merged, named, outcomes), merged)
        best, fields = min(accepted, key=lambda a: a[0].extras)  # min keeps the first listed of equals
        position = fields.index("period_plan") if "period_plan" in fields else None
        return ColumnMap(
            template=best.template,
            headers=tuple(merged),
            fields=fields,
            period=self.periods.of_header(named[position][1]) if position is not None else None,
            period_header=merged[position] if position is not None else "",
            undecided=undecided,
            alternatives=tuple((o.template, f) for o, f in accepted) if undecided else (),
        )

    def _mismatch_message(
        self, merged: list[str], named: list[tuple[tuple[str, ...], str]], outcomes: list[_Outcome]
    ) -> str:
        # The closest template: one that can read the rows, fewest missing fields, fewest duplicated ones, first listed.
        closest = min(outcomes, key=lambda o: (o.wrong_rows, len(o.missing), len(o.duplicated)))
        template, missing, duplicated = closest.template, closest.missing, closest.duplicated
        found = ", ".join(header or "(empty)" for header in merged)
        expected = ", ".join(self.fields[f].label for f in COLUMN_NAMES if f in template.fields)
        mapped = ", ".join(
            f"{h or '(empty)'} → {'/'.join(names)}" for h, (names, _) in zip(merged, named, strict=True) if names
        )
        parts = [
            f"the table is not a task-completion report table: found columns [{found}], expected [{expected}] "
            f"(closest template {template.name}: {template.description})",
            f"recognised: {mapped or 'none'}",
        ]
        if duplicated:
            columns = "; ".join(
                f"{f}: " + ", ".join(h for h, (n, _) in zip(merged, named, strict=True) if f in n) for f in duplicated
            )
            parts.append(
                f"more than one column names the same field ({columns}): one header must name another field "
                f"in {self.source}"
            )
        if missing:
            parts.append("missing fields: " + ", ".join(f"{f} ({self.fields[f].label})" for f in missing))
            unknown = [h for h, (names, _) in zip(merged, named, strict=True) if not names and h]
            parts.append(self._suggestion(missing, unknown))
        proposal = self._proposal(named)
        if proposal:
            parts.append(
                f"or, if the recognised columns are the whole table, add this entry under templates in "
                f"{self.source}:\n{proposal}"
            )
        return "; ".join(parts)

    def _suggestion(self, missing: list[str], unknown: list[str]) -> str:
        """The line to add to the template file: the first unrecognised header under the first missing field."""
        field = missing[0]
        if not unknown:
            return f"no unrecognised header is left to name {field}: the table lacks that column"
        header = normalize_header(unknown[0])
        others = f" (other unrecognised headers: {', '.join(unknown[1:])})" if len(unknown) > 1 else ""
        return (
            f'if {unknown[0]} names {field}, add the line "- {header}" to {self.source} under '
            f"fields → {field} → headers{others}"
        )

    def _proposal(self, named: list[tuple[tuple[str, ...], str]]) -> str | None:
        """A template entry made of the fields the header names (each once), or None when it lacks a task number or
        title or names a field twice: the entry that makes this table load as it is."""
        names = [names[0] for names, _ in named if names]
        if "task_no" not in names or "task_title" not in names or len(set(names)) != len(names):
            return None
        rows = "plan_rows" if "plan_kind" in names else "one_per_task"
        ordered = [n for n in COLUMN_NAMES if n in names]
        return (
            "  - name: proposed_" + "_".join(n for n in ordered if n not in ("task_no", "task_title"))[:40] + "\n"
            f"    description: proposed by etl check for a table with columns {', '.join(ordered)}\n"
            f"    rows: {rows}\n"
            f"    required: [{', '.join(ordered)}]"
        )


@dataclass(frozen=True)
class _Outcome:
    """One template tried on a header: fields it lacks, fields named twice, columns it leaves as extras, and a row
    structure it cannot read (a 季度类别 column under a template of one row per task)."""

    template: Template
    missing: list[str]
    duplicated: list[str]
    extras: int
    wrong_rows: bool = False

    @property
    def accepted(self) -> bool:
        return not self.missing and not self.duplicated and not self.wrong_rows

    @classmethod
    def of(cls, template: Template, names: Sequence[str | None]) -> _Outcome:
        return cls(
            template=template,
            missing=[f for f in template.required if f not in names],
            duplicated=[f for f in template.fields if names.count(f) > 1],
            extras=sum(1 for name in names if name not in template.fields),
            # rows told apart by a 季度类别 column are plan rows: never read as one task each
            wrong_rows=template.rows == "one_per_task" and "plan_kind" in names,
        )
