"""Exports of the warehouse for tools that cannot open DuckDB files."""
