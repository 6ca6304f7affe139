"""Extraction: read a source file (text dump or PDF) into a RawReport of nine-cell rows, nothing interpreted."""
