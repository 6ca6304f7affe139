"""Fixtures of the flow tests live in tests/conftest.py (shared with tests/reliability)."""
