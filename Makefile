# Deadbolt: `make run` serves the embedded default, `make test` runs every test and ruff.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: run test lint lock clean messages compiledmessages bench-signin bench-messaging bench-handoff bench-overload bench-otp-api

# The embedded default: SQLite, eager Celery, messages to the console and var/outbox/.
run: export DEBUG ?= true
run: export WEBAUTHN_ORIGINS ?= http://localhost:$(PORT)
run: export SITE_URL ?= http://localhost:$(PORT)
run: $(VENV)/.installed compiledmessages
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py demo_seed
	@echo "Open http://localhost:$(PORT)/ (passkeys need the name localhost: browsers refuse them on an IP address)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-test compiledmessages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS)

# The .po files under locale/ are the source; the .mo files are built here, never committed. DEBUG only lets
# settings load without production secrets.
compiledmessages: $(VENV)/.installed
	DEBUG=true $(PY) manage.py compilemessages --ignore='.*' --ignore=var --ignore=build --verbosity 0

# A translator's one command: refresh every catalogue from the code and templates (config's makemessages sets the
# options), then compile them to try the result with `make run`.
messages: $(VENV)/.installed
	DEBUG=true $(PY) manage.py makemessages
	$(MAKE) compiledmessages

# Benchmarks print figures; they are not tests. They need PostgreSQL (and Redis for production-like sessions).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/deadbolt_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/3
bench-signin: $(VENV)/.installed-test
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m tests.bench.signin --users 40

bench-messaging: $(VENV)/.installed-test
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m tests.bench.messaging

bench-handoff: $(VENV)/.installed-test
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m tests.bench.handoff --shipments 200

# Sign-in capacity, then twice that for BENCH_SECONDS (30 by default; `make bench-overload BENCH_SECONDS=10`).
BENCH_SECONDS ?= 30
bench-overload: $(VENV)/.installed-test
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m tests.bench.overload --seconds $(BENCH_SECONDS)

# The OTP API: VerifyOTPMessage calls per second and latency with boto3, beside a bare request, on gunicorn.
bench-otp-api: $(VENV)/.installed-test
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m tests.bench.otp_api --calls 2000

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Installs come from the lock files (exact versions, hashes checked), then the project itself without
# dependencies; `pip check` fails when pyproject.toml names something the lock lacks. Reinstall only when a lock
# or pyproject.toml changes, so later runs start in seconds.
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) --require-hashes --no-deps -r requirements.txt
	$(PIP) --no-deps -e .
	$(PY) -m pip check --disable-pip-version-check
	touch $@

$(VENV)/.installed-test: requirements-test.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) --require-hashes --no-deps -r requirements-test.txt
	$(PIP) --no-deps -e .
	$(PY) -m pip check --disable-pip-version-check
	touch $(VENV)/.installed $@

# Write the lock files again from pyproject.toml, keeping every pin that still fits; `make lock UPGRADE=1`
# moves everything to the newest versions allowed. Then commit both files.
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --quiet --generate-hashes --no-emit-index-url \
	--no-emit-find-links --universal --python-version 3.11 $(if $(UPGRADE),--upgrade)
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/uv || $(PIP) "uv>=0.13,<0.14"
	$(UV_COMPILE) -o requirements.txt
	$(UV_COMPILE) --extra test -o requirements-test.txt

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
