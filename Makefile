# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setuptools warns on every editable install of a flat layout ("folders in your working
# directory with the same name as your package may take precedence"): here they are the
# package, so that one warning is silenced; any other warning still shows
QUIET_EDITABLE := PYTHONWARNINGS="ignore:Editable installation"

$(STAMP): $(BIN)/python pyproject.toml
	$(QUIET_EDITABLE) $(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(QUIET_EDITABLE) $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## demo: create the environment, install, run the main job on the embedded default
demo: $(STAMP)
	$(BIN)/wijk demo

## test: install what the tests need, lint, type-check and run the whole test suite
test: $(TEST_STAMP)
	tools/ensure_test_services.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2

lint: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/wijk bench --dwellings 1000000 --variants 8

clean:
	rm -rf $(VENV)
