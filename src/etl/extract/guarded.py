"""Bounded extraction: a hostile or broken input file is rejected with a ReportError, never a hang or an OOM kill.

``extract_guarded(path, limits).raw`` is a file read as etl.extract.source.read_source reads it, within limits that
name themselves in the error when hit (settings, overridable by ETL_* variables):

- ``max_file_mb`` (ETL_MAX_FILE_MB, 100): the file's size, checked before anything reads it;
- ``max_pages`` (ETL_MAX_PAGES, 1000): a PDF's page count, counted by PDFium before any page is read;
- ``max_extract_memory_mb`` (ETL_MAX_EXTRACT_MEMORY_MB, 2048): the address space (RLIMIT_AS) of the process
  that extracts a PDF;
- ``max_extract_seconds`` (ETL_MAX_EXTRACT_SECONDS, 300): wall-clock time for one file (reading and parsing it);
  the process is killed.

Every file, whatever its format, is read in a child process, and the child then runs the caller's next step on
what it read (``extract_guarded(..., then=...)``: a function of the RawReport, e.g. the pipeline's parse step,
handed over by reference) and sends its result back too (the caller does not parse again), so the limits bound all
of a file's work: before issue 16 a text dump was read
in-process without a time bound, and a PDF's cells were cleaned after the extraction limit (a cell that cleaning
took minutes over held the writer lock). Reading a PDF runs C code (PDFium) and pure-Python code (pdfminer) on
untrusted bytes, a Word or Excel file is a ZIP package (a decompression bomb is possible), and only a separate
process can be stopped when it runs too long, capped in memory without capping the caller, and lost when it
crashes. The page count is taken in the child too, so not
even PDFium's page-tree parser sees a hostile file in the caller.

A child is a fresh interpreter (``python -m etl.extract.guarded_child``) started with subprocess: the fork and
exec happen in C, which is safe when the caller has threads (Prefect runs tasks in threads), and unlike
multiprocessing's spawn/forkserver the child does not re-import the caller's ``__main__``. It talks to the
caller over a socket pair (multiprocessing.connection framing, pickles). A child is started once and reused for
the next files; concurrent callers (threads) each get their own, up to MAX_WORKERS at a time. A child that hit a
limit, died or kept much memory is replaced. What a child can end with, and what the caller sees:

- the report: returned as read_source returns it;
- a ReportError of the extractor (encrypted, cut short, a scan, …): raised as it is;
- MemoryError (Python ran out of its address space): ReportError naming the memory limit; the child is retired;
- RecursionError (objects nested deeper than Python recurses): ReportError saying so;
- any other exception: ReportError naming it (the extractor's bug on that file must not stop the run); the
  child's traceback is logged;
- killed by a signal (PDFium aborts, SIGABRT, when an allocation fails under RLIMIT_AS; the kernel's OOM killer
  sends SIGKILL): ReportError naming the signal and the memory limit;
- no answer within max_extract_seconds: the child is killed (SIGKILL), ReportError naming the time limit.

Cost (benchmarks/guarded_overhead.py, results in benchmarks/results/guarded_overhead.md; 2-core machine):
starting a child costs about 0.5 s (a fresh interpreter importing the extractor), once per process and again
after each file that killed its child. With a warm child, each PDF costs about 3 ms more than read_source
in-process on the 12-page sample (about 70 ms to read), 16 ms on the 302-page synthetic report (about 1.5 s):
the pipe and pickling of the RawReport, plus under 1 ms for PDFium's page count; that is within the run-to-run
noise of the reads themselves. The memory limit covers the child's whole address space: the interpreter and the
extractor's libraries take about 70 MB of it before the first file; reading the 302-page report peaks at about
60 MB resident and fits within a 256 MB limit.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

from etl.errors import ReportError
from etl.models import RawReport
from etl.settings import Settings

log = logging.getLogger(__name__)

MB = 1 << 20
# Most children extracting at the same time; further callers wait for one to be free (their wait is not timed).
MAX_WORKERS = max(1, min(4, os.cpu_count() or 1))
# How long a new child may take to start and import the extractor before it is taken as broken.
STARTUP_SECONDS = 120.0
# A child whose resident memory after a file stays above this is retired, so memory a large file made it keep is
# given back to the system instead of staying with an idle child.
RETIRE_RSS_MB = 512.0


@dataclass(frozen=True)
class ExtractLimits:
    """Bounds on one input file's extraction; see the module docstring."""

    max_file_mb: float = 100.0
    max_pages: int = 1000
    max_extract_memory_mb: int = 2048
    max_extract_seconds: float = 300.0
    # Not a limit, but part of how the child reads the file: the template file (None: the bundled one).
    templates_file: Path | None = None

    @classmethod
    def from_settings(cls, s: Settings) -> ExtractLimits:
        return cls(
            max_file_mb=s.max_file_mb,
            max_pages=s.max_pages,
            max_extract_memory_mb=s.max_extract_memory_mb,
            max_extract_seconds=s.max_extract_seconds,
            templates_file=s.templates_file,
        )


@dataclass(frozen=True)
class ExtractStats:
    """How one file's extraction went."""

    in_child: bool
    seconds: float  # wall-clock time as the caller saw it, checks and transfer included
    child_seconds: float | None = None  # page count and read_source inside the child
    peak_rss_mb: float | None = None  # the child's peak resident memory while it read this file
    page_count: int | None = None  # as PDFium counted the pages (None when it could not open the file)
    child_pid: int | None = None  # the child that read the file


T = TypeVar("T")
# The step the child runs on the RawReport it read: a module-level function (it is sent by reference, so the child
# imports its module), e.g. the pipeline's parse step. Its result must pickle.
Then = Callable[[RawReport], T]


@dataclass(frozen=True)
class Extracted(Generic[T]):
    """A file read in the child: its RawReport, how the reading went, and what the caller's ``then`` step made of it
    there (None when no step was given, or when it raised: the caller runs it again to report the error)."""

    raw: RawReport
    stats: ExtractStats
    then: T | None = None


@overload
def extract_guarded(
    path: Path, limits: ExtractLimits | None = None, pool: ExtractorPool | None = None
) -> Extracted[None]: ...


@overload
def extract_guarded(
    path: Path, limits: ExtractLimits | None, pool: ExtractorPool | None, then: Then[T]
) -> Extracted[T]: ...


def extract_guarded(
    path: Path,
    limits: ExtractLimits | None = None,
    pool: ExtractorPool | None = None,
    then: Then[Any] | None = None,
) -> Extracted[Any]:
    """read_source within the limits (default ones when None; ReportError naming the file and the limit hit), and
    ``then`` run on the RawReport in the child within the same limits (its result in
    ``Extracted.then``: the caller need not run it again); in a child of ``pool`` (default: the process-wide
    pool)."""
    limits = limits if limits is not None else ExtractLimits()
    started = time.perf_counter()
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise ReportError.single(path.name, f"cannot read the file: {exc.strerror or exc}") from exc
    if size > limits.max_file_mb * MB:
        raise ReportError.single(
            path.name,
            f"the file is {size / MB:.1f} MB, more than the limit of {limits.max_file_mb:g} MB "
            "(max_file_mb, ETL_MAX_FILE_MB)",
        )
    if not head.strip():
        raise ReportError.single(path.name, "the file is empty")
    # Every format is read in the child (issue 16): a text dump's reading and parsing had no time bound, and the
    # child also runs the caller's next step (``then``), so its limits bound all of a file's work.
    return (pool or default_pool()).extract(path, limits, started, then)


class _ChildDied(Exception):
    def __init__(self, exitcode: int | None) -> None:
        super().__init__(exitcode)
        self.exitcode = exitcode


class _ChildTimedOut(Exception):
    pass


class _ChildGone(Exception):
    """The child had exited before it got the job (e.g. killed while idle): not the file's doing."""


class _Worker:
    """One child process (etl.extract.guarded_child) and the caller's end of the socket pair to it."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        # The child imports etl from wherever this process does (an installed package or a source tree).
        paths = [entry for entry in sys.path if entry]
        if env.get("PYTHONPATH"):
            paths.append(env["PYTHONPATH"])
        env["PYTHONPATH"] = os.pathsep.join(paths)
        # glibc gives each thread its own malloc arena, reserving 64 MB of address space apiece; the OCR threads
        # (etl.extract.ocr) would spend the RLIMIT_AS budget on reservations (measured: 1.8 → 1.4 GB peak for two
        # scanned pages recognised at once).
        env.setdefault("MALLOC_ARENA_MAX", "2")
        try:
            # subprocess starts the child with fork+exec done in C (or posix_spawn): safe with threads, and the
            # child is a fresh interpreter that does not re-run the caller's __main__.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "etl.extract.guarded_child", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        except OSError as exc:
            ours.close()
            raise RuntimeError(f"cannot start the extraction process: {exc}") from exc
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        try:
            if not self.conn.poll(STARTUP_SECONDS):
                raise RuntimeError(f"it did not start within {STARTUP_SECONDS:g} s")
            self.conn.recv()
        except (EOFError, OSError, RuntimeError) as exc:
            self.stop()
            raise RuntimeError(
                f"cannot start the extraction process: {exc or f'it exited with code {self.process.returncode}'}"
            ) from exc

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, job: tuple[Any, ...], timeout: float) -> tuple[Any, ...]:
        try:
            self.conn.send(job)
        except OSError as exc:
            self.stop()
            raise _ChildGone from exc
        try:
            if not self.conn.poll(timeout):
                self.stop()
                raise _ChildTimedOut
            reply: tuple[Any, ...] = self.conn.recv()
            return reply
        except (EOFError, OSError, pickle.UnpicklingError) as exc:  # the child died: its end of the pipe closed
            try:
                exitcode: int | None = self.process.wait(5)
            except subprocess.TimeoutExpired:
                exitcode = None
            self.stop()
            raise _ChildDied(exitcode) from exc

    def stop(self) -> None:
        """Kill the child (SIGKILL: a stuck extractor ignores anything gentler) and release its pipe."""
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        self.conn.close()

    def close(self) -> None:
        """Ask an idle child to exit; kill it if it does not."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(2)
        self.stop()


class ExtractorPool:
    """Child processes that extract PDFs, reused across files; safe to call from several threads."""

    def __init__(self, max_workers: int = MAX_WORKERS) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_workers)
        self._closed = False

    def extract(
        self, path: Path, limits: ExtractLimits, started: float | None = None, then: Then[Any] | None = None
    ) -> Extracted[Any]:
        """Read a file in a child within ``limits``, and run ``then`` on it there; ReportError naming the limit
        for what goes wrong."""
        started = time.perf_counter() if started is None else started
        # CPU backstop in the child: twice the wall-clock limit, should this process die and stop timing it.
        cpu_seconds = 2 * limits.max_extract_seconds + 10
        # Absolute but not resolved: a symlink keeps its own name, as read_source(path) would report it.
        templates = str(limits.templates_file) if limits.templates_file is not None else None
        memory = int(limits.max_extract_memory_mb * MB)
        job = (os.path.abspath(path), limits.max_pages, memory, cpu_seconds, templates, then)
        with self._slots:
            worker = self._take()
            try:
                try:
                    reply = worker.run(job, limits.max_extract_seconds)
                except _ChildGone:
                    worker = _Worker()
                    reply = worker.run(job, limits.max_extract_seconds)
            except _ChildTimedOut:
                raise ReportError.single(
                    path.name,
                    f"reading and parsing the file did not finish within the time limit of "
                    f"{limits.max_extract_seconds:g} s (max_extract_seconds, ETL_MAX_EXTRACT_SECONDS); the extraction "
                    "process was stopped",
                ) from None
            except _ChildDied as died:
                raise ReportError.single(path.name, _death_message(died.exitcode, limits)) from None
            except BaseException:  # e.g. KeyboardInterrupt while waiting: the child may still be busy
                worker.stop()
                raise
            kind, *rest, (child_seconds, peak, pages, rss) = reply
            self._give_back(worker, keep=kind != "memory" and (rss is None or rss <= RETIRE_RSS_MB))
        stats = ExtractStats(
            in_child=True,
            seconds=time.perf_counter() - started,
            child_seconds=child_seconds,
            peak_rss_mb=peak,
            page_count=pages,
            child_pid=worker.process.pid,
        )
        if kind == "ok":
            raw: RawReport = rest[0]
            return Extracted(raw, stats, rest[1])
        if kind == "report_error":
            file_name, problems = rest
            raise ReportError(file_name, list(problems))
        if kind == "memory":
            message = (
                f"extraction needed more memory than the limit of {limits.max_extract_memory_mb} MB "
                "(max_extract_memory_mb, ETL_MAX_EXTRACT_MEMORY_MB)"
            )
        elif kind == "recursion":
            message = f"the PDF's objects are nested too deeply to read ({rest[0]})"
        else:
            log.error("%s: the extractor failed in its process:\n%s", path.name, rest[1])
            message = f"the extractor failed on this file ({rest[0]})"
        raise ReportError.single(path.name, message)

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise RuntimeError("the extractor pool is closed")
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.stop()
        return _Worker()

    def _give_back(self, worker: _Worker, keep: bool) -> None:
        with self._lock:
            if keep and not self._closed and worker.alive():
                self._idle.append(worker)
                return
        worker.close()

    def close(self) -> None:
        """Stop the idle children (a child in use is stopped when its file is done)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


def _death_message(exitcode: int | None, limits: ExtractLimits) -> str:
    memory = f"the memory limit of {limits.max_extract_memory_mb} MB (max_extract_memory_mb, ETL_MAX_EXTRACT_MEMORY_MB)"
    if exitcode is None or exitcode >= 0:
        return f"the extraction process exited unexpectedly (exit code {exitcode}); {memory} may have been hit"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"signal {-exitcode}"
    if -exitcode == signal.SIGKILL:
        return f"the extraction process was killed ({name}), most likely by the system for lack of memory; {memory}"
    if -exitcode == signal.SIGABRT:
        return (
            f"the extraction process aborted ({name}), as the PDF library does when an allocation fails: "
            f"{memory} was hit"
        )
    return f"the extraction process crashed ({name}) on this file; a malformed PDF, or {memory} was hit"


_default_pool: ExtractorPool | None = None
_default_lock = threading.Lock()


def default_pool() -> ExtractorPool:
    """The process-wide pool extract_guarded uses, made on first use and closed at exit."""
    global _default_pool
    with _default_lock:
        if _default_pool is None:
            _default_pool = ExtractorPool()
            atexit.register(_default_pool.close)
        return _default_pool


def shutdown() -> None:
    """Stop the default pool's children now (they are stopped at exit anyway)."""
    global _default_pool
    with _default_lock:
        pool, _default_pool = _default_pool, None
    if pool is not None:
        pool.close()
