"""Normalization of cell text and values: text, status marks, responsible units, phone numbers."""
