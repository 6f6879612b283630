# Hồi Âm: every command a developer or CI needs. `make demo` and `make test` are the Quick start.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv/bin

.PHONY: help setup system-packages up demo down status test test-unit test-integration test-e2e lint \
	typecheck schemas asyncapi bench eval-routing eval-repeats chaos chaos-short

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: ## install uv if needed, sync the Python workspace (.venv), fetch the pinned web assets
	@bash deploy/local/bootstrap.sh
	@$(VENV)/python -m hoiam_shared.vendor

up: setup ## start Kafka, FerretDB, a local mail catcher and the four services (console :8004)
	@bash deploy/local/stack.sh up
	@bash deploy/local/services.sh up

demo: up ## everything from nothing, sample feedback through the pipeline, the console's demo accounts
	@$(VENV)/python deploy/local/demo.py

down: ## stop the services and the stack
	@bash deploy/local/services.sh down
	@bash deploy/local/stack.sh down

status: ## what is running
	@bash deploy/local/services.sh status || true
	@bash deploy/local/stack.sh status || true

system-packages: ## Debian packages the tests run for real (Dovecot, Prometheus, Chromium), installed once
	@bash deploy/local/system-packages.sh

test: setup system-packages ## every test: unit, integration and e2e on the real stack (started if needed)
	@$(VENV)/pytest --durations=15

test-unit: setup system-packages ## only the fast tests (no server needed; promtool checks the rules)
	@$(VENV)/pytest -m "not integration and not e2e"

test-integration: setup system-packages ## the tests against the real Kafka, FerretDB, Dovecot and SMTP
	@$(VENV)/pytest -m integration

test-e2e: setup ## the whole pipeline as processes
	@$(VENV)/pytest -m e2e

lint: setup ## ruff and the import contracts (services never import each other)
	@$(VENV)/ruff check .
	@$(VENV)/ruff format --check .
	@$(VENV)/lint-imports

typecheck: setup ## mypy strict, the tests included
	@$(VENV)/mypy

schemas: setup ## re-export the events' JSON Schemas into shared/schemas
	@$(VENV)/python -m hoiam_shared.schemas

asyncapi: setup ## re-export each service's AsyncAPI document into docs/asyncapi
	@PYTHONPATH=tests $(VENV)/python -m support.asyncapi

bench: up ## end-to-end throughput, latency, CPU and RSS per item as JSON: [ARGS="--rates 20,200"]
	@$(VENV)/python deploy/local/bench.py $(ARGS)

chaos: setup ## faults under load on a stack of its own (ports +10000, .local/chaos); JSON, exit 1 on loss
	@$(VENV)/python deploy/local/chaos.py $(ARGS)

chaos-short: setup ## the short chaos CI runs: one fault of each kind, then the same checks
	@$(VENV)/python deploy/local/chaos.py --short $(ARGS)

eval-routing: setup ## routing accuracy on the labelled set of real petitions (JSON in .local/)
	@$(VENV)/python -m hoiam_router.evaluation

eval-repeats: setup ## repeat petitions on real texts: found / missed / false over the threshold (JSON in .local/)
	@$(VENV)/python -m hoiam_router.repeat_eval

# --- intake: targets of the intake service go here ---
.PHONY: import-mail replay-dlq bench-intake eval-minutes

import-mail: setup ## import mail: make import-mail FILES="a.eml archive.mbox" [URL=http://...]
	@test -n "$(FILES)" || { echo 'usage: make import-mail FILES="a.eml archive.mbox"'; exit 2; }
	@$(VENV)/python -m hoiam_intake.mailimport $(FILES) --url $(or $(URL),http://127.0.0.1:8001)

replay-dlq: setup ## re-feed a service's DLQs after a fix: [SERVICE=intake|router|notifier] [ARGS=--error-type X]
	@$(VENV)/python -m hoiam_$(or $(SERVICE),intake).replay $(ARGS)

eval-minutes: setup ## minutes splitter on the real minutes: found / wrong / with place, dev and held-out (JSON)
	@$(VENV)/python -m hoiam_intake.minutes_eval $(ARGS)

bench-intake: up ## webhook accept p50/p99 at a fixed rate: [URL=] [RATE=50] [SECONDS=10]
	@$(VENV)/python deploy/local/bench_intake.py --url $(or $(URL),http://127.0.0.1:8001) \
		--rate $(or $(RATE),50) --seconds $(or $(SECONDS),10)

# --- router: targets of the router service go here ---
.PHONY: router-test router-preview
.PHONY: router-eval-misses

router-test: setup ## the router's unit and integration tests only (real Kafka and FerretDB)
	@$(VENV)/pytest tests/unit/router tests/integration/router tests/integration/test_router_repository_contracts.py -q

router-eval-misses: setup ## routing evaluation with every cross-validated miss on dev
	@$(VENV)/python -m hoiam_router.evaluation --misses --out .local/eval-routing-dev.json

router-preview: setup ## route TEXT (and ADDRESS) with the pure function, nothing stored: make router-preview TEXT='...'
	@$(VENV)/python -m hoiam_router.preview "$(TEXT)" "$(ADDRESS)"

# --- notifier: targets of the notifier service go here ---
.PHONY: bench-notifier
bench-notifier: setup ## notifications/s from Kafka to a local SMTP server (own notifier, free ports)
	@$(VENV)/python deploy/local/bench_notifier.py
