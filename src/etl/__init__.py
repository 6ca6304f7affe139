"""Library for turning quarterly government work-report task-completion reports into warehouse records.

Plain functions only: extraction (``etl.extract``), parsing (``etl.parse``), normalization
(``etl.normalize``) and loading (``etl.load``). Orchestration lives in the top-level ``flows`` package.
"""

__version__ = "0.1.0"
