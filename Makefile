# make run: set up and start the dashboard.  make test: set up and run every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ASSETS := static/vendor/.fetched
HOST ?= 127.0.0.1
PORT ?= 8501
# Test workers: one more than the cores, as the browser and server tests spend much of their time waiting.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))

.PHONY: run test lint format bench bench-extract setup assets clean

setup: $(INSTALLED) $(ASSETS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(INSTALLED): $(BIN)/python requirements.txt requirements-dev.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Leaflet and its plugins from the npm registry, pinned in assets.py; git-ignored.
$(ASSETS): $(INSTALLED) src/conflictmap/assets.py
	$(BIN)/python -m conflictmap.assets fetch
	touch $@

assets: $(ASSETS)

run: setup
	$(BIN)/streamlit run dashboard.py --server.address $(HOST) --server.port $(PORT) --server.headless true

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

bench: setup bench-extract
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.database
	$(BIN)/python -m benchmarks.areas
	$(BIN)/python -m benchmarks.gazetteer
	$(BIN)/python -m benchmarks.columnar

# Article extraction on real articles (held-out, tune) and the own set; texts are git-ignored.
bench-extract: setup
	$(BIN)/python -m benchmarks.realset --write

clean:
	rm -rf $(VENV) static/vendor build dist .pytest_cache .ruff_cache
