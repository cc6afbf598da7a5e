# Steward: `make run` serves it, `make test` proves it. See README.md.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-sqlite test-postgres lint browser-deps bench clean

install: $(STAMP)

# Re-installs only when the lock file or the project's metadata changed.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || "$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

run: install
	$(BIN)/steward run

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/steward check --fail-level WARNING
	$(BIN)/steward makemigrations --check --dry-run

browser-deps:
	@scripts/ensure-chromium

# The two databases' runs go side by side (one core each), each with its own data dir so
# that neither reads a key file the other is still writing; their output is not interleaved.
test: install browser-deps lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: install
	env -u DATABASE_URL STEWARD_DATA_DIR=$(CURDIR)/var/test-sqlite $(BIN)/pytest -q

# PostgreSQL is the production database: CI must reach it (scripts/ensure-postgres fails
# under CI=true when it cannot), a developer without one is told and the run is skipped.
test-postgres: install
	@status=0; scripts/ensure-postgres || status=$$?; \
	if [ $$status = 0 ]; then \
		DATABASE_URL=postgres://postgres@127.0.0.1:5432/steward STEWARD_DATA_DIR=$(CURDIR)/var/test-postgres \
			$(BIN)/pytest -q -m "not browser"; \
	elif [ $$status = 2 ]; then exit 1; fi

bench: install
	$(BIN)/steward bench

clean:
	rm -rf $(VENV)
