# `make test` and `make demo` work on a fresh machine: both bootstrap first.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin

.PHONY: bootstrap test lint types contracts unit demo bench lock clean

bootstrap:
	@bash scripts/bootstrap.sh

lint: bootstrap
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: bootstrap
	$(BIN)/mypy

contracts: bootstrap
	$(BIN)/lint-imports

unit: bootstrap
	$(BIN)/pytest -q tests/unit

test: bootstrap lint types contracts
	$(BIN)/pytest -q -n 2 --dist loadfile

demo: bootstrap
	$(BIN)/python -m sandbox.demo $(DEMO_ARGS)

bench: bootstrap
	$(BIN)/python -m bench

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
