# Two commands on a fresh machine (Python 3.11, pip, git, make):
#   make run    install, then ingest the bundled sample reports into data/warehouse.duckdb through the Prefect flow
#   make test   install, then lint, type-check and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# Debian packages the tests need: Chromium (the report is tested in a real headless browser) and CJK fonts (so
# Chinese labels render). system-deps installs only what is missing: with both present it does nothing.
SYSTEM_PACKAGES := chromium fonts-noto-cjk

.PHONY: install system-deps run test lint typecheck pytest samples clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "system packages already installed: $(SYSTEM_PACKAGES)"; exit 0; fi; \
	sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	echo "installing Debian packages:" $$missing; \
	$$sudo apt-get update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing

run: install
	$(BIN)/etl ingest

test: install system-deps lint typecheck pytest

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
