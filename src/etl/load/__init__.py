"""Loading: the warehouse schema (sql/ files) and transactional, idempotent loads of parsed reports."""
