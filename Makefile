# Deadbolt: `make run` serves the embedded default, `make test` runs every test and ruff.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: run test lint clean bench-signin bench-messaging bench-handoff

# The embedded default: SQLite, eager Celery, messages to the console and var/outbox/.
run: export DEBUG ?= true
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py demo_seed
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks print figures; they are not tests. They need PostgreSQL (and Redis for production-like sessions).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/deadbolt_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/3
bench-signin: $(VENV)/.installed-test
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m tests.bench.signin --users 40

bench-messaging: $(VENV)/.installed-test
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m tests.bench.messaging

bench-handoff: $(VENV)/.installed-test
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m tests.bench.handoff --shipments 200

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Reinstall only when pyproject.toml changes, so later runs start in seconds.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(VENV)/.installed $@

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
