# One command per job. `make run` serves the demo, `make test` runs every suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# html-validate (RGAA 8.2, the browser tests), pinned with its lock in tests/html_validate/.
HTML_VALIDATE := tests/html_validate/node_modules/.package-lock.json
LOCK_VENV := /tmp/ameli-lock-venv
CI_DATABASE_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test
CI_REDIS_URL := redis://127.0.0.1:6379/0
# The suites run in parallel (pytest-xdist), one scratch database per worker, each module on
# one worker; the chaos and cluster suites run side by side, the whole cluster suite on one
# worker (tests/conftest.py's scheduler). xdist hands the modules out in the order given:
# the long ones (integration, cluster) first, so that short ones fill the end.
TEST_WORKERS ?= auto
PARALLEL := -n $(TEST_WORKERS) --dist loadscope
# The unit and integration tests wait more than they compute (apps starting, sessions left to
# expire, throttling windows): with a worker per core the CPU stood 45 % idle, so they get one
# worker more than the cores (2 cores: 6:53 -> 5:11 here). A fourth saves time only once the
# frontend builds are kept (4:25 -> 3:47 to 4:08); from a fresh checkout, where the two builds
# keep the CPU busy, it took 5:03 and 5:10 (and three apps at once peak at 75 of PostgreSQL's
# 100 connections, four at 99). The browser, chaos and cluster suites keep the CPU busy
# (85-96 %) and stay at one per core. TEST_WORKERS, when set, sets both.
ifeq ($(TEST_WORKERS),auto)
WAITING_WORKERS := $(shell echo $$(( $$(nproc) + 1 )))
else
WAITING_WORKERS := $(TEST_WORKERS)
endif
PARALLEL_WAITING := -n $(WAITING_WORKERS) --dist loadscope
# The slowest tests of each phase, listed at its end: where `make test`'s minutes go; every
# test's time in var/tests/junit-<phase>.xml.
DURATIONS := --durations=15 --durations-min=5
JUNIT := --junitxml=var/tests/junit

export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install install-dev html-validate run cluster test unit integration chaos cluster-tests e2e bench lint typecheck lock migrate seed chromium caddy clean

# `make run` needs only the runtime lock; every other target also installs the dev
# lock (its own stamp, so `make test` after `make run` adds the dev part).
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	$(PY) -m pip install --quiet -r requirements.lock -r requirements-dev.lock
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

$(HTML_VALIDATE): tests/html_validate/package-lock.json $(STAMP)
	cd tests/html_validate && npm ci --no-audit --no-fund
	touch $(HTML_VALIDATE)

html-validate: $(HTML_VALIDATE)

## Serve the app with its demo data and the worker (Ctrl-C stops everything).
run: install
	DEMO_HISTORY=$${DEMO_HISTORY:-1} $(PY) -m rxapp.cli serve

migrate: install
	$(PY) -m rxapp.cli migrate

seed: install
	DEMO_HISTORY=$${DEMO_HISTORY:-1} $(PY) -m rxapp.cli seed

# Chromium for the benchmarks (Lighthouse), its headless shell for the browser tests.
chromium:
	@test -x /usr/bin/chromium && test -x /usr/bin/chromium-headless-shell || { \
	  echo "Installation de Chromium (Debian)…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-headless-shell >/dev/null; }

caddy:
	@command -v caddy >/dev/null || { \
	  echo "Installation de Caddy (Debian)…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq caddy >/dev/null; }

## The production topology on one machine (deploy/): Caddy on CLUSTER_PORT (8080), two web
## instances (8081, 8082), a worker and the beat, on DATABASE_URL and REDIS_URL (required).
## DEMO=1 loads the demo data; Ctrl-C stops everything.
cluster: install-dev caddy
	DEMO=$(DEMO) $(PY) -m rxapp.cli cluster

## Every suite, against real PostgreSQL and Redis (defaults: the CI services).
test: export DATABASE_URL ?= $(CI_DATABASE_URL)
test: export REDIS_URL ?= $(CI_REDIS_URL)
test: install-dev html-validate chromium caddy
	$(PY) -m pytest $(PARALLEL_WAITING) $(DURATIONS) $(JUNIT)-integration.xml tests/integration tests/unit
	$(PY) -m pytest $(PARALLEL) $(DURATIONS) $(JUNIT)-cluster-chaos.xml tests/cluster tests/chaos
	$(PY) -m pytest $(PARALLEL) $(DURATIONS) $(JUNIT)-e2e.xml tests/e2e

unit: install-dev html-validate
	$(PY) -m pytest $(PARALLEL_WAITING) tests/unit

integration: export DATABASE_URL ?= $(CI_DATABASE_URL)
integration: export REDIS_URL ?= $(CI_REDIS_URL)
integration: install-dev
	$(PY) -m pytest $(PARALLEL_WAITING) tests/integration

## Exactly-once under faults; prints and appends its figures to var/chaos/figures.jsonl.
chaos: export DATABASE_URL ?= $(CI_DATABASE_URL)
chaos: export REDIS_URL ?= $(CI_REDIS_URL)
chaos: install-dev chromium
	$(PY) -m pytest tests/chaos -s

## Several web instances behind Caddy, instances and workers killed (issue 11).
cluster-tests: export DATABASE_URL ?= $(CI_DATABASE_URL)
cluster-tests: export REDIS_URL ?= $(CI_REDIS_URL)
cluster-tests: install-dev chromium caddy
	$(PY) -m pytest tests/cluster

## Browser suite alone; VIEWPORT=phone|tablet|desktop narrows it to one size.
e2e: export DATABASE_URL ?= $(CI_DATABASE_URL)
e2e: export REDIS_URL ?= $(CI_REDIS_URL)
e2e: install-dev html-validate chromium
	$(PY) -m pytest $(PARALLEL) tests/e2e

## Benchmarks (issue 5): var/bench/results.json and BENCHMARKS.md; PARTS="worker data" narrows them.
bench: export DATABASE_URL ?= $(CI_DATABASE_URL)
bench: export REDIS_URL ?= $(CI_REDIS_URL)
bench: install-dev chromium caddy
	$(PY) -m bench $(if $(PARTS),--only $(PARTS))

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-dev
	$(VENV)/bin/mypy

## Re-pin from pyproject.toml: the runtime closure into requirements.lock, the rest of
## the dev extra (resolved against those runtime pins) into requirements-dev.lock.
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(PYTHON) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	  print('\n'.join(p['dependencies']))" > $(LOCK_VENV)/runtime.txt
	$(PYTHON) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	  print('\n'.join(p['optional-dependencies']['dev']))" > $(LOCK_VENV)/dev.txt
	$(LOCK_VENV)/bin/pip install --quiet -r $(LOCK_VENV)/runtime.txt
	$(LOCK_VENV)/bin/pip freeze > requirements.lock
	$(LOCK_VENV)/bin/pip install --quiet -r $(LOCK_VENV)/dev.txt -c requirements.lock
	$(LOCK_VENV)/bin/pip freeze | grep -vxFf requirements.lock > requirements-dev.lock

clean:
	rm -rf var .web
