# Set-up needs only Python 3.11+ and make: everything else comes from the lock files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format install lock demo-code e2e clean-db

install: $(VENV)/.installed

$(VENV)/.installed: requirements/dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: make run PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/dev.lock
	@touch $@

## make run: install, start the database, migrate, load the demo data and serve on PORT
run: install
	PORTAL_ENV=development PORT=$(PORT) $(BIN)/python -m governance_portal.devserver

## make test: install and run every test (the browser tests where chromium exists), on every
## core: pytest-xdist workers with a test database and media folder each
test: install
	$(BIN)/python -m pytest -n auto

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo-code: install
	@PORTAL_ENV=development $(BIN)/python manage.py demo_code

## make lock: re-resolve the pinned dependencies (needs network access to PyPI)
lock:
	$(BIN)/python -m pip install --quiet uv
	cd requirements && ../$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-header --annotation-style line base.in -o base.lock
	cd requirements && ../$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-header --annotation-style line dev.in -o dev.lock

.PHONY: bench soak

## make bench: council-scale data (scale 1 and 10), gunicorn driven over HTTP, BENCHMARKS.md
bench: install
	$(BIN)/python -m bench.run

## make soak: a few minutes of mixed public and signed-in traffic; fails on any error or leak
soak: install
	$(BIN)/python -m bench.soak
