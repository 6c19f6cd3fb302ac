# The tested path is the container's path: the Dockerfile runs `make install-runtime`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
# Every dependency, build tools included, comes from a lock file with hashes: pip refuses a file
# whose hash differs. The project itself is then installed alone, built with the locked tools.
RUNTIME_LOCK := requirements/runtime.lock
DEV_LOCK := requirements/dev.lock
# pip-compile lives in its own environment, inside the venv folder so that git, docker and
# `make clean` already leave it out; it is never part of what the project installs.
LOCK_VENV ?= $(VENV)/lock-tools
PIP_TOOLS ?= pip-tools==7.7.0
LOCK_ARGS ?=

.PHONY: install install-runtime test demo bench clean lock

# The venv's own pip (from ensurepip, no download) is used as it is: upgrading it would be the
# one unpinned download of the install.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime only (what the container installs).
install-runtime: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(RUNTIME_LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation .

$(VENV)/.dev-installed: pyproject.toml $(DEV_LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
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

# Regenerate both lock files from pyproject.toml, for Python 3.11 on Linux. Pins already in a
# lock are kept while pyproject allows them; `make lock LOCK_ARGS=--upgrade` takes the newest.
# The dev lock is resolved within the runtime one, so tests run what the container runs.
# An extra that names the project itself ("all", "dev") makes pip-compile write a line with
# this clone's path, which cannot be hashed and is true of no other machine: awk cuts it.
lock: $(LOCK_VENV)/bin/pip-compile
	$(call compile,--extra all,$(RUNTIME_LOCK))
	$(call compile,--extra dev --constraint $(RUNTIME_LOCK),$(DEV_LOCK))

$(LOCK_VENV)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet '$(PIP_TOOLS)'

define compile
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
		--allow-unsafe --strip-extras --all-build-deps --no-emit-index-url --no-emit-find-links \
		$(LOCK_ARGS) $(1) --output-file $(2) pyproject.toml
	awk '/^# WARNING: pip install will require/ || /^# Consider using a hashable URL/ {next} \
		/^rapport @ / {skip = 1; next} skip && /^    / {next} {skip = 0; print}' $(2) > $(2).tmp
	mv $(2).tmp $(2)
endef
