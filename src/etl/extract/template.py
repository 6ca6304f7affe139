"""Report table templates as data: which header words name which field, for every input format.

The templates live in data/templates.yaml (bundled as package data, etl/data/templates.yaml; the settings'
``templates_file`` names another file). Every extractor (text dump, PDF, Word, Excel, OCR) finds its table's
header rows and hands their cell texts here, column by column:

- ``TemplateSet.match(header_lines)`` joins each column's header lines (季度 / 类别 → 季度类别), finds the field
  each column names, and picks the template whose required fields are all named: a ``ColumnMap``. A header that
  matches no template raises ``TemplateMismatch`` whose message lists the headers found, the fields still
  missing and the line to add to the template file;
- ``ColumnMap.canonical(cells)`` turns a body row in source order into the nine canonical cells (COLUMN_NAMES
  order); ``ColumnMap.extras(cells)`` gives the cells of the extra columns, which are kept with the raw cells.

A one-column status (one column of words, template ``status: one_column_words``) is routed to the canonical
已完成 / 未完成 cells by its word, so parsing treats both template kinds alike.

This module knows nothing of parsing (extract never imports parse); its inputs are header texts and cells.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from etl.models import COLUMN_LABELS, COLUMN_NAMES, ColumnMapping, RawReport

StatusMode = Literal["two_mark_columns", "one_column_words"]
STATUS_MODES: tuple[str, ...] = ("two_mark_columns", "one_column_words")
# Fields a template may name besides the nine canonical columns: the one status column of words.
EXTRA_FIELDS: dict[str, str] = {"status": "完成情况"}
BUNDLED = "bundled data/templates.yaml"
# What counts as a dash between months (1-9月, 1—9月, 1至9月) once full-width forms are folded.
_DASHES = re.compile(r"[‐‑‒–—―−－~～〜至到]")


class TemplateError(ValueError):
    """The template file itself is malformed: not the report's fault, the configuration's."""


class TemplateMismatch(ValueError):
    """A table header that no template accepts; the message says what was found and what to add."""

    def __init__(self, message: str, headers: Sequence[str]) -> None:
        super().__init__(message)
        self.headers = tuple(headers)


def normalize_header(text: str) -> str:
    """A header text as matched: full-width forms folded (NFKC), whitespace removed, dashes made '-'."""
    folded = unicodedata.normalize("NFKC", text)
    return _DASHES.sub("-", re.sub(r"\s+", "", folded))


def merge_header_lines(lines: Sequence[Sequence[str]]) -> list[str]:
    """Join multi-line header cells column by column, whitespace removed: [季度, 类别] → 季度类别."""
    width = max((len(line) for line in lines), default=0)
    return ["".join(re.sub(r"\s+", "", line[i]) for line in lines if i < len(line)) for i in range(width)]


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field and the header texts (normalized) that name it; quarter headers name a quarter too."""

    name: str
    label: str
    headers: frozenset[str]
    quarters: Mapping[str, int]

    def names(self, header: str) -> bool:
        return header in self.headers or header in self.quarters


@dataclass(frozen=True)
class Template:
    """A table layout: the fields it needs, those it may have, and how it gives the status."""

    name: str
    description: str
    status: StatusMode
    required: tuple[str, ...]
    optional: tuple[str, ...]
    not_done_words: frozenset[str]

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True)
class ColumnMap:
    """How a table's columns map to the canonical fields, under one template."""

    template: Template
    headers: tuple[str, ...]  # each source column's header, lines joined, whitespace removed
    fields: tuple[str | None, ...]  # the field each source column fills; None: an extra column
    quarter: int  # the quarter the quarter column's header names
    quarter_header: str  # that header as found

    @property
    def width(self) -> int:
        return len(self.headers)

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
        """A body row in source order as the nine canonical cells; a field without a column is ""."""
        out = [""] * len(COLUMN_NAMES)
        for position, name in enumerate(self.fields):
            if name is None or position >= len(cells):
                continue
            if name == "status":
                target = "not_done" if _word(cells[position]) in self.template.not_done_words else "done"
                out[COLUMN_NAMES.index(target)] = cells[position]
            else:
                out[COLUMN_NAMES.index(name)] = cells[position]
        return tuple(out)

    def canonical_flags(self, flags: Sequence[bool]) -> tuple[bool, ...]:
        """Per-column flags (e.g. 'a cell starts here') in canonical order; a column-less field takes False."""
        out = [False] * len(COLUMN_NAMES)
        for position, name in enumerate(self.fields):
            if name is None or position >= len(flags):
                continue
            targets = ("done", "not_done") if name == "status" else (name,)
            for target in targets:
                out[COLUMN_NAMES.index(target)] = flags[position]
        return tuple(out)

    def extras(self, cells: Sequence[str]) -> tuple[str, ...]:
        return tuple(cells[i] if i < len(cells) else "" for i in self.extra_positions)

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
            f"{column.field} ({COLUMN_LABELS.get(column.field) or EXTRA_FIELDS.get(column.field, '')})"
            if column.field
            else "extra column (kept in raw.extracted_cell)"
        )
        lines.append(f"  column {column.position + 1} {column.header or '(empty)'} → {target}")
    return lines


def describe_source(raw: RawReport) -> list[str]:
    """`etl check`'s account of how a file was read: the sheet (Excel), the template and each column's mapping."""
    lines = [f"sheet {raw.sheet!r} (the one holding the table)"] if raw.sheet else []
    return lines + describe_columns(raw.template, raw.columns)


def _word(cell: str) -> str:
    return re.sub(r"\s+", "", cell)


@dataclass(frozen=True)
class TemplateSet:
    """Every field's header words and every template, as read from one template file."""

    fields: Mapping[str, FieldSpec]
    templates: tuple[Template, ...]
    source: str  # the file, for messages

    def field_of(self, header: str) -> str | None:
        """The field a (normalized) header text names, or None."""
        for spec in self.fields.values():
            if spec.names(header):
                return spec.name
        return None

    def is_header_word(self, text: str) -> bool:
        """Whether a cell's text is a header word of some field: how extractors recognise a header row."""
        return bool(text.strip()) and self.field_of(normalize_header(text)) is not None

    def looks_like_header(self, cells: Sequence[str], minimum: int = 3) -> bool:
        """A row is a header when at least ``minimum`` of its cells are header words (or it starts with 序号)."""
        words = sum(1 for cell in cells if self.is_header_word(cell))
        first = normalize_header(cells[0]) if cells else ""
        return words >= minimum or first in self.fields["task_no"].headers

    def continues_header(self, above: Sequence[str], cells: Sequence[str]) -> bool:
        """A row continues the header row above it when each of its filled cells is a header word, alone or
        joined to the cell above (目标 / 任务, 完成情况 / 已完成)."""
        filled = [(i, cell) for i, cell in enumerate(cells) if cell.strip()]
        if not filled:
            return False
        for i, cell in filled:
            joined = (above[i] if i < len(above) else "") + cell
            if not (self.is_header_word(cell) or self.is_header_word(joined)):
                return False
        return True

    def column_fields(self, header_lines: Sequence[Sequence[str]]) -> tuple[list[str], list[tuple[str | None, str]]]:
        """Each column's joined header, and the field it names with the text that named it (None: no field).

        A column's candidates are its header lines joined from the top, then from the second line down, …: the
        first that names a field wins, so a parent header spanning several columns (完成情况 over 已完成) or a
        group title above a header (计划 over 第三季度) does not hide the column's own header.
        """
        width = max((len(line) for line in header_lines), default=0)
        merged = merge_header_lines(header_lines)
        named: list[tuple[str | None, str]] = []
        for column in range(width):
            parts = [line[column] if column < len(line) else "" for line in header_lines]
            found: tuple[str | None, str] = (None, normalize_header(merged[column]))
            for start in range(len(parts)):
                candidate = normalize_header("".join(parts[start:]))
                if not candidate:
                    break
                name = self.field_of(candidate)
                if name is not None:
                    found = (name, candidate)
                    break
            named.append(found)
        return merged, named

    def match(self, header_lines: Sequence[Sequence[str]]) -> ColumnMap:
        """The column map of a table header (its lines of cells, a merged cell's text in its first column)."""
        merged, named = self.column_fields(header_lines)
        names = [name for name, _ in named]
        outcomes = [_Outcome.of(template, names) for template in self.templates]
        accepted = [o for o in outcomes if o.accepted]
        if not accepted:
            raise TemplateMismatch(self._mismatch_message(merged, named, outcomes), merged)
        best = min(accepted, key=lambda o: o.extras)  # min keeps the first listed of equals
        fields = tuple(name if name in best.template.fields else None for name in names)
        position = fields.index("quarter_plan")
        return ColumnMap(
            template=best.template,
            headers=tuple(merged),
            fields=fields,
            quarter=self.fields["quarter_plan"].quarters[named[position][1]],
            quarter_header=merged[position],
        )

    def _mismatch_message(
        self,
        merged: list[str],
        named: list[tuple[str | None, str]],
        outcomes: list[_Outcome],
    ) -> str:
        # The closest template: fewest missing fields, then fewest duplicated ones, then the first listed.
        closest = min(outcomes, key=lambda o: (len(o.missing), len(o.duplicated)))
        template, missing, duplicated = closest.template, closest.missing, closest.duplicated
        found = ", ".join(header or "(empty)" for header in merged)
        expected = ", ".join(self.fields[f].label for f in _canonical_order(template.fields))
        mapped = ", ".join(f"{h or '(empty)'} → {name}" for h, (name, _) in zip(merged, named, strict=True) if name)
        parts = [
            f"the table is not a task-completion report table: found columns [{found}], expected [{expected}] "
            f"(closest template {template.name}: {template.description})",
            f"recognised: {mapped or 'none'}",
        ]
        if duplicated:
            columns = "; ".join(
                f"{f}: " + ", ".join(h for h, (n, _) in zip(merged, named, strict=True) if n == f) for f in duplicated
            )
            parts.append(
                f"more than one column names the same field ({columns}): one header must name another field "
                f"in {self.source}"
            )
        if missing:
            labels = ", ".join(f"{f} ({self.fields[f].label})" for f in missing)
            parts.append(f"missing fields: {labels}")
            unknown = [h for h, (name, _) in zip(merged, named, strict=True) if name is None and h]
            parts.append(self._suggestion(missing, unknown))
        return "; ".join(parts)

    def _suggestion(self, missing: list[str], unknown: list[str]) -> str:
        """The line to add to the template file: the first unrecognised header under the first missing field."""
        field = missing[0]
        if not unknown:
            return f"no unrecognised header is left to name {field}: the table lacks that column"
        header = normalize_header(unknown[0])
        where = (
            f"fields → {field} → quarter_headers → <the quarter it names, 1-4>"
            if field == "quarter_plan"
            else f"fields → {field} → headers"
        )
        others = f" (other unrecognised headers: {', '.join(unknown[1:])})" if len(unknown) > 1 else ""
        return f'if {unknown[0]} names {field}, add the line "- {header}" to {self.source} under {where}{others}'


@dataclass(frozen=True)
class _Outcome:
    """One template tried on a header: fields it lacks, fields named twice, columns it leaves as extras."""

    template: Template
    missing: list[str]
    duplicated: list[str]
    extras: int

    @property
    def accepted(self) -> bool:
        return not self.missing and not self.duplicated

    @classmethod
    def of(cls, template: Template, names: Sequence[str | None]) -> _Outcome:
        return cls(
            template=template,
            missing=[f for f in template.required if f not in names],
            duplicated=[f for f in template.fields if names.count(f) > 1],
            extras=sum(1 for name in names if name not in template.fields),
        )


def _canonical_order(names: Sequence[str]) -> list[str]:
    order = list(COLUMN_NAMES)
    order.insert(order.index("progress"), "status")
    return sorted(names, key=order.index)


# --- Reading the template file ---------------------------------------------------------------------------------


def bundled_templates_text() -> str:
    """The bundled template file (data/templates.yaml, packaged as etl/data/templates.yaml)."""
    return importlib.resources.files("etl").joinpath("data", "templates.yaml").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=8)
def _load_cached(path: str | None) -> TemplateSet:
    if path is None:
        return parse_templates(bundled_templates_text(), BUNDLED)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"cannot read the template file {path}: {exc.strerror or exc}") from exc
    return parse_templates(text, path)


def load_templates(path: Path | None = None) -> TemplateSet:
    """The templates of ``path``, or the bundled ones when None; read once per process and path."""
    return _load_cached(str(path) if path is not None else None)


def parse_templates(text: str, source: str) -> TemplateSet:
    """A TemplateSet from the YAML text of a template file; TemplateError naming what is malformed."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TemplateError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
        raise TemplateError(f"{source}: expected a mapping with 'fields' and 'templates'")
    known = set(COLUMN_NAMES) | set(EXTRA_FIELDS)
    fields: dict[str, FieldSpec] = {}
    owner: dict[str, str] = {}
    for name, spec in data["fields"].items():
        if name not in known:
            raise TemplateError(f"{source}: unknown field {name!r}; fields are {', '.join(sorted(known))}")
        spec = spec if isinstance(spec, dict) else {}
        headers = frozenset(normalize_header(str(h)) for h in _list(spec.get("headers"), source, name))
        quarters: dict[str, int] = {}
        for quarter, words in (spec.get("quarter_headers") or {}).items():
            if int(quarter) not in (1, 2, 3, 4):
                raise TemplateError(f"{source}: fields.{name}.quarter_headers: quarter {quarter!r} is not 1-4")
            for word in _list(words, source, f"{name}.quarter_headers.{quarter}"):
                quarters[normalize_header(str(word))] = int(quarter)
        if not headers and not quarters:
            raise TemplateError(f"{source}: field {name} has no headers")
        if (name == "quarter_plan") != bool(quarters) or (name == "quarter_plan" and headers):
            raise TemplateError(
                f"{source}: fields.{name}: the quarter column (quarter_plan) lists quarter_headers by quarter (1-4), "
                "every other field lists headers"
            )
        for header in [*headers, *quarters]:
            if header in owner and owner[header] != name:
                raise TemplateError(f"{source}: header {header!r} names both {owner[header]} and {name}")
            owner[header] = name
        label = str(spec.get("label") or COLUMN_LABELS.get(name) or EXTRA_FIELDS.get(name, name))
        fields[name] = FieldSpec(name, label, headers, quarters)
    if "task_no" not in fields or "quarter_plan" not in fields:
        raise TemplateError(f"{source}: the fields task_no and quarter_plan must be defined")
    templates = tuple(_template(entry, fields, source) for entry in _list(data.get("templates"), source, "templates"))
    if not templates:
        raise TemplateError(f"{source}: no templates")
    return TemplateSet(fields=fields, templates=templates, source=source)


def _template(entry: Any, fields: Mapping[str, FieldSpec], source: str) -> Template:
    if not isinstance(entry, dict) or not entry.get("name"):
        raise TemplateError(f"{source}: every template needs a name")
    name = str(entry["name"])
    status = str(entry.get("status", ""))
    if status not in STATUS_MODES:
        raise TemplateError(f"{source}: template {name}: status must be one of {', '.join(STATUS_MODES)}")
    required = tuple(str(f) for f in _list(entry.get("required"), source, f"{name}.required"))
    optional = tuple(str(f) for f in _list(entry.get("optional") or [], source, f"{name}.optional"))
    for f in required + optional:
        if f not in fields:
            raise TemplateError(f"{source}: template {name} names field {f!r}, which is not defined under fields")
    status_fields = ("status",) if status == "one_column_words" else ("done", "not_done")
    for f in ("task_no", "quarter_plan", *status_fields):
        if f not in required:
            raise TemplateError(f"{source}: template {name} must require {f}")
    words = frozenset(_word(str(w)) for w in _list(entry.get("not_done_words") or [], source, f"{name}.not_done_words"))
    return Template(name, str(entry.get("description", "")), status, required, optional, words)  # type: ignore[arg-type]


def _list(value: Any, source: str, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TemplateError(f"{source}: {where} must be a list")
    return value
