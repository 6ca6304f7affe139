"""Declared metadata: what a user says about a document whose text does not say it (issuer, period, synthetic).

Two ways to declare, for the same fields (etl.models.DeclaredMeta):

- flags of the run: ``etl ingest FILE --issuer 绍兴市政府 --period 2021Q3`` (they apply to every file the run names);
- a sidecar file beside the document, ``<file name>.meta.yaml`` (the way for a folder, the inbox and the archive)::

      issuer: 绍兴市政府
      period: 2021Q3        # 2021H1, 2021M11 (January to November), 2021Y
      note: the page was saved without its title

Where both declare a field they must say the same; where the document says it too, etl.parse.title checks that the
two agree. Nothing is ever taken from a file's name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from etl.errors import ReportError
from etl.models import DeclaredMeta

SIDECAR_SUFFIX = ".meta.yaml"


def sidecar_path(path: Path) -> Path:
    """Where a document's declared metadata is: ``<file name>.meta.yaml`` beside it."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> DeclaredMeta | None:
    """The metadata declared in the document's sidecar, None when it has none; ReportError naming the sidecar when
    it is not a mapping of the known keys (issuer, period, synthetic, note)."""
    sidecar = sidecar_path(path)
    if not sidecar.is_file():
        return None
    try:
        data: Any = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
        return DeclaredMeta.model_validate(data or {})
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReportError.single(path.name, f"cannot read its metadata file {sidecar.name}: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'the file'}: {e['msg']}" for e in exc.errors())
        raise ReportError.single(
            path.name,
            f"its metadata file {sidecar.name} is not valid ({problems}); keys: issuer, period, synthetic, note",
        ) from exc


def declared_for(path: Path, given: DeclaredMeta | None = None) -> DeclaredMeta | None:
    """What is declared for one document: its sidecar and the run's flags together; ReportError when they disagree."""
    sidecar = read_sidecar(path)
    if sidecar is None or given is None:
        return sidecar or given
    merged = sidecar.model_dump()
    for name, value in given.model_dump(exclude_defaults=True).items():
        if merged.get(name) not in (None, False, value):
            raise ReportError.single(
                path.name,
                f"--{name} {value} does not agree with {name}: {merged[name]} in {sidecar_path(path).name}",
            )
        merged[name] = value
    return DeclaredMeta.model_validate(merged)
