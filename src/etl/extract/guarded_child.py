"""The child side of etl.extract.guarded: a process that reads PDFs one at a time within resource limits.

Started by guarded.py as ``python -m etl.extract.guarded_child FD`` with FD one end of a socket pair. It imports
the readers of the common formats once, says it is ready, then for each job ``(path, max_pages, memory_bytes,
cpu_seconds, templates_file, then)``:

1. sets the soft RLIMIT_AS to ``memory_bytes`` (the hard limit is left as it was, so the next job may set
   another) and a soft RLIMIT_CPU of the CPU time used so far plus ``cpu_seconds``: a backstop that ends the
   child by SIGXCPU should the caller die and no longer enforce the wall-clock limit;
2. counts the pages with PDFium (the page tree only, no page is loaded) and refuses more than ``max_pages``;
3. runs etl.extract.source.read_source, unchanged;
4. runs ``then``, the caller's next step (a function of the RawReport, sent by reference: the pipeline hands its
   parse step), on the report read, within the same limits;
5. lifts the limits again and replies ``(kind, *details, stats)``; see guarded.py for the kinds.

Nothing here is the caller's process: a crash, an abort or a kill ends only this child.
"""

from __future__ import annotations

import faulthandler
import importlib
import logging
import os
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from etl.errors import ReportError
from etl.extract.formats import preload_modules
from etl.extract.source import read_source
from etl.extract.template_file import load_templates
from etl.models import RawReport

log = logging.getLogger(__name__)



def serve(conn: Connection) -> None:
    """Answer jobs until told to stop (None), the caller goes away, or memory ran out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle; it stops its children
    faulthandler.enable()  # a crash in C code prints the Python stack to stderr before the child dies
    # Imported now, so that reading a file does not pay for it: the readers of the common formats. The module of a
    # job's ``then`` is imported when the first job that names it is received, outside that job's limits and time.
    for module in preload_modules():
        importlib.import_module(module)
    as_soft, as_hard = resource.getrlimit(resource.RLIMIT_AS)
    cpu_soft, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        path, max_pages, memory_bytes, cpu_seconds, templates_file, then = job
        _reset_peak_rss()
        started = time.perf_counter()
        pages: list[int | None] = [None]
        resource.setrlimit(resource.RLIMIT_AS, (_capped(memory_bytes, as_hard), as_hard))
        resource.setrlimit(resource.RLIMIT_CPU, (_capped(int(_cpu_used() + cpu_seconds) + 1, cpu_hard), cpu_hard))
        try:
            raw = extract(Path(path), max_pages, pages, templates_file)
            reply: tuple[Any, ...] = ("ok", raw, follow_up(raw, then))
        except ReportError as exc:
            reply = ("report_error", exc.file_name, exc.problems)
        except MemoryError:
            reply = ("memory",)
        except RecursionError as exc:
            reply = ("recursion", str(exc))
        except Exception as exc:
            reply = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        finally:
            # The reply is ours to build and send, not the file's: no limit on it.
            resource.setrlimit(resource.RLIMIT_AS, (as_soft, as_hard))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_soft, cpu_hard))
        stats = (time.perf_counter() - started, peak_rss_mb(), pages[0], _status_mb("VmRSS"))
        conn.send((*reply, stats))
        if reply[0] == "memory":
            return  # what was half-built when memory ran out is not worth keeping: the caller starts a new child


def follow_up(raw: RawReport, then: Callable[[RawReport], object] | None) -> object | None:
    """The rest of a file's work, run here after reading so that the child's time and memory limits bound it too (a
    cell that took minutes to clean held the writer lock in the caller). Its result is sent back with the RawReport
    (one pickle: a result that holds the RawReport sends it once), so the caller need not run it again; when it
    raises (a bad row) the result is None and the caller runs the step itself to report the error in its words.
    Running out of memory or recursion is this child's to report."""
    if then is None:
        return None
    try:
        return then(raw)
    except (MemoryError, RecursionError):
        raise
    except Exception:
        log.debug("%s: the caller's step fails here too; the caller reports it", raw.source_file, exc_info=True)
        return None


def extract(path: Path, max_pages: int, pages: list[int | None], templates_file: str | None = None) -> RawReport:
    """read_source after the page-count check; ``pages[0]`` gets the count as soon as it is known."""
    pages[0] = count = page_count(path)
    if count is not None and count > max_pages:
        raise ReportError.single(
            path.name, f"the PDF has {count} pages, more than the limit of {max_pages} (max_pages, ETL_MAX_PAGES)"
        )
    return read_source(path, load_templates(Path(templates_file) if templates_file else None))


def page_count(path: Path) -> int | None:
    """The page count from the page tree; None when PDFium cannot open the file at all, which read_source then
    reports in its own words (encrypted, not a PDF, …)."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return None
    try:
        return len(doc)
    finally:
        doc.close()


def _capped(value: int, hard: int) -> int:
    return value if hard == resource.RLIM_INFINITY else min(value, hard)


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reset_peak_rss() -> None:
    """Start a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM); ignored elsewhere."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """Peak resident memory since the last reset (VmHWM); ru_maxrss, the peak over the child's life, elsewhere."""
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
