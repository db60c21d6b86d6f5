# Tandem — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements-dev.lock pyproject.toml | cksum | cut -d' ' -f1)

# The test suite's defaults: the local PostgreSQL and Redis; override by exporting your own.
# PYTEST_WORKERS: xdist processes (auto = one per core; 0 runs in this process, for debugging).
# PYTEST_ARGS: what to run and how, e.g. `make pytest PYTEST_ARGS=tests/kpis`.
PYTEST_WORKERS ?= auto
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tandem
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_ENV := DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	DEBUG=0 SECRET_KEY=test-only-secret-key-not-for-production-0123456789abcdef \
	TANDEM_VAR_DIR=$(CURDIR)/var/test

.PHONY: run test install install-dev lint check pytest messages seed migrate clean help

help:
	@echo "make run   - install, migrate, seed demo data, start web + worker + beat on :8000"
	@echo "make test  - install and run the whole suite (PostgreSQL, Redis, headless Chromium)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(PY) requirements.lock
	$(BIN)/pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-[0-9]*; touch $@

# The dev lock pins everything the runtime lock does (same pyproject, plus the dev extra), so a
# dev install satisfies `make run` too.
$(DEV_STAMP): $(PY) requirements-dev.lock
	$(BIN)/pip install --quiet -r requirements-dev.lock
	@rm -f $(VENV)/.installed-*; touch $@ $(STAMP)

install: $(STAMP)
install-dev: $(DEV_STAMP)

# Written once, never overwritten (git ignores it): DEBUG on and a secret of this checkout, read
# by the settings, so every manage.py command of the README works here after `make run`.
.env: | $(PY)
	@$(PY) scripts/run_local.py --write-env

run: install .env
	@DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input -v0
	@DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo
	@DEBUG=$${DEBUG:-1} exec $(PY) scripts/run_local.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

check: install-dev
	@$(TEST_ENV) $(PY) scripts/preflight.py
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) DEBUG=0 ALLOWED_HOSTS=tandem.example.org SITE_URL=https://tandem.example.org \
		SECRET_KEY='prod-like-$(shell head -c 32 /dev/urandom | od -An -tx1 | tr -d " \n")' \
		$(PY) manage.py check --deploy --fail-level WARNING

messages: install-dev
	DEBUG=1 $(PY) manage.py makemessages -l nl -l en --ignore=.venv --ignore=var --ignore=tests --no-obsolete
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

pytest: install-dev
	@$(TEST_ENV) $(PY) scripts/preflight.py
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore=.venv -v0
	@mkdir -p var/test/staticfiles
	$(TEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint check pytest

clean:
	rm -rf var/test
