# PagePress: `make run` serves everything on http://$(HOST):$(PORT); `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= .local
STAGE ?= dev
SPA_DIR := frontend-build
SPA_SOURCES := $(shell find $(SPA_DIR)/src $(SPA_DIR)/public $(SPA_DIR)/index.html $(SPA_DIR)/package.json $(SPA_DIR)/vite.config.* api/openapi.yaml -type f 2>/dev/null)

.PHONY: run test test-python test-spa spa package bench clean help

help:
	@echo "make run      serve PagePress on http://$(HOST):$(PORT) (state in $(DATA_DIR)/)"
	@echo "make test     every test (Python and the SPA)"
	@echo "make package  the API Lambda zip in build/ (STAGE=$(STAGE))"
	@echo "make bench    benchmark against bare Playwright, end to end too (bench/results.md; BENCH_ARGS=--quick)"

$(VENV)/.installed: requirements.txt converter/requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The `pagepress` command line (cli/), reinstalled when its sources change.
$(VENV)/.cli-installed: $(VENV)/.installed cli/pyproject.toml $(wildcard cli/pagepress_cli/*.py)
	$(PY) -m pip install --quiet ./cli
	touch $@

$(SPA_DIR)/node_modules/.installed: $(SPA_DIR)/package.json $(SPA_DIR)/package-lock.json
	cd $(SPA_DIR) && npm ci --no-audit --no-fund
	touch $@

$(SPA_DIR)/dist/index.html: $(SPA_DIR)/node_modules/.installed $(SPA_SOURCES)
	cd $(SPA_DIR) && npm run build

spa: $(if $(wildcard $(SPA_DIR)/package.json),$(SPA_DIR)/dist/index.html)

run: $(VENV)/.cli-installed spa
	HOST=$(HOST) PORT=$(PORT) DATA_DIR=$(DATA_DIR) $(PY) -m devstack

test: test-python test-spa

test-python: $(VENV)/.cli-installed spa
	$(PY) -m pytest

test-spa: $(if $(wildcard $(SPA_DIR)/package.json),$(SPA_DIR)/node_modules/.installed)
	$(if $(wildcard $(SPA_DIR)/package.json),cd $(SPA_DIR) && npm test)

# Chalice packages app.py, chalicelib/ and vendor/ only; the HTTP layer rides in vendor/.
package: $(VENV)/.installed
	rm -rf vendor build/chalice && mkdir -p vendor build
	cp -r api vendor/api
	find vendor -name __pycache__ -prune -exec rm -rf {} +
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(VENV)/bin/chalice package --stage $(STAGE) build/chalice
	cp build/chalice/deployment.zip build/api-$(STAGE).zip
	sha256sum build/api-$(STAGE).zip | tee build/api-$(STAGE).zip.sha256
	rm -rf vendor

bench: $(VENV)/.installed
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf build vendor $(SPA_DIR)/dist .pytest_cache
