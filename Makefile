# The two commands a newcomer needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_WORKERS ?= auto
export DJANGO_SETTINGS_MODULE := resourcecentre.settings

.PHONY: run test install install-test lint format migrate demo messages update-messages check-messages browser-deps prod-check audit clean

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
		$(VENV)/bin/pybabel --quiet compile --use-fuzzy --input-file $$po --output-file $${po%.po}.mo >/dev/null \
		|| exit 1; done

# The interface languages besides English, as Django names their locale folders.
MESSAGE_LOCALES ?= es fr pt de zh_Hans ja ko ar ru

## make update-messages: extract every interface string into the catalogues (GNU gettext's
## xgettext and msgmerge), for translators to fill. New strings arrive untranslated; strings
## that merely changed arrive "fuzzy" with a guess, to be checked and the flag removed.
update-messages: install
	$(PY) manage.py makemessages --no-location --ignore 'node_modules/*' --ignore 'var/*' \
		--ignore 'tests/*' --ignore 'bench/*' $(foreach locale,$(MESSAGE_LOCALES),--locale $(locale))

## make check-messages (part of `make test`): extract the strings into a copy of the tree, so the
## catalogues here are untouched, and fail on any language that lacks a translation, has a fuzzy
## entry or a translation whose placeholders differ.
check-messages: install
	@copy=$$(mktemp -d) && trap 'rm -rf "$$copy"' EXIT && \
	cp -r manage.py resourcecentre "$$copy"/ && \
	(cd "$$copy" && VAR_DIR="$$copy/var" $(abspath $(PY)) manage.py makemessages --no-location \
		--ignore 'var/*' $(foreach locale,$(MESSAGE_LOCALES),--locale $(locale)) >/dev/null) && \
	$(PY) -m resourcecentre.lib.catalogues "$$copy/resourcecentre" --languages "$(MESSAGE_LOCALES)"

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py rebuild_search_index

## make run: set up, load the demo data and serve http://127.0.0.1:$(PORT) with a task worker
## and, every minute, Wagtail's publish_scheduled (scheduled go-live and expiry of drafts), the
## response deadlines (reminders, non-responses), the monitored feeds that are due, and the
## e-mail alerts and Weekly Updates that are due (send_alerts), and once a day the open data
## dump (`dump_open_data --enqueue` queues it when today's is missing; the worker writes it).
run: demo
	@echo ""
	@echo "  Resource Centre: http://127.0.0.1:$(PORT)/   admin: http://127.0.0.1:$(PORT)/admin/"
	@echo ""
	@DEBUG=$${DEBUG:-true} $(PY) manage.py db_worker --queue-name '*' & worker=$$!; \
	while sleep 60; do for job in publish_scheduled process_response_deadlines 'ingest --enqueue' send_alerts \
		'dump_open_data --enqueue'; do \
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

## make test: set up and run the whole suite (DATABASE_URL=postgres://… for PostgreSQL), one
## pytest-xdist worker per core (PYTEST_WORKERS=0: one process, in order).
test: install-test browser-deps check-messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## make prod-check: Django's deployment checks against production-like settings; any warning fails.
prod-check: install
	DEBUG=false SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))')} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-resourcecentre.example} SECURE_SSL_REDIRECT=true BEHIND_PROXY=true \
	SECURE_HSTS_SECONDS=31536000 SECURE_HSTS_PRELOAD=true SECURE_COOKIES=true \
	EDITOR_2FA_REQUIRED=true REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(PY) manage.py check --deploy --fail-level WARNING

## make audit: known vulnerabilities in the pinned dependencies (needs the internet: PyPI's JSON
## API or OSV; --strict fails when a package cannot be checked rather than passing silently).
audit: install-test
	$(VENV)/bin/pip-audit --strict --no-deps --disable-pip -r requirements.lock

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules var/test-artifacts
