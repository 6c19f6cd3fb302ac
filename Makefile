# The tested path is the container's path: the Dockerfile runs `make install-runtime`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install install-runtime test demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Runtime only (what the container installs).
install-runtime: $(BIN)/python
	$(BIN)/pip install --quiet '.[all]'

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.dev-installed

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

demo: install
	rm -rf data/demo
	RAPPORT_LOGGING__LEVEL=warning $(BIN)/rapport --config examples/config.toml run --once
	$(BIN)/rapport --config examples/config.toml queue list
	@echo "Next: $(BIN)/rapport --config examples/config.toml queue show ID  (or: queue review)"

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) data build *.egg-info
