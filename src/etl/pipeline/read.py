"""Read and parse files: bytes → RawReport → Report, one file or a batch, in this process or a worker process.

Inputs and outputs are plain, picklable values (path strings, ParsedFile), so a batch can run in a process pool,
on a Dask worker or inside a Prefect task. Anything that goes wrong with one file — a ReportError naming page and
cell, but also any other exception of an extractor or the parser (a bug, a library's own error on a strange file)
— becomes that file's rejection with its name and the error, never an exception that stops the batch or the run.
"""

from __future__ import annotations

import threading
import time
import traceback
from pathlib import Path

from etl.declared import declared_for
from etl.errors import ReportError
from etl.extract.guarded import ExtractLimits, ExtractorPool, Then, extract_guarded
from etl.models import DeclaredMeta, Report
from etl.parse.report import parse_report
from etl.pipeline.results import ParsedFile

# The step the guarded child runs on what it read (etl.extract.guarded: it is sent by reference, and the child's
# limits bound it too): this process's parse step, fixed here so that the child always parses as the library does.
PARSE_IN_CHILD: Then[Report] = parse_report


def parsed_report(
    path: Path,
    limits: ExtractLimits | None = None,
    pool: ExtractorPool | None = None,
    declared: DeclaredMeta | None = None,
) -> Report:
    """One file read and parsed; ReportError naming the file, page and cell when it is bad.

    The file is read and parsed in the guarded child process (bounded in size, pages, memory and time:
    etl.extract.guarded), which sends the parsed report back; it is parsed again here when parsing failed there
    (so that its ReportError is raised in this process) or when metadata is declared for it (its sidecar
    ``<file>.meta.yaml``, or ``declared``: the run's --issuer/--period; etl.declared).
    """
    file_declared = declared_for(path, declared)
    extracted = extract_guarded(path, limits, pool, PARSE_IN_CHILD)
    parsed = extracted.then
    if parsed is not None and (file_declared is None or file_declared.only_synthetic):
        if file_declared is not None:  # the label changes no row: keep the child's parse
            return parsed.model_copy(update={"meta": parsed.meta.model_copy(update={"synthetic": True})})
        return parsed
    return parse_report(extracted.raw, file_declared)


def read_and_parse(
    path: str,
    limits: ExtractLimits | None = None,
    pool: ExtractorPool | None = None,
    declared: DeclaredMeta | None = None,
) -> ParsedFile:
    """parsed_report for one file; every failure is returned as ``error`` naming the file (never raised)."""
    started = time.perf_counter()
    name = Path(path).name
    try:
        report = parsed_report(Path(path), limits, pool, declared)
    except ReportError as exc:
        return ParsedFile(path=path, error=str(exc), seconds=time.perf_counter() - started)
    except MemoryError:
        return ParsedFile(
            path=path, error=f"{name}: out of memory while reading it", seconds=time.perf_counter() - started
        )
    except Exception as exc:  # an extractor's or the parser's own failure: reject the file, go on with the others
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        at = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
        return ParsedFile(
            path=path,
            error=f"{name}: could not be read: {type(exc).__name__}: {exc}{at}",
            seconds=time.perf_counter() - started,
        )
    return ParsedFile(path=path, sha256=report.raw.source_sha256, report=report, seconds=time.perf_counter() - started)


def read_batch(
    paths: list[str],
    limits: ExtractLimits | None = None,
    pool: ExtractorPool | None = None,
    stop: threading.Event | None = None,
    declared: DeclaredMeta | None = None,
) -> list[ParsedFile]:
    """read_and_parse for each file of a batch, in order (one task or one pool job per batch); when ``stop`` is set
    (the run ended early) the files not begun are left out. ``declared``: the run's declared metadata."""
    parsed = []
    for path in paths:
        if stop is not None and stop.is_set():
            break
        parsed.append(read_and_parse(path, limits, pool, declared))
    return parsed
