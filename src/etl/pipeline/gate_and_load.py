"""Gate and load one batch of parsed files into the (staging) warehouse, in the batch's file order.

1. Files that could not be read or parsed are rejected with their error.
2. The report suites run over the whole batch at once (one GX validation per suite, results attributed to each
   file); a file failing a critical expectation is rejected, the others go on.
3. The remaining reports are loaded in rounds, one transaction per round: the first report of each issuer and
   year in the batch in round 1, the second in round 2, and so on (a copy of a file's bytes goes after the file
   too). A report's history frames are read just before its round is loaded, so they see every report of its
   issuer and year loaded before it, in this batch too, and no later one; history only ever compares reports of
   one issuer and year, so the other reports of a round do not change it. Likewise the checks that make a load
   idempotent by bytes and by content (``etl.load.warehouse.load_reports``) see the earlier copies in the batch.
   Load times are taken in file order, as loading one report after the other would record them. A round costs a
   few queries and one insert per table, whatever its size (batches of many issuers have few rounds).
   If a round's insert fails on its data (e.g. a constraint), it is rolled back and its reports are loaded again
   one per transaction: the report that fails is rejected naming its file and the error, the others are loaded.
   Just before its round, a report that would replace the current version of its period is compared with it
   (etl.load.versions): dropping any of its tasks refuses the report unless the run accepts it; replacing it
   without （修订） adds a warning naming what changed.
4. The history suites (warnings only: they never stop a report) run over the batch at once.
5. The batch's validation records and ``ops.ingest_file`` rows are written in one transaction.

Nothing here is published: the caller loads a staging copy and publishes once per run (``etl.load.publish``).
A lake (``writes``, etl.load.backend.ReportWrites) instead loads each report in a transaction of its own, under
the lock of its issuer and year, reading its history and whether it is loaded already under that lock; the
transaction is a snapshot readers see at once, and a conflict DuckLake reports is retried.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb

from etl.load.backend import ReportWrites
from etl.load.validation import record_validations
from etl.load.versions import DroppedTasksAccepted, dropped_refusal, replaced_versions, version_warning, warning_note
from etl.load.warehouse import LoadResult, load_reports, loaded_among, record_outcomes
from etl.models import Report
from etl.pipeline.gate_worker import Validator
from etl.pipeline.results import FileOutcome, ParsedFile
from etl.validate.gate import SuiteFrames, ValidationOutcome, history_frames_many, report_frames

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    index: int  # position in the batch
    parsed: ParsedFile
    report: Report
    checks: ValidationOutcome
    loaded_at: datetime  # taken in file order: what loading one report after the other would record
    history: SuiteFrames | None = None
    version: ValidationOutcome | None = None  # the warning of a version that replaces the current one
    result: LoadResult | None = None
    rejected: str | None = None
    seconds: float = 0.0


def load_times(conn: duckdb.DuckDBPyConnection, count: int) -> list[datetime]:
    """``count`` load times, strictly increasing in file order and later than every report loaded so far.

    "Latest load wins" (staging.report_version orders originals by loaded_at) needs no two reports of a batch to
    share a time, as they would if each took ``now()`` in a tight loop (microsecond clock: ties measured); one
    microsecond apart keeps file order exact, and starting after the warehouse's latest keeps it across batches.
    """
    latest = conn.execute("select max(loaded_at) from core.report").fetchone()
    start = datetime.now(UTC)
    if latest is not None and latest[0] is not None:
        previous = latest[0] if latest[0].tzinfo else latest[0].replace(tzinfo=UTC)
        start = max(start, previous + timedelta(microseconds=1))
    return [start + timedelta(microseconds=i) for i in range(count)]


def gate_reports(gate: Validator, reports: list[Report]) -> list[ValidationOutcome]:
    """The report suites over a batch of reports: one outcome per report, in order."""
    return gate.validate_batch([report_frames(r) for r in reports], run_names=[r.raw.source_file for r in reports])


# Errors of one report's rows (a constraint, a value that does not convert): that report is rejected, the run goes
# on. Anything else (a full disk, an I/O error, a bug) stops the run as before, with nothing published.
REPORT_LOAD_ERRORS: tuple[type[Exception], ...] = (duckdb.IntegrityError, duckdb.DataError)


def load_batch(
    conn: duckdb.DuckDBPyConnection,
    parsed: list[ParsedFile],
    gate: Validator,
    run_id: str,
    accept: DroppedTasksAccepted | None = None,
    *,
    writes: ReportWrites | None = None,
) -> list[FileOutcome]:
    """Gate and load a batch (see the module docstring); one outcome per file, in the batch's order."""
    outcomes: dict[int, FileOutcome] = {}
    pending: list[tuple[int, ParsedFile, Report]] = []
    for index, item in enumerate(parsed):
        if item.report is None:
            outcomes[index] = rejected(item, item.error or f"{item.name}: not parsed")
        else:
            pending.append((index, item, item.report))
    checks = gate_reports(gate, [report for _, _, report in pending]) if pending else []
    loaded = loaded_among(conn, [report.raw.source_sha256 for _, _, report in pending])
    validated: dict[int, _Pending] = {}
    times = load_times(conn, len(pending))
    states = [
        _Pending(index, item, report, outcome, at)
        for ((index, item, report), outcome), at in zip(zip(pending, checks, strict=True), times, strict=True)
    ]
    for group in _rounds(states):
        members = []
        for state in group:
            report = state.report
            if report.raw.source_sha256 in loaded:  # the same bytes earlier in this run: nothing to check
                result = LoadResult(report.raw.source_sha256, "unchanged", 0)
                outcomes[state.index] = loaded_outcome(state.parsed, report, result, 0, 0)
                continue
            if not state.checks.passed_critical:
                state.rejected = f"{state.parsed.name}: quality gate failed\n{state.checks.summary()}"
            validated[state.index] = state
            members.append(state)
        if writes is None:
            loaded |= _load_group(conn, members, run_id, accept or DroppedTasksAccepted())
        else:
            loaded |= _load_each(conn, members, run_id, accept or DroppedTasksAccepted(), writes)
    validated = dict(sorted(validated.items()))
    outcomes.update(_judged(gate, validated))
    ordered = [outcomes[index] for index in range(len(parsed))]

    def record() -> None:
        conn.execute("begin transaction")
        try:
            record_validations(conn, run_id, [(s.report, s.checks) for s in validated.values()])
            record_outcomes(conn, run_id, ordered)
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise

    record() if writes is None else writes.transaction(record, "run records")  # a lake: retried on a conflict
    return ordered


def _judged(gate: Validator, validated: dict[int, _Pending]) -> dict[int, FileOutcome]:
    """Step 4 and the outcomes: the history suites over the batch's validated reports at once, merged into each
    report's checks (with its version warning); then each report's outcome, loaded or rejected, by its index."""
    outcomes: dict[int, FileOutcome] = {}
    if validated:
        states = list(validated.values())
        histories = gate.validate_batch(
            [s.history or {} for s in states], run_names=[s.report.raw.source_file for s in states]
        )
        for state, history in zip(states, histories, strict=True):
            state.checks = state.checks.merge(history, *([state.version] if state.version else []))
    for index, state in validated.items():
        for warning in state.checks.warnings:
            log.warning("%s: %s", state.parsed.name, warning.describe())
        if state.rejected is not None:
            log.error("%s: rejected\n%s", state.parsed.name, state.rejected)
            outcomes[index] = rejected(state.parsed, state.rejected, state.report)
        else:
            assert state.result is not None
            outcomes[index] = loaded_outcome(
                state.parsed, state.report, state.result, state.seconds, len(state.checks.warnings)
            )
            if state.version is not None and state.result.outcome == "loaded":
                outcomes[index].message = warning_note(state.version)
                outcomes[index].accepted_drops = list(state.version.results[0].observed["dropped"])
    return outcomes


def _rounds(states: list[_Pending]) -> list[list[_Pending]]:
    """The batch in rounds, each loaded in turn: a report goes one round after the latest earlier report of its
    issuer and year (or with its bytes), so it sees those loaded and no later one; reports of other issuers or
    years neither see nor change its checks. Each round keeps file order."""
    rounds: list[list[_Pending]] = []
    latest: dict[tuple[str, ...], int] = {}  # (issuer, year) or (sha256,): the round of its latest report so far
    for state in states:
        meta = state.report.meta
        keys = [(meta.issuer, str(meta.year)), (state.report.raw.source_sha256,)]
        number = max((latest[key] + 1 for key in keys if key in latest), default=0)
        for key in keys:
            latest[key] = number
        if number == len(rounds):
            rounds.append([])
        rounds[number].append(state)
    return rounds


def _load_group(
    conn: duckdb.DuckDBPyConnection, group: list[_Pending], run_id: str, accept: DroppedTasksAccepted
) -> set[str]:
    """Read the group's history frames and compare each report with the version it would replace, then load the
    reports that passed in one transaction (falling back to one transaction per report if that fails on a
    report's data); the SHA-256 of the files loaded."""
    if not group:
        return set()
    started = time.perf_counter()
    for state, history in zip(group, history_frames_many(conn, [s.report for s in group]), strict=True):
        state.history = history
    _compare_versions(conn, group, accept)
    passed = [state for state in group if state.rejected is None]
    results: list[LoadResult | None]
    try:
        results = list(
            load_reports(conn, [s.report for s in passed], run_id=run_id, loaded_at=[s.loaded_at for s in passed])
        )
    except REPORT_LOAD_ERRORS:  # rolled back: find the report it was, loading each on its own
        results = []
        for state in passed:
            try:
                results.append(load_reports(conn, [state.report], run_id=run_id, loaded_at=[state.loaded_at])[0])
            except REPORT_LOAD_ERRORS as exc:
                log.error("%s: could not be loaded: %s", state.parsed.name, exc)
                state.rejected = f"{state.parsed.name}: not loaded, the warehouse refused its rows: {exc}"
                results.append(None)
    for state, result in zip(passed, results, strict=True):
        state.result = result
    share = (time.perf_counter() - started) / len(group)
    for state in group:
        state.seconds += share
    return {state.report.raw.source_sha256 for state in passed if state.result and state.result.outcome == "loaded"}


def _compare_versions(conn: duckdb.DuckDBPyConnection, group: list[_Pending], accept: DroppedTasksAccepted) -> None:
    """Compare each report of the group with the current version it would replace: one dropping tasks is refused
    unless accepted, one replacing it gets the warning naming what changed."""
    for state, current in zip(group, replaced_versions(conn, [s.report for s in group]), strict=True):
        if current is None or state.rejected is not None:
            continue
        dropped = current.dropped(state.report)
        if dropped and state.report.raw.source_sha256 not in accept:
            state.rejected = dropped_refusal(state.report, current, dropped)
        else:
            state.version = version_warning(state.report, current, dropped)


def _load_each(
    conn: duckdb.DuckDBPyConnection,
    group: list[_Pending],
    run_id: str,
    accept: DroppedTasksAccepted,
    writes: ReportWrites,
) -> set[str]:
    """The lake's load of a group: each report under its issuer and year's lock, its history read, its version
    compared with the current one and its rows loaded (one transaction, retried on a conflict) there; the SHA-256
    of the files loaded."""
    done: set[str] = set()
    for state in group:
        started = time.perf_counter()
        meta = state.report.meta
        with writes.locked(meta.issuer, meta.year):
            state.history = history_frames_many(conn, [state.report])[0]
            _compare_versions(conn, [state], accept)
            if state.rejected is None:
                at = max(state.loaded_at, _latest_load(conn, meta.issuer, meta.year) + timedelta(microseconds=1))
                try:
                    state.result = writes.transaction(
                        lambda: load_reports(conn, [state.report], run_id=run_id, loaded_at=[at])[0],  # noqa: B023
                        state.parsed.name,
                    )
                except REPORT_LOAD_ERRORS as exc:
                    log.error("%s: could not be loaded: %s", state.parsed.name, exc)
                    state.rejected = f"{state.parsed.name}: not loaded, the warehouse refused its rows: {exc}"
        state.seconds += time.perf_counter() - started
        if state.result is not None and state.result.outcome == "loaded":
            done.add(state.report.raw.source_sha256)
    return done


def _latest_load(conn: duckdb.DuckDBPyConnection, issuer: str, year: int) -> datetime:
    """When the latest report of ``issuer`` and ``year`` was loaded (under their lock: by any writer)."""
    row = conn.execute(
        "select max(loaded_at) from core.report where issuer = ? and year = ?", [issuer, year]
    ).fetchone()
    latest = row[0] if row and row[0] is not None else datetime.min.replace(tzinfo=UTC)
    return latest if latest.tzinfo else latest.replace(tzinfo=UTC)


def rejected(item: ParsedFile, message: str, report: Report | None = None) -> FileOutcome:
    """The outcome of a file that is not loaded, with the reason naming it."""
    meta = report.meta if report else None
    return FileOutcome(
        file=item.name,
        outcome="failed",
        path=item.path,
        sha256=item.sha256,
        issuer=meta.issuer if meta else None,
        year=meta.year if meta else None,
        quarter=meta.quarter if meta else None,
        period_end_month=meta.period_end_month if meta else None,
        period_label=meta.period_label if meta else None,
        seconds=round(item.seconds, 3),
        message=message,
    )


def loaded_outcome(item: ParsedFile, report: Report, result: LoadResult, seconds: float, warnings: int) -> FileOutcome:
    """The outcome of a report that went through the gate and the load (loaded or unchanged)."""
    meta = report.meta
    return FileOutcome(
        file=item.name,
        outcome=result.outcome,
        path=item.path,
        sha256=report.raw.source_sha256,
        issuer=meta.issuer,
        year=meta.year,
        quarter=meta.quarter,
        period_end_month=meta.period_end_month,
        period_label=meta.period_label,
        tasks=report.task_count,
        rows=result.row_count,
        seconds=round(item.seconds + seconds, 3),
        message=result.note,
        warnings=warnings,
    )


def already_loaded(path: str, name: str, sha256: str) -> FileOutcome:
    """A file whose bytes are in the warehouse already: hashed, not read or parsed again."""
    return FileOutcome(file=name, outcome="unchanged", path=path, sha256=sha256, message="already loaded: not parsed")
