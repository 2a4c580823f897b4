# The two commands of the README: `make run` and `make test`. Everything else supports them.
# Without DATABASE_URL / REDIS_URL, `run`, `test` and `services-up` start the embedded PostgreSQL
# and Redis (qvt/devservices.py) and pass their URLs to the commands: the settings start nothing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lint bench screenshots services-up services-down

run: install .env
	$(BIN)/python -m qvt.launcher

# `devservices run` stops afterwards the servers it had to start (not those of `make services-up`).
test: install .env node_modules/axe-core
	$(BIN)/python -m qvt.devservices run -- $(BIN)/pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Local settings, made once: a random secret key and DEBUG on. Production sets its own variables.
.env:
	@printf 'DEBUG=True\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Created .env (see .env.example for every variable)."

# axe-core, injected by the browser tests; Debian's Chromium is the browser (see .ci/run).
node_modules/axe-core: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install .env
	$(BIN)/python -m bench.run

# PNGs of the main pages (1280 px and 375 px wide) and of two reports' first pages, with the demo
# data, into .local/screenshots/ (ignored by git); needs Chromium and pdftoppm (see .ci/run).
screenshots: install .env
	$(BIN)/python -m qvt.devservices run -- $(BIN)/python -m qvt.screenshots

# Start (or reuse) the embedded servers and keep them running; `manage.py` then finds their URLs
# in .local/services.env. `make services-down` stops them.
services-up: install
	$(BIN)/python -m qvt.devservices up

services-down: install
	$(BIN)/python -m qvt.devservices down
