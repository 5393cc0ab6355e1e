# coop: the two commands a newcomer needs are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
ASSETS := coop/static/build/coop.css
export COOP_DEMO_PASSWORD ?= correct horse battery staple

.PHONY: setup demo serve test test-sqlite test-postgres test-e2e lint bench migration clean

setup: $(PY_STAMP) $(ASSETS)

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS): $(NODE_STAMP) scripts/build-assets.mjs coop/static/src/coop.scss
	npm run --silent build

# Set up, create the demo organisation on SQLite, and serve it at http://127.0.0.1:8000
demo: setup
	$(BIN)/coop demo
	$(BIN)/coop serve --host 127.0.0.1 --port 8000

serve: setup
	$(BIN)/coop serve

# The whole suite: static checks, every test on SQLite, the database tests again on PostgreSQL
# (a throwaway cluster the tests start themselves), then the browser tests in Chromium.
test: setup lint test-sqlite test-postgres test-e2e

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test-sqlite: setup
	$(BIN)/pytest -m "not e2e" -p no:cacheprovider -q

test-postgres: setup
	$(BIN)/pytest -m "not e2e" --db=postgres -p no:cacheprovider -q tests/coop tests/test_migrations.py

test-e2e: setup
	$(BIN)/pytest -m e2e -p no:cacheprovider -q tests/e2e

bench: setup
	$(BIN)/python -m bench.http_bench
	$(BIN)/python -m bench.api_vs_pages
	$(BIN)/python -m bench.count
	$(BIN)/python -m bench.vote_load
	$(BIN)/python -m bench.vote_notices

# Write a migration after changing a tables.py (then check it runs on both engines: make test).
migration: $(PY_STAMP)
	PICCOLO_CONF=coop.piccolo_conf $(BIN)/piccolo migrations new coop --auto --auto_input=y --desc="$(DESC)"

clean:
	rm -rf $(VENV) node_modules coop/static/build .pytest_cache .mypy_cache .ruff_cache
