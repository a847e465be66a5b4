# Kinerja: the two commands are `make run` and `make test`.
# The first of Python 3.11-3.13 found (PYTHON=python3.12 picks one).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The address the QR codes of signature stamps open follows the port the embedded server
# listens on (`make run PORT=8101`), for the demo's documents made by `setup` too; an
# address set in the environment wins.
KINERJA_BASE_URL ?= http://127.0.0.1:$(PORT)
export KINERJA_BASE_URL
# DEBUG is off unless set; the embedded set-up (make run) and the checks turn it on.
DEBUG ?= true
# pytest workers (pytest-xdist): one per core, at most 4; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
STAMP := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test
# The lock files: exact versions with hashes of everything installed, for every Python
# 3.11-3.13 (one universal resolution). The ranges stay in pyproject.toml; `make lock`
# resolves them again (LOCK_ARGS=--upgrade, or --upgrade-package NAME, to move pins).
LOCK := requirements/base.txt
TESTLOCK := requirements/test.txt
# The production extra (gunicorn, django-storages[s3]): base + it, for servers (README "Deployment").
PRODLOCK := requirements/production.txt
UV := $(VENV)/bin/uv
LOCK_ARGS ?=
COMPILE = $(UV) pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" $(LOCK_ARGS)

.PHONY: run test install install-test setup serve lint format bench messages browser syslibs clean lock

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11-3.13 is needed (none found); set PYTHON=/path/to/python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

## Debian libraries WeasyPrint draws the PDFs with (installed when missing and we are root).
SYSLIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
syslibs:
	@missing=""; for p in $(SYSLIBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "For PDFs, install:$$missing (sudo apt-get install$$missing)"; fi; fi

$(STAMP): $(LOCK) pyproject.toml | $(PY) syslibs
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

$(TESTSTAMP): $(TESTLOCK) $(STAMP)
	$(PY) -m pip install --quiet --require-hashes -r $(TESTLOCK)
	@touch $@

install: $(STAMP)
install-test: $(TESTSTAMP)

## Resolve pyproject.toml's ranges into the lock files (uv, MIT/Apache-2.0, only for this).
$(UV): | $(PY)
	$(PY) -m pip install --quiet 'uv>=0.5'

lock: | $(UV)
	$(COMPILE) -o $(LOCK)
	$(COMPILE) --extra production --constraint $(LOCK) -o $(PRODLOCK)
	$(COMPILE) --extra test --extra production --constraint $(LOCK) --constraint $(PRODLOCK) -o $(TESTLOCK)

## Prepare the embedded database: migrate, shipped SOPs, demo organisation (idempotent).
setup: install
	@mkdir -p var
	DEBUG=$(DEBUG) $(PY) manage.py migrate --noinput
	DEBUG=$(DEBUG) $(PY) manage.py demo

serve:
	DEBUG=$(DEBUG) $(PY) manage.py runserver 127.0.0.1:$(PORT)

run: setup serve

## Chromium from Debian (browsers cannot be downloaded by Playwright here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Chromium: sudo apt-get install chromium"; exit 1; fi; }

test: install-test browser
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=true $(PY) -m mypy
	DEBUG=true DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses=4 $(PYTEST_ARGS)

lint: install-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=true $(PY) -m mypy

format:
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## Update the Indonesian catalogue from the code and compile it (needs GNU gettext).
messages:
	DEBUG=true $(PY) manage.py makemessages -l id --ignore=.venv --ignore=var --ignore=bench --no-obsolete
	DEBUG=true $(PY) manage.py compilemessages -l id --ignore=.venv

bench: install-test
	$(PY) bench/sop_render.py
	$(PY) bench/sop_editor.py
	$(PY) bench/workflow.py --db sqlite
	$(PY) bench/documents.py
	$(PY) bench/login.py
	$(PY) bench/access.py --n 2000

clean:
	rm -rf var/*.sqlite3* var/media
