# Two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)
PORT ?= 8000
# PORT reaches the commands too, so seed_demo prints the address the server uses.
DEV_ENV := DEBUG=true PORT=$(PORT)
REQUIRE_MFA ?= false
PG_URL ?= postgres://postgres@127.0.0.1:5432/portal

.PHONY: run test lint format bench bench-admin install clean lock

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@set -e; \
	python=$$(scripts/find-python); \
	if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then rm -rf $(VENV); fi; \
	if [ ! -x $(PY) ]; then rm -rf $(VENV); echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV); fi; \
	$(PY) -m pip install --quiet --upgrade pip; \
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock; \
	$(PY) -m pip install --quiet --no-deps -e .; \
	rm -f $(VENV)/.installed-*; touch $@

# The demo signs in with a password alone; production requires a second factor.
run: install
	@echo "make run: REQUIRE_MFA=false for the demo, so the demo logins need no second factor."
	@echo "          Production (DEBUG off) requires one; try it here with: make run REQUIRE_MFA=true"
	$(DEV_ENV) REQUIRE_MFA=$(REQUIRE_MFA) $(PY) manage.py migrate --noinput
	$(DEV_ENV) REQUIRE_MFA=$(REQUIRE_MFA) $(PY) manage.py seed_demo
	@# A task worker beside the server (imports over IMPORT_BACKGROUND_ROWS, the daily
	@# job, digest emails); it stops with the server (Ctrl-C, or the make process ending).
	@set -m; $(DEV_ENV) REQUIRE_MFA=$(REQUIRE_MFA) $(PY) manage.py db_worker & worker=$$!; \
	trap 'kill -- -$$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Serving the portal at http://127.0.0.1:$(PORT)/"; \
	$(DEV_ENV) REQUIRE_MFA=$(REQUIRE_MFA) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	@scripts/ensure-chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Import benchmarks, run by hand: SQLite, then PostgreSQL.
bench: install
	$(PY) scripts/bench_import.py --database sqlite
	$(PY) scripts/bench_import.py --database '$(PG_URL)_bench'

# Admin benchmark, run by hand: SQLite at a tenth of the volumes, then PostgreSQL.
# BENCH_ARGS=--reuse keeps a database already built (the build takes minutes).
bench-admin: install
	$(PY) scripts/bench_admin.py --database sqlite $(BENCH_ARGS)
	$(PY) scripts/bench_admin.py --database '$(PG_URL)_bench' $(BENCH_ARGS)

# The versions the tests passed with, with hashes: regenerate after changing
# pyproject.toml's dependencies (or to take newer releases), then run make test.
lock:
	$(PY) -m pip install --quiet "pip-tools>=7.6,<8"
	$(VENV)/bin/pip-compile --quiet --upgrade --generate-hashes --extra test --strip-extras \
		--allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles test-results bench-results
