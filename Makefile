# Two commands matter: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint format bench bench-quick services-status services-stop clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m socialmetrics.run

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not browser and not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

services-status: $(STAMP)
	$(BIN)/python -c "from socialmetrics import embedded; [print(f'{k:9} {v}') for k, v in embedded.status().items()]"

services-stop: $(STAMP)
	$(BIN)/python -c "from socialmetrics import embedded; embedded.stop_postgres(); embedded.stop_redis()"

clean: services-stop
	rm -rf .data staticfiles
