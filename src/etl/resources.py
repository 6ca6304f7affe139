"""Files the package ships beside its code, read through importlib.resources.

``sql/`` (migrations, views, examples, report queries), ``data/indicators.yaml`` and ``data/templates.yaml`` live at
the top of the repository; ``src/etl/sql`` and ``src/etl/data/*.yaml`` are links to them, so the wheel carries them
as ``etl/sql`` and ``etl/data`` and a checkout reads the same files. Settings may point elsewhere (ETL_SQL_DIR,
ETL_INDICATORS_FILE, ETL_TEMPLATES_FILE).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def bundled_path(*parts: str) -> Path:
    """The path of a shipped file or folder (``bundled_path("sql")``); the package is installed unzipped."""
    return Path(str(files("etl").joinpath(*parts)))


# The shipped sql/: the default of Settings.sql_dir (ETL_SQL_DIR), named once here for what reads it without settings
# (the named queries of sql/queries/; the report and the bulletin when no folder is passed).
SHIPPED_SQL_DIR = bundled_path("sql")
