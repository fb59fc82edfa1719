# Two commands: `make run` (serve Obscura at http://127.0.0.1:8008) and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PYTHON ?= python3
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP  := $(VENV)/.installed

.PHONY: run test lint unit integration e2e deps ffmpeg chromium nodejs docs bench clean lock

# constraints.txt pins every dependency to versions tested together (`make lock` refreshes it)
$(STAMP): pyproject.toml examples/obscura-hello/pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	$(PY) -m pip install -q -c constraints.txt -e ./examples/obscura-hello
	touch $@

deps: $(STAMP)

ffmpeg:
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || \
	  ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq ffmpeg)

chromium:
	@command -v chromium >/dev/null || \
	  ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium)

# Node.js runs the TypeScript script plugins (the original's community plugins); without it they
# are listed as "needs Node.js"
nodejs:
	@command -v node >/dev/null || \
	  ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs)

run: $(STAMP) ffmpeg nodejs
	$(VENV)/bin/obscura serve

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# With the embedded services (nothing exported) every pytest-xdist worker starts its own PostgreSQL
# and Redis, so unit and integration test files run in parallel (tests sharing exported services
# run one at a time). The browser tests run on their own afterwards: playback timing is not for
# a busy machine.
PARALLEL := $(if $(OBSCURA_TEST_DATABASE_URL)$(OBSCURA_TEST_REDIS_URL),,-n auto --dist loadfile)

test: $(STAMP) ffmpeg chromium nodejs lint
	$(PY) -m pytest $(PARALLEL) tests/unit tests/integration examples/obscura-hello/tests
	$(PY) -m pytest tests/e2e

unit: $(STAMP)
	$(PY) -m pytest tests/unit

docs: $(STAMP)
	$(PY) -m obscura_core.hookdocs > docs/plugins/hooks.md

bench: $(STAMP)
	$(PY) bench/job_roundtrip.py

lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q -e '.[dev]' -e ./examples/obscura-hello
	{ echo "# Versions CI and the Dockerfile install (pip install -c constraints.txt ...); \`make lock\` rewrites it."; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^obscura'; } > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
