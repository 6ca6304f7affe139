# Two commands on a fresh machine (Python 3.11, pip, git, make):
#   make run    install, then ingest the bundled sample reports into data/warehouse.duckdb through the Prefect flow
#   make test   install, then lint, type-check and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test lint typecheck pytest samples clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

run: install
	$(BIN)/etl ingest

test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest

# Remake the sample PDFs from the real text dump (needs LibreOffice and CJK fonts: see README).
samples: install
	$(BIN)/python scripts/make_sample_pdfs.py

clean:
	rm -rf $(VENV) data/warehouse.duckdb data/warehouse.duckdb.wal data/.prefect
