"""What `etl rebuild` does to the warehouse before it replays the archive (etl.load.rebuild.clear_for_rebuild)."""

from __future__ import annotations

from pathlib import Path

from etl.load.rebuild import REPLACED, clear_for_rebuild, interrupted_rebuild
from etl.load.warehouse import connect


def test_the_warehouse_is_moved_aside_then_an_interrupted_rebuild_is_resumed(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as conn:
        conn.execute("create table kept as select 42 as answer")
    said = clear_for_rebuild(warehouse)
    moved = [path for path in tmp_path.iterdir() if REPLACED in path.name]
    assert len(moved) == 1 and said == f"Moved the old warehouse aside: {moved[0]}"
    assert not warehouse.exists()
    # killed before the replay published: run again, the moved file is where the data is, and is not touched
    assert interrupted_rebuild(warehouse) == moved[0]
    assert clear_for_rebuild(warehouse) == f"Resuming an interrupted rebuild (the previous warehouse is in {moved[0]})"
    assert [path for path in tmp_path.iterdir() if REPLACED in path.name] == moved
    with connect(moved[0], read_only=True) as conn:
        assert conn.execute("select answer from kept").fetchall() == [(42,)]


def test_no_warehouse_nothing_to_move(tmp_path: Path) -> None:
    assert clear_for_rebuild(tmp_path / "w.duckdb") is None
    assert list(tmp_path.iterdir()) == []
