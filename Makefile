# The commands a developer and CI use; see README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint unit functional e2e bench token clean-data package deploy

install: $(STAMP)

# Re-installs whenever pyproject.toml changes. pip is capped below 26.3 for chalice.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check 'pip<26.3'
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

run: install
	$(PY) -m infra.local

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Two workers (CI has two cores), a test file's tests on one worker so module and
# session fixtures (a local stack, a browser) start once per worker. The packaging
# tests run first and alone: `make package` builds into one directory.
test: install lint browser-deps
	$(PY) -m pytest tests/deploy
	$(PY) -m pytest -n 2 --dist loadfile --ignore=tests/deploy

unit: install
	$(PY) -m pytest tests/unit

functional: install
	$(PY) -m pytest tests/functional

e2e: install
	$(PY) -m pytest tests/e2e

bench: install
	$(PY) -m tests.bench

# The browser tests (tests/browser) drive Debian's Chromium, never a downloaded one,
# and load axe-core, pinned by tests/browser/package-lock.json, into the pages.
.PHONY: chromium browser-deps browser-test
CHROMIUM := /usr/bin/chromium
BROWSER_DEPS := build/browser-deps
AXE := $(BROWSER_DEPS)/node_modules/axe-core/axe.min.js

chromium:
	@if [ -x $(CHROMIUM) ]; then exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	else \
	  echo "The browser tests need Debian's chromium at $(CHROMIUM). Install it as root:" >&2; \
	  echo "  apt-get update && apt-get install -y --no-install-recommends chromium" >&2; \
	  exit 1; \
	fi

browser-deps: chromium $(AXE)

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@command -v npm >/dev/null || { echo "The browser tests need npm (Node.js) to install axe-core." >&2; exit 1; }
	mkdir -p $(BROWSER_DEPS)
	cp tests/browser/package.json tests/browser/package-lock.json $(BROWSER_DEPS)/
	cd $(BROWSER_DEPS) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

browser-test: install browser-deps
	$(PY) -m pytest tests/browser -s

clean-data:
	rm -rf .data

# AWS (infra/aws/README.md). STAGE names the Chalice stage and the stack laatu-$(STAGE).
# chalice needs a region only to name API Gateway's service principal; the template is
# region-free and the deploy uses the CLI's own region.
STAGE ?= prod
PACKAGE_DIR := build/package

package: install
	rm -rf $(PACKAGE_DIR)
	AWS_DEFAULT_REGION=$${AWS_REGION:-$${AWS_DEFAULT_REGION:-eu-north-1}} \
	  $(VENV)/bin/chalice --project-dir functions package --stage $(STAGE) \
	  --pkg-format cloudformation --merge-template $(CURDIR)/infra/aws/template.yaml \
	  $(CURDIR)/$(PACKAGE_DIR)
	$(PY) -m infra.aws.package $(PACKAGE_DIR)
	$(VENV)/bin/cfn-lint --non-zero-exit-code error -- $(PACKAGE_DIR)/sam.yaml

# Checks the AWS CLI and credentials before the build, so a missing one fails fast.
deploy: install
	$(PY) -m infra.aws.deploy preflight
	$(MAKE) --no-print-directory package STAGE=$(STAGE)
	$(PY) -m infra.aws.deploy deploy --stage $(STAGE) --package-dir $(PACKAGE_DIR)
