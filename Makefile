# The two quick-start commands (`make demo`, `make test`) each bring the local
# virtual environment up to date first, so they work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo serve test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Podium needs Python >= 3.11 (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Serve Podium on http://127.0.0.1:8000 with the SQLite store and demo data.
demo: $(STAMP)
	$(BIN)/podium demo
	$(BIN)/podium serve --host 127.0.0.1 --port 8000

serve: $(STAMP)
	$(BIN)/podium serve

# Test processes (pytest-xdist): most tests wait on live servers, subprocesses, PostgreSQL
# and Chromium, so more workers than cores keep both cores of a small machine busy.
# `make test TEST_WORKERS=0` runs the suite in one process.
TEST_WORKERS ?= 4

## The whole test suite (PostgreSQL/Redis tests run when PODIUM_TEST_*_URL are set).
test: $(STAMP)
	scripts/system-packages
	$(BIN)/ruff check podium tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

## Benchmarks (ranking index, Redis, HTTP, ingest); each prints its ratio to a baseline.
bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check podium tests
	$(BIN)/ruff format --check podium tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache podium.db podium.db-* .podium
