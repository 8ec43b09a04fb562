# Every command of the project. `make help` lists them.
#
# The two that matter on a fresh machine:
#   make run    set up, generate sample data if data/raw is empty, load, dbt build, statistics,
#               report (prints the path of the HTML report last)
#   make test   set up, lint, pytest, dbt build on DuckDB and on PostgreSQL
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# A recipe that fails leaves no half-written target behind.
.DELETE_ON_ERROR:

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

SOURCE_DIR ?= data/raw
SCALE ?= 1
SEED ?= 42
# duckdb (default) or postgres
TARGET ?= duckdb
PORT ?= 8080
# Port of `make dashboard` (Streamlit)
DASHBOARD_PORT ?= 8501
# Amplitude API the export files are made for: batch (Batch Event Upload) or http (HTTP V2)
API ?= batch
# Scale of the sample data `make test` builds the project on (fast, all defects present).
TEST_SCALE ?= 0.2

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export DBT_TARGET := $(TARGET)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export RUNTIME__DLTHUB_TELEMETRY := false
export PYTHONDONTWRITEBYTECODE := 1
# The salt for hashing emails and phones: yours from the environment, else a
# random one made once per checkout in .hash_salt (gitignored, never committed).
MARKETING_HASH_SALT ?= $(shell cat .hash_salt 2>/dev/null)
export MARKETING_HASH_SALT

DBT := $(BIN)/dbt
# Production builds (make build, make run, make bench) skip what costs time and checks
# nothing there: dbt's unit tests check the SQL logic on fixtures, not the data (make test
# runs them, tests/support/dbt_build.py); the evidence tables' data tests would only test
# empty tables before the statistics step fills them, and its own dbt build tests them
# after; manifest.json / run_results.json and dbt's debug file log are for debugging
# (dbt.log keeps warnings and errors). About 6 s of dbt's per-node cost on every build;
# `make build DBT_BUILD_FLAGS=` runs everything.
DBT_BUILD_FLAGS ?= --exclude-resource-type unit_test --exclude test_type:data,tag:evidence \
	--no-write-json --log-level-file warn
export DBT_BUILD_FLAGS
ANALYTICS := $(BIN)/python -m analytics

.PHONY: help
help: ## List the commands
	@echo "usage: make <command> [SCALE=1] [SEED=42] [TARGET=duckdb|postgres] [SOURCE_DIR=data/raw]"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# pip says what it collects and installs (minutes on a fresh machine, not silence);
# in CI (CI=true) it stays quiet. `make PIP_OUTPUT=--quiet` quiets it anywhere.
PIP_OUTPUT ?= $(if $(filter true 1,$(CI)),--quiet,)

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (the project needs Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the pinned toolchain into $(VENV) (requirements.lock, about 0.9 GB: a few minutes the first time)"
	$(BIN)/python -m pip install $(PIP_OUTPUT) --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

# Order-only: made once from the example, never overwritten (you may edit it).
profiles.yml: | profiles.example.yml
	cp profiles.example.yml profiles.yml

.hash_salt: | $(STAMP)
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > .hash_salt.tmp
	mv .hash_salt.tmp .hash_salt

# dbt's packages (packages.yml): dbt_utils and dbt_expectations are local stand-ins in
# packages/ (the hub is out of reach), so `dbt deps` needs no network. Installed into
# dbt_packages/ (gitignored) again whenever packages.yml or a package's project changes.
DBT_PACKAGES := dbt_packages/.installed
$(DBT_PACKAGES): packages.yml $(wildcard packages/*/dbt_project.yml) | $(STAMP)
	$(DBT) deps --quiet
	touch $@

.PHONY: setup
setup: $(STAMP) profiles.yml .hash_salt $(DBT_PACKAGES) ## Create .venv with the pinned toolchain, the dbt profile, a hash salt and dbt's packages
	@grep -q "enable_progress_bar" profiles.yml || echo "note: profiles.yml predates the setting that keeps DuckDB's progress bar out of dbt's output: copy the duckdb output's 'settings:' lines from profiles.example.yml"

.PHONY: generate
generate: setup ## Write sample exports to SOURCE_DIR (SCALE=1 SEED=42)
	$(ANALYTICS) generate --out $(SOURCE_DIR) --scale $(SCALE) --seed $(SEED)

.PHONY: load
load: setup ## Load the exports in SOURCE_DIR into the raw dataset (TARGET=duckdb|postgres)
	$(ANALYTICS) load --source-dir $(SOURCE_DIR) --destination $(TARGET)

.PHONY: sources
sources: setup ## Write the dbt sources YAML (models/staging/*/_*__sources.yml) from loaders/contract.py
	$(LOADERS) sources-yaml

.PHONY: build
build: setup ## dbt build: seeds, models and data tests (unit tests: make test) (TARGET=duckdb|postgres)
	$(DBT) build $(DBT_BUILD_FLAGS)

.PHONY: report
report: setup ## Print the answers and the evidence; write the HTML report data/reports/report.html
	$(ANALYTICS) report --target $(TARGET)

.PHONY: dashboard
dashboard: setup ## Serve the Streamlit dashboard on http://127.0.0.1:DASHBOARD_PORT (8501), read-only (TARGET=duckdb|postgres)
	@$(ANALYTICS) dashboard --target $(TARGET) --port $(DASHBOARD_PORT)

.PHONY: analyze
analyze: setup ## The statistics step after dbt build: diagnosis, hypothesis tests, plans, lags (writes marts)
	$(ANALYTICS) analyze --target $(TARGET)

.PHONY: amplitude-export
amplitude-export: setup ## Write marts.amplitude_events as Amplitude upload files in data/amplitude (API=batch|http; key from AMPLITUDE_API_KEY)
	$(ANALYTICS) amplitude-export --target $(TARGET) --out data/amplitude --api $(API)

.PHONY: run
run: setup ## Everything: sample data if SOURCE_DIR is empty, load, dbt build, the statistics step, report (text + HTML)
	@if [ -z "$$(ls -A $(SOURCE_DIR) 2>/dev/null)" ]; then \
		echo "$(SOURCE_DIR) is empty: generating sample exports (scale $(SCALE), seed $(SEED))"; \
		$(ANALYTICS) generate --out $(SOURCE_DIR) --scale $(SCALE) --seed $(SEED); \
	fi
	$(ANALYTICS) load --source-dir $(SOURCE_DIR) --destination $(TARGET)
	@mkdir -p logs; echo "$(DBT) build"; \
	if $(DBT) build $(DBT_BUILD_FLAGS) --no-use-colors > logs/make_run_build.log 2>&1; then \
		grep -E "(Finished running|Done\. PASS)" logs/make_run_build.log | sed 's/^[^A-Z]*//' || true; \
	else \
		tail -n 40 logs/make_run_build.log; echo "dbt build failed: full log in logs/make_run_build.log"; exit 1; \
	fi
	$(ANALYTICS) analyze --target $(TARGET)
	$(ANALYTICS) report --target $(TARGET)

.PHONY: lint
lint: setup ## ruff (lint and format), mypy on loaders/ and analytics/, import-linter's layer contracts, sqlfluff on the SQL
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	DUCKDB_PATH=:memory: $(BIN)/sqlfluff lint models macros analyses tests/dbt

.PHONY: format
format: setup ## Format Python (ruff) and fix what sqlfluff can fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	DUCKDB_PATH=:memory: $(BIN)/sqlfluff fix models macros analyses tests/dbt

.PHONY: pytest
pytest: setup ## Python tests (PostgreSQL ones skip without a server, fail in CI)
	$(BIN)/python -m pytest

.PHONY: test-fast
test-fast: setup ## The fast Python tests only (under 30 s: no test marked slow or postgres)
	$(BIN)/python -m pytest -m "not slow and not postgres"

.PHONY: dbt-test-duckdb
dbt-test-duckdb: setup ## Generate, load and dbt build a fresh DuckDB warehouse (TEST_SCALE)
	$(BIN)/python -m tests.support.dbt_build duckdb --scale $(TEST_SCALE)

.PHONY: dbt-test-postgres
dbt-test-postgres: setup ## The same on a fresh PostgreSQL database (skips without a server, fails in CI)
	$(BIN)/python -m tests.support.dbt_build postgres --scale $(TEST_SCALE)

.PHONY: browser-setup
browser-setup: ## Install Debian's chromium for the browser test, if missing
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null; then sudo="sudo"; \
	else echo "error: /usr/bin/chromium is missing; install Debian's chromium as root (apt-get install chromium)"; exit 1; fi; \
	command -v apt-get >/dev/null || { echo "error: /usr/bin/chromium is missing and there is no apt-get to install it"; exit 1; }; \
	echo "installing Debian's chromium for the browser test (apt-get)"; \
	{ $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	  && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } \
	|| { echo "error: apt-get install chromium failed; the browser test needs /usr/bin/chromium"; exit 1; }; \
	test -x /usr/bin/chromium || { echo "error: chromium installed but /usr/bin/chromium is missing"; exit 1; }

.PHONY: test
test: setup browser-setup lint pytest dbt-test-duckdb dbt-test-postgres ## Everything CI runs

.PHONY: docs
docs: setup ## Generate the dbt docs and serve the lineage site on PORT (8080)
	$(DBT) docs generate
	$(DBT) docs serve --port $(PORT) --no-browser

.PHONY: bench
bench: setup ## Benchmark load, dbt build, statistics step and dashboard pages at SCALE, and the shared sales file; appends to BENCHMARKS.md
	$(ANALYTICS) bench --scale $(SCALE)

.PHONY: lock
lock: ## Re-resolve requirements.lock from pyproject.toml (needs the package registry)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet ".[dev]"
	{ echo "# Exact versions that install together on the build machines (Python 3.11)."; \
	  echo "# Regenerate with \`make lock\` after changing pyproject.toml; see ../shared/TOOLCHAIN.md."; \
	  .lock-venv/bin/pip freeze --exclude marketing-analytics --all | grep -v '^pip=='; } > requirements.lock
	rm -rf .lock-venv

.PHONY: clean
clean: ## Remove build output and the DuckDB warehouse (keeps data/raw and .venv)
	rm -rf target logs data/warehouse.duckdb data/warehouse.duckdb.wal data/_dlt .bench
