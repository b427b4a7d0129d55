# One command per job. `make run` serves the demo, `make test` runs every suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CI_DATABASE_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test
CI_REDIS_URL := redis://127.0.0.1:6379/0

export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install run test unit integration chaos e2e bench lint typecheck lock migrate seed chromium clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

## Serve the app with its demo data and the worker (Ctrl-C stops everything).
run: install
	DEMO_HISTORY=$${DEMO_HISTORY:-1} $(PY) -m rxapp.cli serve

migrate: install
	$(PY) -m rxapp.cli migrate

seed: install
	DEMO_HISTORY=$${DEMO_HISTORY:-1} $(PY) -m rxapp.cli seed

chromium:
	@test -x /usr/bin/chromium || { \
	  echo "Installation de Chromium (Debian)…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

## Every suite, against real PostgreSQL and Redis (defaults: the CI services).
test: export DATABASE_URL ?= $(CI_DATABASE_URL)
test: export REDIS_URL ?= $(CI_REDIS_URL)
test: install chromium
	$(PY) -m pytest tests/unit tests/integration
	$(PY) -m pytest tests/chaos
	$(PY) -m pytest tests/e2e

unit: install
	$(PY) -m pytest tests/unit

integration: export DATABASE_URL ?= $(CI_DATABASE_URL)
integration: export REDIS_URL ?= $(CI_REDIS_URL)
integration: install
	$(PY) -m pytest tests/integration

## Exactly-once under faults; prints and appends its figures to var/chaos/figures.jsonl.
chaos: export DATABASE_URL ?= $(CI_DATABASE_URL)
chaos: export REDIS_URL ?= $(CI_REDIS_URL)
chaos: install chromium
	$(PY) -m pytest tests/chaos -s

## Browser suite alone; VIEWPORT=phone|tablet|desktop narrows it to one size.
e2e: export DATABASE_URL ?= $(CI_DATABASE_URL)
e2e: export REDIS_URL ?= $(CI_REDIS_URL)
e2e: install chromium
	$(PY) -m pytest tests/e2e

## Benchmarks (issue 5): var/bench/results.json and BENCHMARKS.md; PARTS="worker data" narrows them.
bench: export DATABASE_URL ?= $(CI_DATABASE_URL)
bench: export REDIS_URL ?= $(CI_REDIS_URL)
bench: install chromium
	$(PY) -m bench $(if $(PARTS),--only $(PARTS))

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

## Re-pin every dependency from pyproject.toml into requirements.lock.
lock:
	rm -rf /tmp/ameli-lock-venv && $(PYTHON) -m venv /tmp/ameli-lock-venv
	$(PYTHON) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	  print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > /tmp/ameli-lock-venv/direct.txt
	/tmp/ameli-lock-venv/bin/pip install --quiet -r /tmp/ameli-lock-venv/direct.txt
	/tmp/ameli-lock-venv/bin/pip freeze > requirements.lock

clean:
	rm -rf var .web
