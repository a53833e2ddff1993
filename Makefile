# Second Look: `make run` (bootstrap + main job) and `make test` (bootstrap + whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
VICTIMS ?= 20000
WORKERS ?= 1

.PHONY: install run test lint typecheck imports pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/secondlook run --victims $(VICTIMS) --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: install
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .

typecheck: install
	$(BIN)/mypy features training serving bias_audit monitoring secondlook_cli

imports: install
	$(BIN)/lint-imports

pytest: install
	$(BIN)/pytest

test: lint typecheck imports pytest

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script; done

clean:
	rm -rf data out .pytest_cache .mypy_cache .ruff_cache
