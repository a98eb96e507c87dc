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

test: install lint
	$(PY) -m pytest

unit: install
	$(PY) -m pytest tests/unit

functional: install
	$(PY) -m pytest tests/functional

e2e: install
	$(PY) -m pytest tests/e2e

bench: install
	$(PY) -m tests.bench

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
