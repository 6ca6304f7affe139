"""Figures in report text: which are metrics (value, unit, comparator, direction, subject) and which are not."""
