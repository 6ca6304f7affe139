"""Parsing: interpret a RawReport's title and rows into report metadata and TaskRows."""
