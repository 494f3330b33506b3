# urbanmine — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/urbanmine

.PHONY: run test test-sqlite test-postgres bench lint lint-api venv migrate demo clean browser-deps openapi \
	hooks serve worker load

# Spectral (the Dutch API Design Rules linter) from the npm registry, as package-lock.json pins it.
NODE_STAMP := node_modules/.installed
SPECTRAL := node_modules/.bin/spectral
ADR_RULESET := scripts/spectral/adr-ruleset.yaml

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

migrate: $(STAMP)
	$(BIN)/urbanmine migrate --noinput

# A local demo: demo mode lets the demo create the data steward with the documented password.
run: $(STAMP)
	$(BIN)/urbanmine migrate --noinput
	URBANMINE_DEMO_MODE=true $(BIN)/urbanmine demo --if-empty
	URBANMINE_DEMO_MODE=true $(BIN)/urbanmine demo_accounts
	@echo "Without URBANMINE_EMAIL_HOST, mails (invitations, password resets) are files in $(CURDIR)/var/mail"
	$(BIN)/urbanmine runserver 127.0.0.1:8000

# Production (docs/deploy.md): migrate, collect static files, then gunicorn with the project's
# configuration (src/urbanmine/gunicorn_conf.py: URBANMINE_BIND, URBANMINE_WEB_WORKERS, …).
# Under systemd run these commands directly (docs/deploy/), so `systemctl reload` reaches
# gunicorn's master (HUP) and not make.
serve: $(STAMP)
	$(BIN)/urbanmine migrate --noinput
	$(BIN)/urbanmine collectstatic --noinput
	$(BIN)/gunicorn -c python:urbanmine.gunicorn_conf

# A Celery worker for the background jobs (used when CELERY_BROKER_URL is set).
worker: $(STAMP)
	$(BIN)/celery -A urbanmine worker --loglevel=info

# The whole suite on SQLite, then again on PostgreSQL (DATABASE_URL overrides the latter).
test: $(STAMP) lint lint-api
	$(BIN)/urbanmine makemigrations --check --dry-run
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

# The SQLite run also proves the install stands on its own: URBANMINE_DATA_DIR points to an
# empty folder, so only the tests of the derivation scripts (and of the IFC samples) that
# read ../shared/data skip; everything else runs on the package's derived tables.
test-sqlite: $(STAMP)
	rm -rf var/empty-data && mkdir -p var/empty-data
	env -u DATABASE_URL URBANMINE_DATA_DIR=$(CURDIR)/var/empty-data $(BIN)/pytest -q -p no:cacheprovider

test-postgres: $(STAMP)
	DATABASE_URL=$${TEST_DATABASE_URL:-$(PG_TEST_URL)} $(BIN)/pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy src/urbanmine

# The OpenAPI document: generated, equal to the committed openapi.yaml, and free of errors by
# the Dutch API Design Rules linter (Spectral, docs/adr/0008-api-design-rules.md).
lint-api: $(STAMP) $(NODE_STAMP)
	$(BIN)/urbanmine spectacular --validate --fail-on-warn --file var/openapi.yaml
	@diff -u openapi.yaml var/openapi.yaml > var/openapi.diff || \
		(cat var/openapi.diff; echo "openapi.yaml differs from the API: review, then run make openapi"; exit 1)
	$(SPECTRAL) lint --fail-severity error --ruleset $(ADR_RULESET) var/openapi.yaml

# The committed OpenAPI document: regenerate after an intended API change (make test compares).
openapi: $(STAMP)
	$(BIN)/urbanmine spectacular --validate --fail-on-warn --file openapi.yaml

# Run ruff and import-linter before every commit (.pre-commit-config.yaml).
hooks: $(STAMP)
	$(BIN)/pre-commit install

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# The load scenario (locust, the "load" extra): demo x10 on PostgreSQL behind gunicorn and
# Redis; writes benchmarks/results/load.md (about 11 minutes).
load: $(STAMP)
	$(BIN)/pip install --quiet -e ".[dev,load]"
	$(BIN)/python benchmarks/load/run_load.py

clean:
	rm -rf $(VENV) node_modules var/*.sqlite3*
