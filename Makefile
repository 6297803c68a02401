# One target per thing people do. Every target sets up what it needs first, so each works on a fresh clone.
SHELL := /bin/bash
PYTHON_VERSION := 3.13
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(PYTHON_VERSION)
HOST ?= 127.0.0.1
DEV_PORT := 3000
EVENT ?= events/submit-score.json
MOMENTO_LOCAL_PORT := 8080
# BRANCH=feature/x names the stage after a branch, exactly as CI does (scripts/stage_name.py).
ifdef BRANCH
STAGE := $(shell python3 scripts/stage_name.py '$(BRANCH)')
endif
STAGE ?= dev
# Ephemeral stages only: the stage whose Momento API key they read, and how long their boards live (the
# end-to-end suite's boards go with them: the API v1 has no delete).
SSM_STAGE ?= dev
EPHEMERAL_TTL_SECONDS ?= 3600
# sam build needs python$(PYTHON_VERSION) on PATH: the virtualenv's comes first.
SAM := SAM_CLI_TELEMETRY=0 PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/sam

.PHONY: help setup chromium screenshots dev invoke sam-local sam-invoke sam-test test unit soak integration e2e lint security typecheck momento-local bench bench-momento-local build validate preflight deploy backfill destroy lock clean

help:
	@echo "Serve and try it (defaults in brackets):"
	@echo "  make dev            the API on http://HOST:PORT with local Momento, SSM and DynamoDB"
	@echo "                      [HOST=$(HOST) PORT=$(DEV_PORT)], and the Lambda Invoke API on LAMBDA_PORT [PORT + 1]; SEED=1"
	@echo "                      (a demo board of 5,000 players), API_KEY= [local-dev-key], WRITE_AUTH=API_KEY|IAM|NONE"
	@echo "                      [API_KEY], ADMIN_AUTH=IAM|API_KEY [IAM: admin routes need SigV4 with local/local],"
	@echo "                      ADMIN_KEY= [local-admin-key], NO_RELOAD=1, DATA_DIR=.data (keeps the DynamoDB record),"
	@echo "                      COLD=1 (each function starts at its first request, as on Lambda),"
	@echo "                      NOW=2026-11-29T23:59:30+01:00 (the stack's clock starts there and runs: a period's end"
	@echo "                      or a TTL without waiting; docs/time-travel.md), MOMENTO_OPS_PER_SECOND=100 (Momento's"
	@echo "                      account rate limit, as a new account has it) [none]"
	@echo "  make invoke         event files in order on one state, each to its route's function (a Scheduled Event to"
	@echo "                      the scheduled one, a DynamoDB stream event to the one the table's stream runs),"
	@echo "                      through a running make dev if one answers [EVENT=$(EVENT)];"
	@echo "                      EVENTS=\"a.json b.json\", FN= to force one"
	@echo "  make sam-local      sam local start-api in containers against the same local services: Docker, or podman"
	@echo "                      where no Docker engine answers [HOST=$(HOST) PORT=$(DEV_PORT)]; NOW= as make dev's"
	@echo "  make sam-invoke EVENT=events/get-standing.json   sam local invoke, the same way (FN= picks the function)"
	@echo "  make momento-local  the local Momento-compatible server alone [HOST=$(HOST) PORT=$(MOMENTO_LOCAL_PORT)]"
	@echo "Test:"
	@echo "  make test           lint, types, security checks and every test (what CI runs; about 9 min on 2 cores)"
	@echo "  make screenshots    docs/board.png and docs/overlay.png, taken by the board page's browser tests"
	@echo "  make unit           the fast tier, seconds: the domain on fakes of its stores, the HTTP layer, momento-local;"
	@echo "                      prints the line coverage of the domain and the HTTP layer (fails below 90%)"
	@echo "  make soak           the write/remove/rebuild protocol's model run for 100,000+ steps over every interleaving"
	@echo "                      and fault it draws (a few minutes); prints the examples, steps and faults per kind"
	@echo "  make integration    every other test: handlers against local servers, contract, dev server, template"
	@echo "  make lint           ruff (lint and format check), the layers' import rules (import-linter) and actionlint"
	@echo "  make typecheck      mypy, strict"
	@echo "  make security       bandit on src/, pip-audit on the runtime dependencies"
	@echo "  make e2e URL=https://...   the contract suite against a deployed stage (with API_KEY=... or WRITE_AUTH=IAM)"
	@echo "  make sam-test       the contract suite over HTTP against make sam-local, API Gateway's differences marked"
	@echo "  make bench          every route's cold start, warm overhead, board size, HTTP load and more, one module per"
	@echo "                      feature (bench/), about 15 min on 2 cores: bench/results.json and docs/performance.md"
	@echo "  make bench-momento-local   p50 of put, rank and page at 1,000 vs 1,000,000 members"
	@echo "Build and deploy:"
	@echo "  make build          sam build: src/ for Lambda (arm64, no Docker needed)"
	@echo "  make validate       sam validate --lint"
	@echo "  make preflight      check what a deploy needs, every problem at once: region, credentials, the key"
	@echo "                      parameter, the Momento cache [STAGE=$(STAGE) SSM_STAGE=$(SSM_STAGE)]; BRANCH= too;"
	@echo "                      MOMENTO_ENDPOINT= for a v2 key"
	@echo "  make deploy         the preflight, then deploy stack leaderboard-api-STAGE [STAGE=$(STAGE)]; STAGE=prod, STAGE=feat-x or"
	@echo "                      BRANCH=feature/x for an ephemeral stage reading SSM_STAGE's key [SSM_STAGE=$(SSM_STAGE)];"
	@echo "                      MOMENTO_ENDPOINT=<endpoint> for a v2 key (the stack's MomentoEndpoint)"
	@echo "  make backfill STAGE=dev BOARDS=\"weekly daily\"   right after the first deploy of this version over boards"
	@echo "                      that live only in Momento: copies them into the record, idempotently (run it again"
	@echo "                      to finish an interrupted copy) [SSM_STAGE=$(SSM_STAGE)]; MOMENTO_ENDPOINT= for a v2 key"
	@echo "  make destroy STAGE=feat-x   delete that stack (dev and prod also need CONFIRM=STAGE)"
	@echo "Housekeeping:"
	@echo "  make setup          create .venv and install the pinned development environment (any target does it)"
	@echo "  make chromium       install Debian's Chromium for the browser tests when missing (make test does it)"
	@echo "  make lock           re-resolve requirements/dev.in into the pinned requirements/dev.txt"
	@echo "  make clean          remove .venv, caches and .aws-sam"

# The first run installs the pinned development environment (about 150 packages, about a minute), saying so, with
# progress; later runs find it installed and say nothing. pip's errors still show.
$(STAMP): requirements/dev.txt requirements/platform.txt src/requirements.txt
	@test -x $(PY) || { echo "Creating the virtualenv $(VENV) (Python $(PYTHON_VERSION))..."; \
	  "$$(scripts/find-python $(PYTHON_VERSION))" -m venv $(VENV); }
	@packages=$$(grep -c '==' requirements/dev.txt); \
	  echo "Installing the development environment into $(VENV): $$packages pinned packages, about a minute the first time."; \
	  set -o pipefail; $(PY) -m pip install --disable-pip-version-check --progress-bar off \
	    -r requirements/dev.txt -r requirements/platform.txt | $(PY) scripts/install_progress.py $$packages
	@# src/ on the environment's path, as on Lambda's: tools run from the repository (import-linter) find its packages.
	@# Relative to site-packages: the path stays right when the repository moves or another checkout shares .venv.
	@$(PY) -c 'import os, site; d = site.getsitepackages()[0]; open(os.path.join(d, "leaderboard-api-src.pth"), "w").write(os.path.relpath("src", d) + "\n")'
	@touch $@

setup: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=src $(VENV)/bin/lint-imports --no-cache
	@if [ -x $(VENV)/bin/actionlint ]; then $(VENV)/bin/actionlint && echo "actionlint: workflows OK"; \
	  else echo "actionlint: no build for this platform, workflows not linted here (CI lints them)"; fi

security: $(STAMP)
	$(VENV)/bin/bandit -q -r src
	$(PY) scripts/audit_dependencies.py src/requirements.txt

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# make test and make integration run test files side by side: one worker more than the cores, at most 4 (WORKERS=1
# runs them one after another), since part of each file's time is spent waiting on its servers. A file stays on one
# worker: its module's servers are started once. The load and race tests pass with a core taken by another process.
WORKERS ?= $(shell python3 -c 'import os; cores = getattr(os, "sched_getaffinity", lambda _: [0] * (os.cpu_count() or 1))(0); print(min(4, len(cores) + 1))')
PARALLEL := -n $(WORKERS) --dist loadfile --no-loadscope-reorder

test: lint typecheck security chromium
	$(PY) -m pytest $(PARALLEL)

# The two tiers of `make test`'s tests, for a quicker loop while working.
UNIT_TESTS := tests/unit momento_local/tests
# Under coverage (pyproject.toml's [tool.coverage.*]): the table of what the domain and the HTTP layer leave unrun,
# then their figures on one line; below 90% together, the target fails.
# The protocol's model (tests/unit/domain/protocol_model.py) at length: make test runs its bounded profile.
soak: $(STAMP)
	MODEL_PROFILE=soak $(PY) -m pytest tests/unit/domain/test_protocol_model.py -q -s -p no:cacheprovider --timeout=3600

unit: $(STAMP)
	$(VENV)/bin/coverage run -m pytest $(UNIT_TESTS)
	@$(VENV)/bin/coverage report --fail-under=0
	@total() { $(VENV)/bin/coverage report --format=total --fail-under=0 "$$@"; }; \
	  echo "Line coverage from the fast tier: domain $$(total --include='src/shared/domain/*')%," \
	    "HTTP layer $$(total --include='src/shared/http/*')%, both $$(total)% (at least 90%)"
	@$(VENV)/bin/coverage report --format=total >/dev/null || { echo "make unit: line coverage below 90%"; exit 1; }

integration: $(STAMP) chromium
	$(PY) -m pytest $(PARALLEL) tests $(addprefix --ignore=,$(UNIT_TESTS))

# The board page's browser tests run Debian's Chromium (Playwright's own browser download is not used). The first
# run installs it with apt-get (about 110 packages, 130 MB: 15 s on a fast mirror); later runs find it and say nothing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium from Debian's packages for the browser tests (about 110 packages, 130 MB, once)..."; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium >/dev/null; }

# docs/board.png and docs/overlay.png, which the README shows: the board page's browser tests, keeping their shots.
screenshots: $(STAMP) chromium
	BOARD_SCREENSHOTS=docs $(PY) -m pytest tests/browser -q -k "overlay or desktop"

e2e: $(STAMP)
	E2E=1 LEADERBOARD_API_URL="$(URL)" LEADERBOARD_API_KEY="$(API_KEY)" LEADERBOARD_WRITE_AUTH="$(WRITE_AUTH)" \
	  $(PY) -m pytest tests/contract -rs

dev: PORT ?= $(DEV_PORT)
dev: $(STAMP)
	$(PY) -m devserver --host $(HOST) --port $(PORT) $(if $(SEED),--seed) $(if $(NO_RELOAD),--no-reload) $(if $(COLD),--cold) \
	  $(if $(LAMBDA_PORT),--lambda-port $(LAMBDA_PORT)) $(if $(API_KEY),--api-key '$(API_KEY)') \
	  $(if $(ADMIN_KEY),--admin-key '$(ADMIN_KEY)') $(if $(DATA_DIR),--data-dir '$(DATA_DIR)') $(if $(NOW),--now '$(NOW)') \
	  $(if $(MOMENTO_OPS_PER_SECOND),--momento-ops-per-second $(MOMENTO_OPS_PER_SECOND)) \
	  $(if $(WRITE_AUTH)$(ADMIN_AUTH),--parameter-overrides $(if $(WRITE_AUTH),WriteAuth=$(WRITE_AUTH)) \
	    $(if $(ADMIN_AUTH),AdminAuth=$(ADMIN_AUTH)))

# EVENTS="a.json b.json" invokes several in order; without FN= each goes to the function its route names.
invoke: PORT ?= $(DEV_PORT)
invoke: $(STAMP)
	@$(PY) -m devserver.invoke $(if $(FN),--function '$(FN)') --host $(HOST) --port $(PORT) \
	  $(if $(LAMBDA_PORT),--lambda-port $(LAMBDA_PORT)) $(or $(EVENTS),$(EVENT))

# Docker where one answers, otherwise podman (installed when missing) with a local image; EVENT= (and FN= to choose
# the function, else the event's own) for sam-invoke.
sam-local: PORT ?= $(DEV_PORT)
sam-local: $(STAMP)
	@$(PY) -m devserver.sam_local $(if $(NOW),--now '$(NOW)') start-api --host $(HOST) --port $(PORT)

sam-invoke: $(STAMP)
	@$(PY) -m devserver.sam_local $(if $(NOW),--now '$(NOW)') invoke $(if $(FN),'$(FN)') --event '$(EVENT)'

# The contract suite over HTTP against sam local start-api (started for the run); skipped, saying why, where no
# container engine can run.
sam-test: $(STAMP)
	SAM_LOCAL=1 $(PY) -m pytest tests/contract tests/devserver/test_sam_local_lifecycle.py -rsx

momento-local: PORT ?= $(MOMENTO_LOCAL_PORT)
momento-local: $(STAMP)
	$(PY) -m momento_local --host $(HOST) --port $(PORT) --cache leaderboard

bench: $(STAMP)
	$(PY) -m bench.run

bench-momento-local: $(STAMP)
	$(PY) -m bench.momento_local_scaling

build: $(STAMP)
	$(SAM) build

validate: $(STAMP)
	$(SAM) validate --lint

# dev and prod read their own stage's key; an ephemeral stage reads SSM_STAGE's. MOMENTO_ENDPOINT= (a v2 key's
# endpoint) is the stack's MomentoEndpoint: the preflight checks the key with it.
preflight: $(STAMP)
	@$(PY) scripts/deploy_preflight.py --stage $(STAGE) --ssm-stage $(if $(filter dev prod,$(STAGE)),$(STAGE),$(SSM_STAGE)) \
	  $(if $(MOMENTO_ENDPOINT),--momento-endpoint '$(MOMENTO_ENDPOINT)')

# The preflight names every missing prerequisite at once, before the build spends its time. --parameter-overrides on
# the command line replaces samconfig's list as a whole, so dev and prod repeat their StageName with MomentoEndpoint;
# a parameter left out keeps the stack's previous value.
ENDPOINT_OVERRIDE = $(if $(MOMENTO_ENDPOINT),MomentoEndpoint='$(MOMENTO_ENDPOINT)')
deploy: preflight
	@$(MAKE) --no-print-directory build
ifeq ($(STAGE),dev)
	$(SAM) deploy $(if $(MOMENTO_ENDPOINT),--parameter-overrides StageName=dev $(ENDPOINT_OVERRIDE))
else ifeq ($(STAGE),prod)
	$(SAM) deploy --config-env prod $(if $(MOMENTO_ENDPOINT),--parameter-overrides StageName=prod $(ENDPOINT_OVERRIDE))
else
	$(SAM) deploy --stack-name leaderboard-api-$(STAGE) --s3-prefix leaderboard-api-$(STAGE) \
	  --parameter-overrides StageName=$(STAGE) SsmStageName=$(SSM_STAGE) LeaderboardTtlSeconds=$(EPHEMERAL_TTL_SECONDS) \
	  $(ENDPOINT_OVERRIDE)
endif

# Adopting a deployment whose boards live only in Momento: deploy this version, then copy them into the record at
# once (scripts/backfill.py says why in that order). The key is read as the preflight reads it.
backfill: $(STAMP)
	@test -n "$(BOARDS)" || \
	  { echo 'make backfill: name the boards: make backfill STAGE=$(STAGE) BOARDS="weekly daily"'; exit 1; }
	@$(PY) scripts/backfill.py --stage $(STAGE) --ssm-stage $(if $(filter dev prod,$(STAGE)),$(STAGE),$(SSM_STAGE)) \
	  --boards $(BOARDS) $(if $(MOMENTO_ENDPOINT),--momento-endpoint '$(MOMENTO_ENDPOINT)')

destroy: $(STAMP)
	@case "$(STAGE)" in dev|prod) test "$(CONFIRM)" = "$(STAGE)" || \
	  { echo "refusing to delete $(STAGE): add CONFIRM=$(STAGE)"; exit 1; };; esac
	$(SAM) delete --stack-name leaderboard-api-$(STAGE) --no-prompts

lock:
	rm -rf .lock-venv
	"$$(scripts/find-python $(PYTHON_VERSION))" -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check -r requirements/dev.in
	( echo "# Generated by 'make lock' from dev.in: every package of the development environment, pinned."; \
	  .lock-venv/bin/pip freeze --all --exclude pip --exclude setuptools ) > requirements/dev.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .aws-sam
