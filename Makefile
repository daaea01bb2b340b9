# Everything runs from a project-local virtualenv that the first target to need it creates.
# Python 3.11-3.13 (Beanie needs < 3.14); override with `make PYTHON=python3.12 ...`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements-dev.txt | cksum | cut -d' ' -f1)
PIP_COMPILE_FLAGS := --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host

.DEFAULT_GOAL := help
.PHONY: help install run test lint fmt lock clean openapi openapi-check bench postman fuzz soak

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; assert (3, 11) <= sys.version_info[:2] < (3, 14), \
		f"Python 3.11-3.13 needed, found {sys.version.split()[0]}: make PYTHON=python3.X"'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--require-hashes --no-deps -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) ## Create .venv and install the pinned dependencies

run: $(STAMP) ## Serve the API on HOST:PORT (default 127.0.0.1:8000), data under DATA_DIR
	$(BIN)/python -m api

test: $(STAMP) ## Run the test suite (embedded store, or MongoDB if MONGODB_URL is set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check, ruff format --check, mypy --strict, compose file against its spec
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

fmt: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi-check: ## Lint openapi.json (Redocly) and type-check a client generated from it
	bash scripts/check_openapi.sh

postman: $(STAMP) ## Run the Postman collection with newman against a throw-away API
	bash postman/run.sh

# The fuzzer registers and logs in hundreds of times from one address; the
# abuse limits would turn most of its cases into 429s.
FUZZ_API_ENV := -e LOGIN_LIMIT_PER_EMAIL=100000 -e LOGIN_LIMIT_PER_IP=100000 \
	-e REGISTER_LIMIT_PER_IP=100000

fuzz: $(STAMP) ## Fuzz a throw-away API from openapi.json (schemathesis, seeded; schemathesis.toml)
	$(BIN)/python -m scripts.with_api $(FUZZ_API_ENV) -- \
		$(BIN)/schemathesis run openapi.json --checks all $(FUZZ_ARGS)

soak: $(STAMP) ## Mixed load on a throw-away API, then check every acknowledged write (SOAK_ARGS)
	$(BIN)/python -m scripts.soak $(SOAK_ARGS)

# The bench extra (matplotlib, py-spy) on top of the dev pins; reinstalled when either lock changes.
BENCH_STAMP := $(VENV)/.bench-$(shell cat requirements-dev.txt requirements-bench.txt | cksum | cut -d' ' -f1)

$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--require-hashes --no-deps -r requirements-bench.txt
	@rm -f $(VENV)/.bench-* && touch $@

# wrk, the load generator, is a system package (.ci/run installs it).
bench: $(BENCH_STAMP) ## API vs a raw-PyMongo baseline under wrk; writes BENCHMARKS.md (BENCH_ARGS=--smoke: CI's quick check)
	@command -v wrk >/dev/null || { \
		echo "wrk is not installed: sudo apt-get install wrk (Debian, Ubuntu) or brew install wrk" >&2; \
		exit 2; }
	$(BIN)/python -m bench $(BENCH_ARGS)

openapi: $(STAMP) ## Regenerate openapi.json from the code (a test fails while it is stale)
	$(BIN)/python -m scripts.export_openapi

lock: $(STAMP) ## Re-pin requirements*.txt from pyproject.toml (versions and hashes only)
	$(VENV)/bin/python -m pip install --quiet pip-tools
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(PIP_COMPILE_FLAGS) \
		-o requirements.txt pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(PIP_COMPILE_FLAGS) \
		--extra dev -o requirements-dev.txt pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(PIP_COMPILE_FLAGS) \
		--extra bench -c requirements-dev.txt -o requirements-bench.txt pyproject.toml

clean: ## Remove the virtualenv and caches (keeps ./data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
