# Two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
DEV_ENV := DEBUG=true
PG_URL ?= postgres://postgres@127.0.0.1:5432/portal

.PHONY: run test lint format bench install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@set -e; \
	python=$$(scripts/find-python); \
	if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then rm -rf $(VENV); fi; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV); fi; \
	$(PY) -m pip install --quiet --upgrade pip; \
	$(PY) -m pip install --quiet -e '.[test]'; \
	rm -f $(VENV)/.installed-*; touch $@

run: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

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

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles test-results bench-results
