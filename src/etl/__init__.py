"""Library for turning quarterly government work-report task-completion reports into warehouse records.

Plain functions only: extraction (``etl.extract``), parsing (``etl.parse``), normalization
(``etl.normalize``) and loading (``etl.load``). Orchestration lives in ``etl.flows`` (the repository's
``flows/``), which the library never imports.
"""

from etl.version import package_version

__version__ = package_version()
