# The two commands: `make run` and `make test`. Everything else is for maintainers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

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

bench: $(INSTALLED)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) *.egg-info .mypy_cache .ruff_cache .pytest_cache
