"""Seed tables kept in step with reviewed data files of the repository (the indicator catalog)."""

from __future__ import annotations

import duckdb

from etl.metrics.catalog import IndicatorCatalog


def seed_indicator_catalog(conn: duckdb.DuckDBPyConnection, catalog: IndicatorCatalog) -> None:
    """Replace core.indicator and core.indicator_rule with the catalog, in one transaction.

    Indicators are assigned to metrics by a view, so a catalog change applies to every loaded report at once.
    """
    conn.execute("begin transaction")
    try:
        conn.execute("delete from core.indicator_rule")
        conn.execute("delete from core.indicator_part")
        conn.execute("delete from core.indicator")
        conn.executemany(
            "insert into core.indicator "
            "(indicator, indicator_name, indicator_name_en, unit_normalized, direction, priority, measure) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [
                [item.code, item.name, item.name_en, item.unit, item.direction, priority, item.measure]
                for priority, item in enumerate(catalog.indicators, start=1)
            ],
        )
        parts = [[item.code, part] for item in catalog.indicators for part in item.parts]
        if parts:
            conn.executemany("insert into core.indicator_part (indicator, part_indicator) values (?, ?)", parts)
        conn.executemany(
            "insert into core.indicator_rule (indicator, subject_pattern) values (?, ?)",
            [[item.code, pattern] for item in catalog.indicators for pattern in item.match],
        )
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
