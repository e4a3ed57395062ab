# The portal's two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= 1
# The embedded demo: SQLite under var/, Celery tasks in-process, DEBUG on.
export DEBUG ?= true

.PHONY: run test setup setup-test system-packages messages lint check-deploy audit-deps pytest bench lock clean \
	check-faults faults-on-postgres report-images

run: setup ## Serve the portal with the demo sector on http://127.0.0.1:8000
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --scale $(SCALE)
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: setup-test lint typecheck check-deploy audit-deps pytest faults-on-postgres ## Install everything and run every check and test

setup: system-packages $(VENV)/.runtime-installed messages
setup-test: system-packages $(VENV)/.test-installed messages

system-packages:
	@bash scripts/install-system-packages

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements/lock.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/lock.txt
	touch $@

$(VENV)/.test-installed: requirements/lock-test.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/lock-test.txt
	touch $@ $(VENV)/.runtime-installed

messages: ## Compile the translation catalogues (.po -> .mo)
	@$(BIN)/python manage.py compilemessages --ignore=.venv -v0

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/architecture-drawing --check ARCHITECTURE.md

# Production-like settings: DEBUG off, a real-looking secret, a host name.
check-deploy:
	env -u DATABASE_URL $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n') \
		ALLOWED_HOSTS=portal.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

# Known vulnerabilities in the pinned dependencies (pip-audit; needs PyPI's vulnerability data,
# and says "NOT RUN" where that cannot be reached; AUDIT_DEPS_REQUIRED=true makes that fatal).
audit-deps:
	PIP_AUDIT=$(BIN)/pip-audit scripts/audit-deps

# Coverage of the whole suite, held to the floor in pyproject.toml ([tool.coverage.report]
# fail_under), measured on the PostgreSQL pass (the tracer roughly doubles the CPU time, so the
# SQLite pass runs without it); for a subset of the tests switch it off: make pytest COVERAGE= …
COVERAGE ?= $(if $(filter postgres%,$(DATABASE_URL)),--cov --cov-report=term:skip-covered,)
# The suite runs in one process per core (pytest-xdist); tests that share something outside
# their own test database (PostgreSQL roles, a Celery worker) are grouped onto one of them
# (tests/conftest.py). PYTEST_WORKERS=0 runs everything in this process.
PYTEST_WORKERS ?= auto
pytest:
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(COVERAGE) $(PYTEST_ARGS)

# Types: django-stubs and djangorestframework-stubs; strict on the core, services and selectors
# (pyproject.toml, [tool.mypy]); incremental through .mypy_cache.
.PHONY: typecheck
typecheck:
	$(BIN)/mypy

# PostgreSQL stopped under load (a cluster of its own, see bench/faults.py); needs root.
check-faults: setup-test
	$(BIN)/python bench/faults.py

# With the suite on PostgreSQL (CI's first pass), the fault check runs too.
faults-on-postgres:
	@if [[ "$${DATABASE_URL:-}" == postgres* ]]; then $(BIN)/python bench/faults.py; \
	else echo "fault check skipped: DATABASE_URL is not PostgreSQL"; fi

# Sector-scale benchmark on PostgreSQL (127.0.0.1:5432) with gunicorn; see bench/README.md.
# The harness sets its own production-like environment (DEBUG=false …) for what it starts.
bench: setup-test ## Benchmark the portal, e.g. make bench BENCH_ARGS="--scales 1,10"
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The README's page images of every kind of report in Danish and English
# (docs/images/report-*.png), from a throwaway demo sector; see scripts/report-images.
report-images: setup ## Render every kind of report in both languages as page images for the README
	$(BIN)/python scripts/report-images

lock: ## Re-resolve the pinned dependencies after changing pyproject.toml
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile -q --strip-extras --generate-hashes -o requirements/lock.txt pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --generate-hashes --extra test -o requirements/lock-test.txt pyproject.toml

clean:
	rm -rf var $(VENV)
