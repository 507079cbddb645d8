# finlake — every target sets up what it needs; on a fresh machine `make run` and `make test` are enough.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# python3.11, or a python3 that is 3.11
PYTHON ?= $(shell command -v python3.11 2>/dev/null || { python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null && echo python3; } || echo python3.11)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TOOLS := .tools
LAKE ?= ./lake
JARS := .jars
JARS_STAMP := $(JARS)/.fetched

.PHONY: help
help: ## list the targets
	@echo "finlake — make targets:"
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.PHONY: check-java
check-java:
	@java -version 2>&1 | grep -q 'version "17' || { echo "Java 17 is required: install it with 'sudo apt-get install -y openjdk-17-jre-headless' (or 'brew install openjdk@17')."; exit 1; }

.PHONY: check-python
check-python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (AWS Glue 5.1 runs 3.11): install python3.11, or set PYTHON=/path/to/python3.11."; exit 1; }

$(STAMP): pyproject.toml | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing finlake and its pinned dependencies into $(VENV) ..."
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

.PHONY: venv
venv: $(STAMP) ## create the virtual environment and install (done by every other target)

# The jars local Spark needs (Iceberg 1.10.0 as on Glue 5.1, SQLite JDBC for the local catalog), declared
# in jvm/pom.xml and fetched once with Maven (checksums verified); later runs reuse them offline.
$(JARS_STAMP): jvm/pom.xml
	@command -v mvn >/dev/null || { echo "Maven (mvn) is required once to fetch the Spark jars: install it with 'sudo apt-get install -y maven'."; exit 1; }
	@echo "fetching the Spark jars (Iceberg, S3A, SQLite JDBC, local file system) with mvn into $(JARS) ..."
	@mvn -q -B -f jvm/pom.xml dependency:copy-dependencies -DoutputDirectory=$(CURDIR)/$(JARS) -DexcludeTransitive=true -Dmdep.overWriteIfNewer=true \
	  || { echo "could not fetch the Spark jars with mvn (offline, and not in ~/.m2?): see the lines above"; exit 1; }
	@touch $(JARS_STAMP)

.PHONY: jars
jars: $(JARS_STAMP) ## fetch the Spark jars (Iceberg, S3A, SQLite JDBC, the java.nio local file system) once into .jars/

# The JVM's class-data archive (src/finlake/class_archive.py, built by class_archive_build.py): built
# once per JDK and class path by a small `finlake run` (~1.5 min); every later Spark session starts
# ~3 s sooner. Never fails the build.
.PHONY: class-archive
class-archive: venv check-java jars ## build the JVM class archive once (a faster Spark start; see src/finlake/class_archive.py)
	@$(PY) -m finlake.class_archive_build

.PHONY: run
run: venv check-java jars class-archive ## run the whole pipeline locally on generated data (lake: ./lake)
	$(VENV)/bin/finlake --lake $(LAKE) run

.PHONY: bench
bench: venv check-java jars class-archive ## benchmarks: speed, scale, query cost vs baselines -> bench/results/<date>.json, docs/benchmarks.md (BENCH_RUNS, BENCH_SCALES, ...)
	$(PY) -m finlake.bench

.PHONY: browser
browser: ## install headless Chromium (Debian's package) for the dashboard browser test, if missing
	@test -x /usr/bin/chromium || { echo "installing chromium (apt-get) ..."; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
	  || echo "WARNING: could not install chromium; the dashboard browser tests will be skipped (reason shown)"; }

.PHONY: test
test: venv check-java jars class-archive tools browser ## run the test suite (Spark, Terraform, AWS mocks, dashboard in Chromium)
	$(PY) -m pytest -q

.PHONY: aws-e2e
aws-e2e: venv check-java jars class-archive ## the AWS code path end to end on a local AWS (moto server): Glue scripts, Glue catalog, S3, KMS, IAM
	$(PY) -m pytest -q tests/aws

.PHONY: aws-local
aws-local: venv ## start a local AWS (moto server on 127.0.0.1) provisioned with Terraform's dev names; Ctrl-C stops it
	$(PY) tests/aws/aws_local.py

# checkov pins an old boto3, so it lives in its own venv instead of .venv.
CHECKOV := $(TOOLS)/checkov/bin/checkov
$(CHECKOV): | check-python
	@echo "installing checkov into $(TOOLS)/checkov ..."
	@$(PYTHON) -m venv $(TOOLS)/checkov
	@$(TOOLS)/checkov/bin/python -m pip install --quiet --upgrade pip
	@$(TOOLS)/checkov/bin/python -m pip install --quiet 'checkov==3.3.30'

# The AWS provider schema of the Terraform checks comes from the prebuilt CDK Terrain bindings, generated
# from hashicorp/aws 6.69.1 (their metadata names it); only the jsii assembly inside is read (no Node).
AWS_SCHEMA_PACKAGE := cdktn-provider-aws==25.8.1
AWS_SCHEMA_STAMP := $(TOOLS)/aws-provider-schema/.installed-$(AWS_SCHEMA_PACKAGE)
$(AWS_SCHEMA_STAMP): | check-python
	@echo "installing $(AWS_SCHEMA_PACKAGE) into $(TOOLS)/aws-provider-schema ..."
	@$(PYTHON) -m venv $(TOOLS)/aws-provider-schema
	@$(TOOLS)/aws-provider-schema/bin/python -m pip install --quiet --no-deps '$(AWS_SCHEMA_PACKAGE)'
	@touch $@

.PHONY: tools
tools: $(CHECKOV) $(AWS_SCHEMA_STAMP) ## install checkov and the AWS provider schema package into their own venvs (.tools/)

.PHONY: tf-schema
tf-schema: $(AWS_SCHEMA_STAMP) ## regenerate tests/terraform/aws_provider_schema.json from the pinned provider package
	$(TOOLS)/aws-provider-schema/bin/python tests/terraform/extract_aws_provider_schema.py

.PHONY: tf-check
tf-check: venv tools ## Terraform checks only: fmt, config loading, checkov (+ custom policies), contracts
	$(PY) -m pytest -q tests/terraform

.PHONY: wheel
wheel: venv ## build the finlake wheel into dist/ (the Glue jobs import it; run before terraform plan)
	$(PY) -m pip wheel --quiet --no-deps --wheel-dir dist .

.PHONY: lint
lint: venv ## ruff (lint + format check) and mypy on the package
	$(VENV)/bin/ruff check src tests glue_jobs lambdas bench
	$(VENV)/bin/ruff format --check src tests glue_jobs lambdas bench
	$(VENV)/bin/mypy

.PHONY: format
format: venv ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix src tests glue_jobs lambdas bench
	$(VENV)/bin/ruff format src tests glue_jobs lambdas bench

.PHONY: package-lambda
package-lambda: venv ## build dist/high_risk_alert.zip and dist/transaction_monitor.zip, the Lambdas' reproducible packages
	$(PY) lambdas/build_package.py high_risk_alert dist/high_risk_alert.zip
	$(PY) lambdas/build_package.py transaction_monitor dist/transaction_monitor.zip

.PHONY: package-serving
package-serving: venv ## build dist/serving.zip: the scoring API Lambda (Linux/Python 3.11 wheels + the champion's model.json from $(LAKE))
	$(PY) -m finlake.serving.package --lake $(LAKE) --out dist/serving.zip

.PHONY: clean
clean: ## remove the local lake, build output and caches (keeps the venv)
	rm -rf $(LAKE) build dist .pytest_cache .mypy_cache .ruff_cache test-artifacts

.PHONY: distclean
distclean: clean ## also remove the virtual environment and tool environments
	rm -rf $(VENV) $(TOOLS)
