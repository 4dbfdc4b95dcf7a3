# The two commands of the README:
#   make roster   set up (virtualenv + install) and solve the default week, then check it
#   make test     set up and run lint, type checks, the layering contracts and the whole test suite
PYTHON ?= python3
VENV ?= .venv
WEEK ?= 2026-W49
BIN := $(VENV)/bin
# pytest-xdist: one worker a core, a test file per worker (its servers and pools start once)
PYTEST_OPTS ?= -n auto --dist loadfile

.PHONY: roster test lint bench bench-api bench-scenarios bench-repair clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,ray]'
	touch $@

roster: $(VENV)/.installed
	$(BIN)/roster solve --week $(WEEK) --out runs/$(WEEK)
	$(BIN)/roster check runs/$(WEEK)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest $(PYTEST_OPTS) --durations=15

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_solve.py

bench-scenarios: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_scenarios.py --all

bench-repair: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_repair.py

bench-api: $(VENV)/.installed
	@command -v wrk >/dev/null || { echo "bench-api needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_api.py

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache
