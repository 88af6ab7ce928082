# PagePress: `make run` serves everything on http://$(HOST):$(PORT); `make test` runs every test.
SHELL := /bin/bash
# The one Python of the project (local venv, CI, the API runtime, the converter image): .python-version.
PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= python$(PYTHON_VERSION)
# Both Lambdas run on Graviton (README "Deploying"); the API zip is built for it from any machine.
LAMBDA_ARCH := aarch64
LAMBDA_GLIBC := 2_34
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= .local
STAGE ?= dev
SPA_DIR := frontend-build
SPA_SOURCES := $(shell find $(SPA_DIR)/src $(SPA_DIR)/public $(SPA_DIR)/index.html $(SPA_DIR)/package.json $(SPA_DIR)/vite.config.* api/openapi.yaml -type f 2>/dev/null)
UV := $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version $(PYTHON_VERSION)

.PHONY: run test test-unit test-integration test-infrastructure test-e2e test-spa lint fmt spa chromium package lock bench simulate loadtest clean help migrate

help:
	@echo "make run      serve PagePress on http://$(HOST):$(PORT) (state in $(DATA_DIR)/)"
	@echo "make test     make lint, then every test tier (Python and the SPA)"
	@echo "make lint     ruff, ruff format --check, mypy; eslint, prettier --check, tsc for the SPA"
	@echo "make fmt      format and sort imports (ruff) and format the SPA (prettier)"
	@echo "make test-unit | test-infrastructure | test-integration | test-e2e   one tier of tests/"
	@echo "make package  the API Lambda zip in build/ (STAGE=$(STAGE))"
	@echo "make migrate  migrate DATABASE_OWNER_URL's database, DML only for DATABASE_URL's user (make run does its own)"
	@echo "make bench    benchmark against bare Playwright, end to end too (bench/results.md; BENCH_ARGS=--quick)"
	@echo "make simulate the scale model: docs/scale.md's tables and plots (under 2 minutes, no network)"
	@echo "make loadtest 50 users for 60 s while the browser, database and AWS endpoint fail (bench/reliability.md)"
	@echo "make lock     re-resolve the *.lock files from the requirements*.txt they pin"

$(VENV)/.installed: .python-version requirements-dev.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: PagePress needs Python $(PYTHON_VERSION) (.python-version), and there is no $(PYTHON) on PATH. Install it (pyenv install $(PYTHON_VERSION); apt-get install python$(PYTHON_VERSION); brew install python@$(PYTHON_VERSION)) or name one: make PYTHON=/path/to/python$(PYTHON_VERSION)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; v = "%d.%d" % sys.version_info[:2]; sys.exit(None if v == "$(PYTHON_VERSION)" else f"make: $(PYTHON) is Python {v}, not $(PYTHON_VERSION) (.python-version)")'
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] != "$(PYTHON_VERSION)")'; then \
	  echo "make: $(VENV) is not Python $(PYTHON_VERSION); making it anew"; rm -rf $(VENV); fi
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# The `pagepress` command line (cli/), reinstalled when its sources change.
$(VENV)/.cli-installed: $(VENV)/.installed cli/pyproject.toml $(wildcard cli/pagepress_cli/*.py)
	$(PY) -m pip install --quiet ./cli
	touch $@

# Lock files: every dependency, transitive ones too, with the hashes of every file of that release.
lock: $(VENV)/.installed
	$(UV) --python-platform $(LAMBDA_ARCH)-manylinux_$(LAMBDA_GLIBC) requirements.txt -o requirements.lock
	$(UV) --python-platform $(LAMBDA_ARCH)-manylinux_$(LAMBDA_GLIBC) converter/requirements.txt -o converter/requirements.lock
	$(UV) --universal requirements-dev.txt -o requirements-dev.lock
	$(UV) --universal requirements-proof.txt -o requirements-proof.lock

$(SPA_DIR)/node_modules/.installed: $(SPA_DIR)/package.json $(SPA_DIR)/package-lock.json
	cd $(SPA_DIR) && npm ci --no-audit --no-fund
	touch $@

$(SPA_DIR)/dist/index.html: $(SPA_DIR)/node_modules/.installed $(SPA_SOURCES)
	cd $(SPA_DIR) && npm run build

spa: $(if $(wildcard $(SPA_DIR)/package.json),$(SPA_DIR)/dist/index.html)

chromium: $(VENV)/.installed
	@scripts/ensure-chromium $(PY)

run: $(VENV)/.cli-installed spa chromium
	HOST=$(HOST) PORT=$(PORT) DATA_DIR=$(DATA_DIR) $(PY) -m devstack

# Schema migrations, a step of their own (README "Database"): as DATABASE_OWNER_URL's user, then
# DATABASE_URL's user gets rows only. `make run` and the tests call the same chalicelib.migrate.
migrate: $(VENV)/.installed
	$(PY) -m chalicelib.migrate

# Test tiers (tests/<tier>/). unit: the domain and pure logic against fakes; no network (the
# tier's conftest refuses sockets), no browser, no database, seconds. infrastructure: the
# manifests, CRDs, workflows, images and runtimes (files and subprocesses, no services).
# integration: real PostgreSQL, moto's server, Chromium on loopback. e2e: `make run` itself.
test: lint test-unit test-infrastructure test-integration test-e2e test-spa

# Without the Hypothesis and Schemathesis plugins, which no unit test needs and which take
# most of the tier's start-up.
test-unit: $(VENV)/.installed
	$(PY) -m pytest -p no:hypothesispytest -p no:schemathesis tests/unit

test-infrastructure: $(VENV)/.installed
	$(PY) -m pytest tests/infrastructure

test-integration: $(VENV)/.cli-installed chromium
	$(PY) -m pytest tests/integration

test-e2e: $(VENV)/.cli-installed spa chromium
	$(PY) -m pytest tests/e2e

# Style and types, as CI enforces them (settings: pyproject.toml, frontend-build/eslint.config.js,
# frontend-build/.prettierrc.json, frontend-build/tsconfig.json).
lint: $(VENV)/.installed $(if $(wildcard $(SPA_DIR)/package.json),$(SPA_DIR)/node_modules/.installed)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(if $(wildcard $(SPA_DIR)/package.json),cd $(SPA_DIR) && npm run --silent lint && npm run --silent format:check && npm run --silent typecheck)

fmt: $(VENV)/.installed $(if $(wildcard $(SPA_DIR)/package.json),$(SPA_DIR)/node_modules/.installed)
	$(VENV)/bin/ruff check --fix --select I .
	$(VENV)/bin/ruff format .
	$(if $(wildcard $(SPA_DIR)/package.json),cd $(SPA_DIR) && npm run --silent format)

test-spa: $(if $(wildcard $(SPA_DIR)/package.json),$(SPA_DIR)/node_modules/.installed)
	$(if $(wildcard $(SPA_DIR)/package.json),cd $(SPA_DIR) && npm test)

# The API zip, the same from any machine: the locked wheels for Lambda's platform (never this
# machine's), then Chalice packages a staging copy holding app.py, chalicelib/ and vendor/
# (the HTTP layer and the dependencies) and no requirements.txt, so it installs nothing itself.
STAGING := build/api-staging
package: $(VENV)/.installed
	rm -rf $(STAGING) build/chalice && mkdir -p $(STAGING)/vendor
	$(PY) -m pip install --quiet --require-hashes --no-deps --no-compile --only-binary=:all: \
	  --implementation cp --python-version $(PYTHON_VERSION) \
	  --platform manylinux_$(LAMBDA_GLIBC)_$(LAMBDA_ARCH) --platform manylinux_2_28_$(LAMBDA_ARCH) \
	  --platform manylinux2014_$(LAMBDA_ARCH) \
	  --target $(STAGING)/vendor -r requirements.lock
	rm -rf $(STAGING)/vendor/bin
	cp -r app.py chalicelib .chalice $(STAGING)/
	cp -r api $(STAGING)/vendor/api
	rm -rf $(STAGING)/.chalice/deployments
	find $(STAGING) -name __pycache__ -prune -exec rm -rf {} +
	cd $(STAGING) && AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(CURDIR)/$(VENV)/bin/chalice package --stage $(STAGE) $(CURDIR)/build/chalice
	cp build/chalice/deployment.zip build/api-$(STAGE).zip
	sha256sum build/api-$(STAGE).zip | tee build/api-$(STAGE).zip.sha256
	rm -rf $(STAGING)

bench: $(VENV)/.installed
	$(PY) -m bench $(BENCH_ARGS)

# The pipeline model (scale/): measured service times, the manifests' settings, docs/prices.yaml.
simulate: $(VENV)/.installed
	$(PY) -m scale

# 50 simulated users for 60 s against the local stack, on loopback only, while its browser is killed
# and its database and AWS endpoint restart; exits 1 unless every job ended and no answer was a bug.
loadtest: $(VENV)/.installed chromium
	$(PY) -m bench.loadtest $(LOADTEST_ARGS)

clean:
	rm -rf build vendor $(SPA_DIR)/dist .pytest_cache .mypy_cache .ruff_cache
