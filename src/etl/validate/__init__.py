"""Data-quality gate: great-expectations suites on parsed reports and on the warehouse (see gate and suites).

Importing this package does not import great_expectations (2–4 s); the gate imports it on its first validation.
"""

from etl.validate.gate import ExpectationResult, QualityGate, ValidationOutcome

__all__ = ["ExpectationResult", "QualityGate", "ValidationOutcome"]
