# One entry point for set-up, demo, tests, lint and benchmarks.
# Everything installs into ./.venv; nothing needs credentials or the network
# beyond the package registries.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.socialbot-installed
TEST_STAMP := $(VENV)/.socialbot-test-installed

export SOCIALBOT_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: demo test lint bench chromium clean

demo: $(STAMP)  ## render the sample campaign, queue it and publish it to the practice platform
	$(PY) -m socialbot demo

test: $(TEST_STAMP) chromium  ## lint and types, then the whole test suite (Chromium preview test included)
	$(PY) -m ruff check .
	$(PY) -m mypy
	SOCIALBOT_REQUIRE_CHROMIUM=1 $(PY) -m pytest

lint: $(TEST_STAMP)
	$(PY) -m ruff check .

bench: $(TEST_STAMP)  ## burst, lateness/CPU, queue, start-up, render and scale figures
	$(PY) bench/run.py

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[practice]'
	@touch $@

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

# Debian's chromium drives the preview test. Installing it needs root (or sudo).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) out .pytest_cache
