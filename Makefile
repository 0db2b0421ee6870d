# Rathaus: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
DEMO_DATA_DIR ?= var/demo
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rathaus
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=

.PHONY: demo serve test lint typecheck test-sqlite test-postgres browser messages openapi bench clean help

help:
	@echo "make demo   - install, load the Buxtehude demo and serve it on http://$(HOST):$(PORT)"
	@echo "make test   - install test tools, run ruff, mypy and pytest on SQLite and PostgreSQL"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# --- demo -------------------------------------------------------------------------------
# The demo switches off the staff second factor so the printed accounts work at once.
demo: export RATHAUS_DATA_DIR := $(DEMO_DATA_DIR)
demo: export RATHAUS_STAFF_SECOND_FACTOR ?= 0
demo: export RATHAUS_LOG_FORMAT ?= console
demo: export RATHAUS_SITE_URL ?= http://$(HOST):$(PORT)
demo: $(VENV)/.installed
	$(BIN)/rathaus migrate --noinput
	$(BIN)/rathaus load_demo
	$(BIN)/rathaus collectstatic --noinput --verbosity 0
	@$(MAKE) --no-print-directory serve

# Web server and task worker together; Ctrl+C stops both.
serve: export RATHAUS_DATA_DIR ?= $(DEMO_DATA_DIR)
serve: export RATHAUS_SITE_URL ?= http://$(HOST):$(PORT)
serve:
	@echo "Rathaus läuft auf http://$(HOST):$(PORT)/  (Strg+C beendet Server und Worker)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/rathaus run_worker & \
	$(BIN)/granian --interface wsgi --host $(HOST) --port $(PORT) --workers 1 --blocking-threads 4 --backpressure 4 \
		--no-ws --log-level warning rathaus.config.wsgi:application

# --- tests ------------------------------------------------------------------------------
# The two database runs go side by side (one core each), each with its own data folder and
# Redis database; their output is kept apart (-O).
test: $(VENV)/.installed-test browser lint typecheck
	$(MAKE) -j2 -O test-sqlite test-postgres

browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends chromium fonts-dejavu-core fonts-liberation; \
		else echo "chromium fehlt: als root 'apt-get install chromium' ausführen"; exit 1; fi; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	RATHAUS_DATA_DIR=var/typecheck $(BIN)/mypy src/rathaus

test-sqlite: $(VENV)/.installed-test
	mkdir -p var/test-results
	env -u DATABASE_URL RATHAUS_DATA_DIR=var/test-sqlite RATHAUS_TASKS_BACKEND=database \
		RATHAUS_TEST_REDIS_DB=14 \
		$(BIN)/pytest --create-db --junitxml=var/test-results/sqlite.xml $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-test
	mkdir -p var/test-results
	DATABASE_URL=$(TEST_DATABASE_URL) RATHAUS_DATA_DIR=var/test-postgres \
		RATHAUS_TASKS_BACKEND=rq REDIS_URL=$(TEST_REDIS_URL) CACHE_URL=redis://127.0.0.1:6379/1 \
		RATHAUS_TEST_REDIS_DB=15 \
		$(BIN)/pytest --create-db --junitxml=var/test-results/postgres.xml $(PYTEST_ARGS)

# --- maintenance ------------------------------------------------------------------------
messages: $(VENV)/.installed-test
	cd src/rathaus && ../../$(BIN)/rathaus makemessages -l en --no-obsolete --add-location file
	cd src/rathaus && ../../$(BIN)/rathaus compilemessages -l en

openapi: $(VENV)/.installed-test
	RATHAUS_DATA_DIR=var/openapi $(BIN)/rathaus spectacular --file docs/openapi.yaml --validate

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_search.py
	$(BIN)/python benchmarks/bench_finder.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_submission.py
	$(BIN)/python benchmarks/bench_inbox.py
	$(BIN)/python benchmarks/bench_submit_load.py

clean:
	rm -rf var/test-* var/typecheck var/openapi
