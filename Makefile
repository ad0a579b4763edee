# The two commands a newcomer needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := resourcecentre.settings

.PHONY: run test install install-test lint format migrate demo messages browser-deps prod-check clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml requirements.lock
	$(VENV)/bin/pip install --quiet -c requirements.lock -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -c requirements.lock -e '.[test]'
	@touch $@

install: $(VENV)/.installed messages
install-test: $(VENV)/.installed-test messages

# Translations: compiled with Babel (a dependency), so GNU gettext is not needed.
messages: $(VENV)/.installed
	@for po in $$(find resourcecentre -path '*/LC_MESSAGES/*.po'); do \
		$(VENV)/bin/pybabel compile --use-fuzzy --input-file $$po --output-file $${po%.po}.mo >/dev/null \
		|| exit 1; done

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py rebuild_search_index

## make run: set up, load the demo data and serve http://127.0.0.1:$(PORT) with a task worker
## and, every minute, Wagtail's publish_scheduled (scheduled go-live and expiry of drafts), the
## response deadlines (reminders, non-responses) and the monitored feeds that are due.
run: demo
	@echo ""
	@echo "  Resource Centre: http://127.0.0.1:$(PORT)/   admin: http://127.0.0.1:$(PORT)/admin/"
	@echo ""
	@DEBUG=$${DEBUG:-true} $(PY) manage.py db_worker --queue-name '*' & worker=$$!; \
	while sleep 60; do for job in publish_scheduled process_response_deadlines 'ingest --enqueue'; do \
		$(PY) manage.py $$job >/dev/null; done; done & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null' EXIT; \
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The accessibility and HTML checkers come from npm (axe-core, vnu-jar; the latter needs Java).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

browser-deps: node_modules/.installed
	@test -x "$${CHROMIUM:-/usr/bin/chromium}" || { \
	  echo "No Chromium at $${CHROMIUM:-/usr/bin/chromium}. Install it (Debian/Ubuntu: sudo apt-get install chromium)"; \
	  echo "or point CHROMIUM=/path/to/chrome at one. The browser tests need it."; exit 1; }
	@command -v java >/dev/null || { echo "The Nu HTML checker needs Java: sudo apt-get install default-jre-headless"; exit 1; }

## make test: set up and run the whole suite (DATABASE_URL=postgres://… for PostgreSQL).
test: install-test browser-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

## make prod-check: Django's deployment checks against production-like settings; any warning fails.
prod-check: install
	DEBUG=false SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))')} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-resourcecentre.example} SECURE_SSL_REDIRECT=true BEHIND_PROXY=true \
	SECURE_HSTS_SECONDS=31536000 SECURE_HSTS_PRELOAD=true SECURE_COOKIES=true \
	$(PY) manage.py check --deploy --fail-level WARNING

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules var/test-artifacts
