# Quick start: `make demo` runs the main demo, `make test` runs the whole test suite.
# Each creates .venv on first use and installs what it needs once (stamp files
# record what was installed; they are redone only when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint typecheck bench docs clean

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.examples: $(VENV)/.created pyproject.toml
	$(PY) -m pip install --quiet -e ".[examples]"
	touch $@

$(VENV)/.dev: $(VENV)/.created pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.examples

demo: $(VENV)/.examples
	$(PY) examples/demo.py

test: $(VENV)/.dev
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy

bench: $(VENV)/.dev
	$(PY) -m benchmarks

# The documentation site, built strictly (a broken link or API reference fails) into out/site.
$(VENV)/.docs: $(VENV)/.created pyproject.toml
	$(PY) -m pip install --quiet -e ".[docs]"
	touch $@

docs: $(VENV)/.docs
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(VENV) out
