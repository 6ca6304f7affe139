# Two commands on a fresh machine (Python 3.11, pip, git, make):
#   make run    install, then ingest the bundled sample reports into data/warehouse.duckdb through the Prefect flow
#   make test   install, then lint, type-check and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# Debian packages the tests need: Chromium (the report is tested in a real headless browser) and CJK fonts (so
# Chinese labels render); libgl1 and libglib2.0-0 for OpenCV, which the OCR engine (rapidocr-onnxruntime) needs;
# poppler-utils (pdftoppm) and ghostscript (its tiffg4 fax device): two renderers of the report's PDFs besides
# pypdfium2, so the scan tests' page images are not all made one way.
# PostgreSQL: the lake backend's tests start a throw-away cluster of Debian's server (initdb, a Unix socket only).
# system-deps installs only what is missing: with all present it does nothing.
SYSTEM_PACKAGES := chromium fonts-noto-cjk libgl1 libglib2.0-0 poppler-utils ghostscript postgresql

.PHONY: install system-deps run test lint typecheck pytest samples clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m pip uninstall --quiet -y duckdb-engine 2>/dev/null || true  # replaced by duckdb-sqlalchemy (the bi extra)
	touch $@

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "system packages already installed: $(SYSTEM_PACKAGES)"; exit 0; fi; \
	sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	echo "installing Debian packages:" $$missing; \
	$$sudo apt-get update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing

# As a Prefect flow (task runs and artifacts): on the server PREFECT_API_URL names, else on a temporary server that
# this command starts and that ends with it. `etl ingest` without --prefect and without a server runs in-process.
run: install
	$(BIN)/etl ingest --prefect

test: install system-deps lint typecheck pytest

lint: install
	$(BIN)/ruff check .

# The library and flows (pyproject's [tool.mypy]), then the benchmarks and scripts that run as files.
typecheck: install
	$(BIN)/mypy
	MYPYPATH=scripts $(BIN)/mypy benchmarks/*.py
	$(BIN)/mypy -p scripts

# The 15 slowest tests are listed at the end (issue 24): where the suite's time goes, run after run.
# Spread over PYTEST_WORKERS processes (pytest-xdist; default: one per core): many tests wait on subprocesses,
# servers and browsers, so a second worker uses the core one leaves idle. worksteal: an idle worker takes queued
# tests from a busy one, so the few minute-long tests do not end the run on one worker. 2: the CI machine's cores
# (`auto` on a bigger machine; each worker starts its own Prefect server and PostgreSQL); 0: one process, no xdist.
# The deployment test (marker deploy: its own Prefect server, work pool and worker, killed at its end) runs alone
# afterwards: under two workers its server died mid-test in 2 of 7 runs here (cause not found; tests/ops).
PYTEST_WORKERS ?= 2
pytest: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=15 -m "not deploy"
	$(BIN)/python -m pytest --durations=3 -m deploy

# Remake the sample PDFs from the real text dump (needs LibreOffice and CJK fonts: see README).
samples: install
	PYTHONPATH=src:. $(BIN)/python scripts/make_sample_pdfs.py data/samples/2024Q3_市工信局_政府工作报告任务完成情况.txt \
		data/samples/typeset/2024Q3_市工信局_政府工作报告任务完成情况.pdf

clean:
	rm -rf $(VENV) data/warehouse.duckdb data/warehouse.duckdb.wal data/.prefect

# A local long-lived Prefect stack (scripts/prefect_stack.sh; docs/operations.md): a server on
# 127.0.0.1:$(ETL_PREFECT_PORT) (default 4200), the etl-process work pool, every deployment of prefect.yaml and a
# worker in the background. `scripts/prefect_stack.sh status` says what runs; serve-stop stops it cleanly.
.PHONY: serve serve-stop
serve: install
	bash scripts/prefect_stack.sh up

serve-stop:
	bash scripts/prefect_stack.sh stop

# Benchmarks (benchmarks/*.py; each also runs alone and has a quick mode that CI runs from
# tests/benchmarks/; results in benchmarks/results/*.md, summed up in summary.md and README by _summary.py; generated reports go to /tmp/etl-bench, never the
# repository). The backfill derives its 1,000 PDFs from the typeset sample in seconds (no LibreOffice).
.PHONY: bench
bench: install
	$(BIN)/python benchmarks/single_report.py
	$(BIN)/python benchmarks/backfill.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/fidelity.py
	$(BIN)/python benchmarks/guarded_overhead.py
	$(BIN)/python benchmarks/queries.py
	$(BIN)/python benchmarks/text_cleaning.py
	$(BIN)/python benchmarks/ocr.py
	$(BIN)/python benchmarks/ocr_speed.py
	$(BIN)/python benchmarks/damage_checks.py
	$(BIN)/python benchmarks/lake.py
	$(BIN)/python benchmarks/_summary.py  # summary.md and README's table, from the result files' targets
