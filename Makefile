# consult: the two commands a person needs are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app app
PO := $(wildcard consult/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
AXE_VERSION := 4.11.0
AXE := tests/browser/.vendor/axe-core-$(AXE_VERSION)/axe.min.js

.PHONY: run test lint format translations extract-messages clean serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

%.mo: %.po | $(BIN)/python
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ --statistics 2>&1 | tail -1

translations: $(MO)

$(AXE):
	@mkdir -p $(dir $@)
	@if command -v npm >/dev/null 2>&1; then \
	  tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar xzf axe-core-*.tgz) \
	  && cp $$tmp/package/axe.min.js $@ && cp $$tmp/package/LICENSE $(dir $@)LICENSE && rm -rf $$tmp \
	  && echo "axe-core $(AXE_VERSION) fetched from the npm registry for the browser tests"; \
	else echo "npm not found: browser accessibility tests will be skipped"; fi

run: $(VENV)/.installed translations
	CONSULT_ENV=$${CONSULT_ENV:-development} $(FLASK) db upgrade
	CONSULT_ENV=$${CONSULT_ENV:-development} $(FLASK) seed demo --if-empty
	CONSULT_ENV=$${CONSULT_ENV:-development} SCHEDULER_IN_PROCESS=true PUBLIC_URL=$${PUBLIC_URL:-http://127.0.0.1:$(PORT)} \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.installed-dev translations
	-@$(MAKE) --no-print-directory $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check consult tests app.py benchmarks
	$(BIN)/lint-imports --no-logo

format: $(VENV)/.installed-dev
	$(BIN)/ruff format consult tests app.py benchmarks
	$(BIN)/ruff check --fix .

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* __pycache__' -o consult/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i consult/translations/messages.pot -d consult/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache tests/browser/.vendor
