# The two commands: `make run` and `make test`. Everything else is for maintainers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# PostGraphile 5, the benchmark's peer, installed by npm from the committed lock file.
PEER := bench/postgraphile
PEER_INSTALLED := $(PEER)/node_modules/.installed

.PHONY: run test lint types pytest schema bench clean

# Re-install only when the dependencies change, so a second `make run` starts at once.
$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "groupql needs Python 3.11 or newer (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/python manage.py migrate
	$(BIN)/python manage.py seed
	$(BIN)/python server.py

test: $(INSTALLED) lint types pytest

lint: $(INSTALLED)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

types: $(INSTALLED)
	$(BIN)/mypy .

pytest: $(INSTALLED)
	$(BIN)/pytest

# Rewrite the committed SDL after a schema change (tests fail while it drifts).
schema: $(INSTALLED)
	$(BIN)/python -c 'from schema.schema import schema; open("schema/schema.graphql", "w").write(schema.as_str() + "\n")'

$(PEER_INSTALLED): $(PEER)/package.json $(PEER)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make bench needs npm (Node.js) to install PostGraphile: apt-get update && apt-get install -y npm" >&2; exit 1; }
	cd $(PEER) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

bench: $(INSTALLED) $(PEER_INSTALLED)
	@command -v wrk >/dev/null 2>&1 || { echo "make bench needs wrk: apt-get update && apt-get install -y wrk" >&2; exit 1; }
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) *.egg-info .mypy_cache .ruff_cache .pytest_cache $(PEER)/node_modules
