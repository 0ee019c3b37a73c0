# Two set-up commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= $(CURDIR)/commsledger-data
HOST   ?= 127.0.0.1
PORT   ?= 8000
# test processes: two halve the suite's time on a 2-core machine (each starts its own S3
# server, OpenSearch node and browser, so more than the cores gains little)
TEST_PROCESSES ?= 2

.PHONY: run test lint types unit bench install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

## run: start the service on the embedded default (file store, tantivy, SQLite); loads a demo register on first start
run: install
	$(BIN)/commsledger --data "$(DATA)" demo --if-empty
	$(BIN)/commsledger --data "$(DATA)" serve --host $(HOST) --port $(PORT)

## test: lint, types and every test
test: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/pytest -q -n $(TEST_PROCESSES)

bench: dev
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.s3

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
