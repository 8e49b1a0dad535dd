# GasGuard: `make run` (demo at http://127.0.0.1:8000) and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test test-pg e2e bench lint format migrations-check install assets demo clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

gasguard/static/vendor/.copied: node_modules/.installed scripts/copy_assets.py
	$(PY) scripts/copy_assets.py
	touch $@

install: $(VENV)/.installed gasguard/static/vendor/.copied

assets: gasguard/static/vendor/.copied

run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo --if-empty
	$(PY) manage.py demo_logins
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

demo: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo

# The whole suite except the browser tests (see `make e2e`), on the embedded SQLite database.
test: install
	$(VENV)/bin/pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

# The same suite on PostgreSQL (DATABASE_URL, default the local server).
test-pg: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gasguard} $(VENV)/bin/pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

# Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium).
e2e: install
	$(VENV)/bin/pytest -m e2e -p no:xdist $(PYTEST_ARGS) tests/e2e

bench: install
	@for b in bench/[a-z]*.py; do echo "== $$b" >&2; $(PY) $$b || exit 1; done

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules var gasguard/static/vendor
