# Two commands: `make run` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: install run test lint format lock screenshots bench-web clean

# Re-install only when the lock changes.
$(VENV)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Migrate, seed the demo data (idempotent) and serve on 127.0.0.1:$(PORT).
# With REDIS_URL set, honcho also runs a Celery worker with beat (see Procfile);
# without it, tasks run in-process.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@if [ -n "$$REDIS_URL" ]; then \
		PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start --port $(PORT); \
	else \
		echo "REDIS_URL is not set: tasks run in-process, no worker started."; \
		exec $(BIN)/python manage.py runserver 127.0.0.1:$(PORT); \
	fi

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-pin every dependency from pyproject.toml (needs network access to PyPI).
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/python -m uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

# Screenshots of every page for each demo role at 1280 and 390 px (needs `make run` in another shell).
screenshots: install
	$(BIN)/python scripts/screenshots.py --base-url http://127.0.0.1:$(PORT) --out artifacts/screenshots

# The creator pages under load (issue 4): seed 10,000 creators with a year of history in a
# PostgreSQL database of its own, serve with gunicorn in production mode, drive with locust;
# one JSON line per page on stdout, and for the chat and the gift burst (200 fans sending
# gifts during a live session, every balance and check_ledger checked afterwards). Knobs
# (BENCH_SECONDS, BENCH_USERS, BENCH_PAGES=gift_burst, ...) in devdata/bench/run_web.py.
bench-web: install
	$(BIN)/python devdata/bench/run_web.py

clean:
	rm -rf $(VENV) staticfiles artifacts
