"""The batch load (etl.pipeline.gate_and_load.load_batch) in bulk gives the warehouse that loading one report at a
time gives.

The batch mixes everything the grouping must get right: reports of the same issuer and year (history across
batch-mates), a same-bytes copy, a same-content duplicate (the real report's text dump next to its PDF), a report
the quality gate rejects, and a report the warehouse itself refuses (two metrics with one metric_no: core.metric's
primary key; the gate does not check metrics), which makes its group's bulk insert fail half-way through.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.load.schema import apply_schema
from etl.load.seeds import seed_indicator_catalog
from etl.load.warehouse import connect
from etl.metrics.catalog import load_catalog
from etl.pipeline.gate_and_load import load_batch
from etl.pipeline.read import read_and_parse
from etl.pipeline.results import FileOutcome, ParsedFile
from etl.validate import QualityGate
from tests.conftest import INDICATORS, REAL_PDF, REAL_TEXT_DUMP, SAMPLES, SQL_DIR, mart_snapshot

_GATE = QualityGate()

# Loaded into every table by load_batch; compared without the columns that differ between any two runs.
TABLES = (
    "raw.source_file",
    "raw.extracted_cell",
    "core.report",
    "core.task_row",
    "core.metric",
    "ops.ingest_file",
    "ops.validation_run",
    "ops.validation_result",
)
RUN_COLUMNS = ("ingested_at", "loaded_at", "recorded_at", "started_at", "run_id", "validation_id", "seconds")

BROKEN = "2023Q3_市工信局_synthetic_broken_metrics.txt"  # a ParsedFile made here, not a file


def _warehouse(path: Path) -> Path:
    with connect(path) as conn:
        apply_schema(conn, SQL_DIR)
        seed_indicator_catalog(conn, load_catalog(INDICATORS))
    return path


def _with_duplicate_metric(item: ParsedFile) -> ParsedFile:
    """The report as parsed, plus a second metric with the first one's metric_no (the warehouse refuses it)."""
    assert item.report is not None and item.report.metrics, item.error
    report = item.report
    metrics = (*report.metrics, report.metrics[0].model_copy(update={"source_line": 999}))
    raw = report.raw.model_copy(update={"source_file": BROKEN})
    return item.model_copy(update={"path": str(Path(item.path).with_name(BROKEN)), "report": report.model_copy(
        update={"metrics": metrics, "raw": raw})})  # fmt: skip


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> list[ParsedFile]:
    folder = tmp_path_factory.mktemp("batch")
    copy = folder / "2024Q1_市工信局_synthetic_copy.txt"  # the same bytes as the Q1 report, another name
    shutil.copy(SAMPLES / "2024Q1_市工信局_synthetic.txt", copy)
    lines = REAL_TEXT_DUMP.read_text(encoding="utf-8").split("\n")
    cells = lines[6].split("\t")
    cells[8] += "&lt;p&gt;"  # a literal <p> after cleaning: a critical expectation of the gate
    lines[6] = "\t".join(cells)
    markup = folder / "2024Q3_markup.txt"
    markup.write_text("\n".join(lines), encoding="utf-8")
    files = [
        SAMPLES / "2024Q1_市工信局_synthetic.txt",
        SAMPLES / "2024Q2_市工信局_synthetic.txt",  # changes a task title of Q1: a history warning
        copy,
        REAL_PDF,
        markup,
        REAL_TEXT_DUMP,
        SAMPLES / "2024Q2_市工信局_synthetic_修订.txt",
        # last in the file order, another year: loaded in the first round, beside the Q1 report, and refused
        SAMPLES / "2023Q3_市工信局_synthetic.txt",  # replaced by its broken copy below
    ]
    parsed = [read_and_parse(str(path)) for path in files]
    parsed[-1] = _with_duplicate_metric(parsed[-1])
    return parsed


def _load(path: Path, batches: list[list[ParsedFile]]) -> list[FileOutcome]:
    with connect(path) as conn:
        return [outcome for batch in batches for outcome in load_batch(conn, batch, _GATE, "test-run")]


def _rows(conn: duckdb.DuckDBPyConnection, table: str) -> list[tuple[Any, ...]]:
    schema, name = table.split(".")
    columns = [
        column
        for (column,) in conn.execute(
            "select column_name from duckdb_columns() where schema_name = ? and table_name = ? order by column_index",
            [schema, name],
        ).fetchall()
        if column not in RUN_COLUMNS
    ]
    return conn.execute(f"select {', '.join(columns)} from {table} order by all").fetchall()


def test_a_batch_in_bulk_equals_one_report_at_a_time(tmp_path: Path, batch: list[ParsedFile]) -> None:
    bulk, single = _warehouse(tmp_path / "bulk.duckdb"), _warehouse(tmp_path / "single.duckdb")
    outcomes = _load(bulk, [batch])
    one_by_one = _load(single, [[item] for item in batch])

    summary = [(o.file, o.outcome, (o.message or "").split("\n")[0].split(": ")[1:2], o.warnings) for o in outcomes]
    assert summary == [
        ("2024Q1_市工信局_synthetic.txt", "loaded", [], 0),
        ("2024Q2_市工信局_synthetic.txt", "loaded", [], 1),  # its history is the Q1 report of this batch
        ("2024Q1_市工信局_synthetic_copy.txt", "unchanged", [], 0),
        (REAL_PDF.name, "loaded", [], 0),
        ("2024Q3_markup.txt", "failed", ["quality gate failed"], 0),
        (REAL_TEXT_DUMP.name, "unchanged", [], 0),  # "same content as <the PDF>": asserted below
        ("2024Q2_市工信局_synthetic_修订.txt", "loaded", [], 1),  # the same title change, against Q1
        (BROKEN, "failed", ["not loaded, the warehouse refused its rows"], 0),
    ]
    assert outcomes[5].message == f"same content as {REAL_PDF.name}"
    assert "PRIMARY KEY or UNIQUE constraint violation" in (outcomes[-1].message or "")
    assert [o.model_dump(exclude={"seconds"}) for o in outcomes] == [
        o.model_dump(exclude={"seconds"}) for o in one_by_one
    ]

    with connect(bulk, read_only=True) as a, connect(single, read_only=True) as b:
        for table in TABLES:
            rows_a, rows_b = _rows(a, table), _rows(b, table)
            assert rows_a, f"{table} is empty: the comparison would prove nothing"
            # EXCEPT ALL both ways, in Python: the same multiset of rows
            assert rows_a == rows_b, table
        files = [name for (name,) in a.execute("select source_file from core.report order by loaded_at").fetchall()]
        refused = a.execute("select count(*) from core.metric m join core.report r using (report_id) "
                            "where r.source_file = ?", [BROKEN]).fetchone()  # fmt: skip
    assert files == [o.file for o in outcomes if o.outcome == "loaded"]  # load times in file order, as one by one
    assert refused == (0,)  # nothing of the refused report was left behind by the rolled-back bulk insert
    assert mart_snapshot(bulk, without=()) == mart_snapshot(single, without=())


def test_a_refused_report_alone_in_its_group_is_rejected_and_its_batch_mates_load(
    tmp_path: Path, batch: list[ParsedFile]
) -> None:
    """The broken report first, then a report of another year (the same round: its insert fails) and a later
    quarter of that year (the next round)."""
    path = _warehouse(tmp_path / "w.duckdb")
    outcomes = _load(path, [[batch[-1], batch[0], batch[3]]])
    assert [(o.file, o.outcome) for o in outcomes] == [
        (BROKEN, "failed"),
        ("2024Q1_市工信局_synthetic.txt", "loaded"),
        (REAL_PDF.name, "loaded"),
    ]
    with connect(path, read_only=True) as conn:
        assert conn.execute("select count(*) from raw.source_file").fetchone() == (2,)
        assert conn.execute("select outcome, message like ? from ops.ingest_file where file_name = ?",
                            [f"{BROKEN}: not loaded%", BROKEN]).fetchall() == [("failed", True)]  # fmt: skip


def test_the_later_of_two_originals_in_one_batch_is_current_even_when_the_clock_stands_still(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'Latest load wins' between two originals of one quarter loaded in the same batch, with the clock frozen (a
    tight loop reads the same microsecond): load times are strictly increasing in file order, so the second file
    is current, as loading them one after the other makes it. Defect found in review: ties fell to report_id."""
    import datetime as dt

    import etl.pipeline.gate_and_load as load_module

    frozen = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Frozen:  # type: ignore[override]
            return cls.fromtimestamp(frozen.timestamp(), tz)

    monkeypatch.setattr(load_module, "datetime", Frozen)
    first = SAMPLES / "2024Q2_市工信局_synthetic.txt"
    lines = first.read_text(encoding="utf-8").split("\n")
    cells = lines[6].split("\t")
    cells[8] += "（更正）"  # a corrected progress text, still an original (no 修订 in the title)
    lines[6] = "\t".join(cells)
    for order in ("ab", "ba"):
        corrected = tmp_path / order / "2024Q2_市工信局_corrected.txt"
        corrected.parent.mkdir()
        corrected.write_text("\n".join(lines), encoding="utf-8")
        files = [first, corrected] if order == "ab" else [corrected, first]
        warehouse = _warehouse(tmp_path / order / "w.duckdb")
        with connect(warehouse) as conn:
            outcomes = load_batch(conn, [read_and_parse(str(f)) for f in files], _GATE, "test-run")
            assert [o.outcome for o in outcomes] == ["loaded", "loaded"]
            (current,) = conn.execute(
                "select source_file from staging.current_report where year = 2024 and quarter = 2"
            ).fetchone() or (None,)
            times = conn.execute("select loaded_at from core.report order by loaded_at").fetchall()
        assert current == files[1].name
        assert len(set(times)) == 2
