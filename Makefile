# The two commands: `make run` and `make test`. Everything else is for maintainers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What running needs (the runtime dependencies), and the dev tools on top for `make test`.
INSTALLED := $(VENV)/.installed
# PostGraphile 5, the benchmark's peer, installed by npm from the committed lock file.
PEER := bench/postgraphile
PEER_INSTALLED := $(PEER)/node_modules/.installed
DEV_INSTALLED := $(VENV)/.installed-dev
NODE_MODULES := app/node_modules/.package-lock.json

.PHONY: run test lint types pytest schema app bench bench-live clean

# Re-install only when the dependencies change, so a second `make run` starts at once.
$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "groupql needs Python 3.11 or newer (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $(INSTALLED)

$(DEV_INSTALLED): $(INSTALLED) pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(DEV_INSTALLED)

# The app is served from its committed build (app/dist/): running needs no Node.js.
run: $(INSTALLED)
	$(BIN)/python manage.py migrate
	$(BIN)/python manage.py seed
	$(BIN)/python server.py

test: $(DEV_INSTALLED) lint types pytest

lint: $(DEV_INSTALLED)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

types: $(DEV_INSTALLED)
	$(BIN)/mypy .

# The suite on every CPU (pytest-xdist); PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= auto
pytest: $(DEV_INSTALLED)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Rewrite the committed SDL after a schema change (tests fail while it drifts).
schema: $(DEV_INSTALLED)
	$(BIN)/python -c 'from schema.schema import schema; open("schema/schema.graphql", "w").write(schema.as_str() + "\n")'

$(PEER_INSTALLED): $(PEER)/package.json $(PEER)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make bench needs npm (Node.js) to install PostGraphile: apt-get update && apt-get install -y npm" >&2; exit 1; }
	cd $(PEER) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Rebuild the app and GraphiQL into app/dist/ (commit the result): needs Node.js 20 and npm.
$(NODE_MODULES): app/package.json app/package-lock.json
	cd app && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_MODULES)

app: $(NODE_MODULES)
	cd app && npm run --silent build

bench: $(DEV_INSTALLED) $(PEER_INSTALLED)
	@command -v wrk >/dev/null 2>&1 || { echo "make bench needs wrk: apt-get update && apt-get install -y wrk" >&2; exit 1; }
	$(BIN)/python -m bench.run

# Live data: 10,000 subscribers on 2 workers with Redis, a writer recording views (about 3 min).
bench-live: $(DEV_INSTALLED)
	@command -v redis-server >/dev/null 2>&1 || { echo "make bench-live needs redis-server: apt-get update && apt-get install -y redis-server" >&2; exit 1; }
	$(BIN)/python -m bench.live

clean:
	rm -rf $(VENV) *.egg-info .mypy_cache .ruff_cache .pytest_cache $(PEER)/node_modules app/node_modules app/src/gql
