"""Reading a template file (data/templates.yaml, or the one ETL_TEMPLATES_FILE names) into a TemplateSet.

The file's form is described at its top. A malformed file is the configuration's fault, not a report's: it raises
TemplateError naming what is wrong.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from etl.extract.template import ROW_LAYOUTS, FieldSpec, Template, TemplateSet, normalize_header
from etl.models import COLUMN_LABELS, COLUMN_NAMES
from etl.periods import load_periods

BUNDLED = "bundled data/templates.yaml"
# Keys of the first template file format (status: two_mark_columns | one_column_words, not_done_words): still read,
# the status form now follows from the fields a template names and the words from data/statuses.yaml.
_LEGACY_KEYS = ("status", "not_done_words")


class TemplateError(ValueError):
    """The template file itself is malformed: not the report's fault, the configuration's."""


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
    fields = _fields(data["fields"], source)
    by_content = _by_content(data.get("decided_by_content") or {}, fields, source)
    for header in by_content:
        owners = [spec.name for spec in fields.values() if header in spec.headers]
        if owners:
            raise TemplateError(f"{source}: header {header!r} is under decided_by_content and names {owners[0]}")
    templates = tuple(_template(entry, fields, source) for entry in _list(data.get("templates"), source, "templates"))
    if not templates:
        raise TemplateError(f"{source}: no templates")
    return TemplateSet(fields=fields, templates=templates, by_content=by_content, periods=load_periods(), source=source)


def _fields(entries: Mapping[str, Any], source: str) -> dict[str, FieldSpec]:
    known = set(COLUMN_NAMES)
    fields: dict[str, FieldSpec] = {}
    owner: dict[str, str] = {}
    for name, spec in entries.items():
        if name == "quarter_plan":  # the first file format's name of period_plan
            name = "period_plan"
        if name not in known:
            raise TemplateError(f"{source}: unknown field {name!r}; fields are {', '.join(sorted(known))}")
        spec = spec if isinstance(spec, dict) else {}
        words = [*_list(spec.get("headers"), source, name)]
        for quarter_words in (spec.get("quarter_headers") or {}).values():  # first format: period words by quarter
            words += _list(quarter_words, source, f"{name}.quarter_headers")
        headers = frozenset(normalize_header(str(h)) for h in words)
        if not headers and name != "period_plan":
            raise TemplateError(f"{source}: field {name} has no headers")
        for header in headers:
            if header in owner and owner[header] != name:
                raise TemplateError(f"{source}: header {header!r} names both {owner[header]} and {name}")
            owner[header] = name
        label = str(spec.get("label") or COLUMN_LABELS.get(name, name))
        fields[name] = FieldSpec(name, label, headers)
    for required in ("task_no", "task_title"):
        if required not in fields:
            raise TemplateError(f"{source}: the fields task_no and task_title must be defined")
    return fields


def _by_content(entries: Any, fields: Mapping[str, FieldSpec], source: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(entries, dict):
        raise TemplateError(f"{source}: decided_by_content must map a header to the fields it may name")
    out: dict[str, tuple[str, ...]] = {}
    for header, names in entries.items():
        options = tuple(str(n) for n in _list(names, source, f"decided_by_content.{header}"))
        if sorted(options) != ["progress", "status"]:
            raise TemplateError(f"{source}: decided_by_content.{header}: only [status, progress] is decided by "
                                "content (short words or marks: status; sentences: progress)")  # fmt: skip
        for name in options:
            if name not in fields:
                raise TemplateError(f"{source}: decided_by_content.{header} names {name}, not defined under fields")
        out[normalize_header(str(header))] = options
    return out


def _template(entry: Any, fields: Mapping[str, FieldSpec], source: str) -> Template:
    if not isinstance(entry, dict) or not entry.get("name"):
        raise TemplateError(f"{source}: every template needs a name")
    name = str(entry["name"])
    unknown = set(entry) - {"name", "description", "rows", "required", "optional", *_LEGACY_KEYS}
    if unknown:
        raise TemplateError(f"{source}: template {name} has unknown keys {', '.join(sorted(unknown))}")
    required = tuple(
        "period_plan" if f == "quarter_plan" else str(f)
        for f in _list(entry.get("required"), source, f"{name}.required")
    )
    optional = tuple(
        "period_plan" if f == "quarter_plan" else str(f)
        for f in _list(entry.get("optional") or [], source, f"{name}.optional")
    )
    for f in required + optional:
        if f not in fields:
            raise TemplateError(f"{source}: template {name} names field {f!r}, which is not defined under fields")
    rows = str(entry.get("rows") or ("plan_rows" if "plan_kind" in required else "one_per_task"))
    if rows not in ROW_LAYOUTS:
        raise TemplateError(f"{source}: template {name}: rows must be one of {', '.join(ROW_LAYOUTS)}")
    if rows == "plan_rows" and "plan_kind" not in required:
        raise TemplateError(f"{source}: template {name}: plan rows need the plan_kind column among required")
    for f in ("task_no", "task_title"):
        if f not in required:
            raise TemplateError(f"{source}: template {name} must require {f}")
    status = entry.get("status")
    if status is not None and status not in ("two_mark_columns", "one_column_words"):
        raise TemplateError(f"{source}: template {name}: status must be one of two_mark_columns, one_column_words")
    return Template(name, str(entry.get("description", "")), rows, required, optional)  # type: ignore[arg-type]


def _list(value: Any, source: str, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TemplateError(f"{source}: {where} must be a list")
    return value
