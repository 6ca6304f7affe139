"""Numbered migrations: applied once each, in order, recorded with a checksum; a changed one is refused."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from etl.load.migrations import MigrationError, migration_files, plan_for_file
from etl.load.schema import SchemaError, apply_schema, schema_version
from etl.load.warehouse import connect
from etl.version import package_version
from tests.conftest import SQL_DIR


@pytest.fixture
def sql_dir(tmp_path: Path) -> Path:
    """A copy of the project's sql/ folder that a test may add migrations to."""
    return Path(shutil.copytree(SQL_DIR, tmp_path / "sql"))


def _ledger(conn: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return conn.execute("select version, name, checksum_sha256, how from ops.schema_migration order by 1").fetchall()


def test_each_migration_is_applied_once_in_order_and_recorded_with_its_sha256(tmp_path: Path) -> None:
    files = migration_files(SQL_DIR)
    assert [m.version for m in files] == sorted(m.version for m in files)
    assert files[0].name == "0001_baseline.sql"
    with connect(tmp_path / "w.duckdb") as conn:
        first = apply_schema(conn, SQL_DIR)
        assert [m.name for m in first.pending] == [m.name for m in files]
        ledger = _ledger(conn)
        assert ledger == [
            (m.version, m.name, hashlib.sha256(b"".join(p.read_bytes() for p in m.parts)).hexdigest(), "applied")
            for m in files
        ]
        conn.execute("insert into core.indicator_rule (indicator, subject_pattern) values ('x', 'y')")
        second = apply_schema(conn, SQL_DIR)
        assert second.pending == ()
        assert _ledger(conn) == ledger
        assert conn.execute("select count(*) from core.indicator_rule").fetchone() == (1,)
        assert schema_version(conn) == files[-1].version


def test_a_new_migration_reaches_an_existing_warehouse_and_keeps_its_rows(tmp_path: Path, sql_dir: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as conn:
        apply_schema(conn, sql_dir)
        conn.execute(
            "insert into ops.ingest_file (run_id, file_name, outcome, recorded_at) "
            "values ('r1', 'a.txt', 'failed', now())"
        )
    (sql_dir / "migrations" / "0009_ingest_file_note.sql").write_text(
        "alter table ops.ingest_file add column note varchar default 'none';\n"
        "comment on column ops.ingest_file.note is 'A note (test migration).';\n",
        encoding="utf-8",
    )
    assert [m.name for m in plan_for_file(warehouse, sql_dir).pending] == ["0009_ingest_file_note.sql"]
    with connect(warehouse) as conn:
        apply_schema(conn, sql_dir)
        assert conn.execute("select run_id, file_name, note from ops.ingest_file").fetchall() == [
            ("r1", "a.txt", "none")
        ]
        # Other ranges' migrations (0010 templates …) may already be above 0009: the version is the highest.
        latest = max(m.version for m in migration_files(sql_dir))
        assert schema_version(conn) == latest
        assert conn.execute("select package_version, schema_version from ops.warehouse_version").fetchone() == (
            package_version(),
            latest,
        )


def test_a_changed_applied_migration_is_an_error_naming_it_and_nothing_changes(
    tmp_path: Path, sql_dir: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as conn:
        apply_schema(conn, sql_dir)
    (sql_dir / "migrations" / "0003_extra.sql").write_text("create table ops.extra (a integer);", encoding="utf-8")
    baseline = sql_dir / "migrations" / "0001_baseline.sql.d" / "03_ops_runs_and_validation.sql"  # its last part
    baseline.write_text(baseline.read_text(encoding="utf-8") + "\n-- an edit after release\n", encoding="utf-8")
    with pytest.raises(MigrationError, match=r"migration 0001_baseline\.sql was changed after it was applied"):
        plan_for_file(warehouse, sql_dir)
    with connect(warehouse) as conn:
        with pytest.raises(SchemaError, match=r"0001_baseline\.sql was changed"):
            apply_schema(conn, sql_dir)
        assert conn.execute("select count(*) from duckdb_tables() where table_name = 'extra'").fetchone() == (0,)
        # Nothing newer than the project's own migrations (0002 warehouse, 0010 templates …) was applied.
        latest = max(m.version for m in migration_files(SQL_DIR))
        assert conn.execute("select max(version) from ops.schema_migration").fetchone() == (latest,)


def test_a_warehouse_with_a_migration_this_version_does_not_know_is_refused(tmp_path: Path, sql_dir: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    newer = sql_dir / "migrations" / "0008_from_the_future.sql"
    newer.write_text("create table ops.future (a integer);", encoding="utf-8")
    with connect(warehouse) as conn:
        apply_schema(conn, sql_dir)
    newer.unlink()
    with pytest.raises(MigrationError, match=r"0008_from_the_future\.sql applied, which this version"):
        plan_for_file(warehouse, sql_dir)


@pytest.mark.parametrize(
    ("name", "message"),
    [("1_short.sql", "named NNNN_snake_case_name.sql"), ("0002_Capitals.sql", "named NNNN_snake_case_name.sql")],
)
def test_misnamed_migration_files_are_refused(sql_dir: Path, name: str, message: str) -> None:
    (sql_dir / "migrations" / name).write_text("select 1;", encoding="utf-8")
    with pytest.raises(MigrationError, match=message):
        migration_files(sql_dir)


def test_two_migrations_with_one_number_are_refused(sql_dir: Path) -> None:
    (sql_dir / "migrations" / "0002_other.sql").write_text("select 1;", encoding="utf-8")
    with pytest.raises(MigrationError, match="have the same number 0002"):
        migration_files(sql_dir)


def _legacy_warehouse(path: Path, *, extra_sql: str = "") -> None:
    """A warehouse as release 0.1.0 made it: the baseline's tables, no ledger."""
    with duckdb.connect(str(path)) as conn:
        conn.execute(migration_files(SQL_DIR)[0].sql + extra_sql)
        conn.execute(
            "insert into ops.ingest_file (run_id, file_name, outcome, recorded_at) "
            "values ('old', 'a.txt', 'failed', now())"
        )


def test_a_warehouse_made_before_migrations_is_adopted_in_place(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _legacy_warehouse(warehouse)
    plan = plan_for_file(warehouse, SQL_DIR)
    assert plan.legacy and plan.schema_version == 0
    assert "pending: 0001_baseline.sql (adopts the existing tables)" in plan.describe()
    with connect(warehouse) as conn:
        apply_schema(conn, SQL_DIR)
        assert conn.execute("select how from ops.schema_migration where version = 1").fetchone() == ("adopted",)
        assert conn.execute("select run_id from ops.ingest_file").fetchall() == [("old",)]


def test_a_ledgerless_warehouse_whose_tables_differ_from_the_baseline_is_refused(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _legacy_warehouse(warehouse, extra_sql="alter table core.report drop column revision_label;")
    with connect(warehouse) as conn:
        with pytest.raises(SchemaError, match=r"missing: core\.report\.revision_label VARCHAR"):
            apply_schema(conn, SQL_DIR)
        assert conn.execute(
            "select count(*) from duckdb_tables() where table_name = 'schema_migration'"
        ).fetchone() == (0,)


def test_the_dry_run_plan_changes_nothing(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _legacy_warehouse(warehouse)
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    assert len(plan_for_file(warehouse, SQL_DIR).pending) == len(migration_files(SQL_DIR))
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    assert not plan_for_file(tmp_path / "absent.duckdb", SQL_DIR).legacy
    assert not (tmp_path / "absent.duckdb").exists()


# The SHA-256 every warehouse recorded for 0001_baseline.sql when it was one file (releases up to this change; the
# previous-release fixtures hold it too): the baseline cut into parts must stay that migration.
BASELINE_SHA256 = "f5ef8c3301eb6cff7430470808159574e5ec0d513fa1af0100610685e9d2ee9a"


def test_the_baseline_in_parts_is_the_migration_every_warehouse_recorded() -> None:
    baseline = migration_files(SQL_DIR)[0]
    assert baseline.name == "0001_baseline.sql" and baseline.path.name == "0001_baseline.sql.d"
    assert len(baseline.parts) > 1 and all(part.suffix == ".sql" for part in baseline.parts)
    assert baseline.checksum_sha256 == BASELINE_SHA256
    assert hashlib.sha256(baseline.sql.encode("utf-8")).hexdigest() == BASELINE_SHA256


def test_parts_run_in_name_order_and_a_reordered_or_empty_folder_is_refused(tmp_path: Path, sql_dir: Path) -> None:
    parts = sql_dir / "migrations" / "0001_baseline.sql.d"
    first = sorted(parts.glob("*.sql"))[0]
    first.rename(parts / "99_moved_last.sql")  # same files, another order: another text, another checksum
    assert migration_files(sql_dir)[0].checksum_sha256 != BASELINE_SHA256
    with connect(tmp_path / "w.duckdb") as conn, pytest.raises(SchemaError):  # schemas made in the part now last
        apply_schema(conn, sql_dir)
    empty = sql_dir / "migrations" / "0005_nothing.sql.d"
    empty.mkdir()
    with pytest.raises(MigrationError, match=r"0005_nothing\.sql\.d: a folder of migration parts holds no \.sql file"):
        migration_files(sql_dir)
    empty.rmdir()
    (sql_dir / "migrations" / "5_badly_named.sql.d").mkdir()
    with pytest.raises(MigrationError, match=r"5_badly_named\.sql\.d: a migration file is named"):
        migration_files(sql_dir)
