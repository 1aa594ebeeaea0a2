# Two commands matter: `make run` and `make test`. Python packages install into .venv; the preflight
# brings the few Debian packages pip cannot (socialmetrics/preflight.py).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint format bench bench-quick services-status services-stop clean vendor-plotly

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m socialmetrics.preflight run
	$(BIN)/python -m socialmetrics.run

test: $(STAMP)
	$(BIN)/python -m socialmetrics.preflight test
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
	$(BIN)/python -m bench.alerts
	$(BIN)/python -m bench.reports

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

services-status: $(STAMP)
	$(BIN)/python -c "from socialmetrics import embedded; [print(f'{k:9} {v}') for k, v in embedded.status().items()]"

services-stop: $(STAMP)
	$(BIN)/python -c "from socialmetrics import embedded; embedded.stop_postgres(); embedded.stop_redis()"

clean: services-stop
	rm -rf .data staticfiles

# static/vendor/plotly.min.js: plotly.js's cartesian bundle (scatter, bar, heatmap: everything we
# draw, and no map code that would fetch tiles, fonts or topojson), with its two default service
# URLs blanked so nothing in it points off this site. Offline by design: run only to upgrade.
PLOTLY_JS := 4.1.1
vendor-plotly:
	cd "$$(mktemp -d)" && npm pack --silent plotly.js-cartesian-dist-min@$(PLOTLY_JS) && tar xzf ./*.tgz && \
	sed -e 's#dflt:"https://cdn.plot.ly/un/"#dflt:"topojson/"#' \
	    -e 's#dflt:"https://cloud.plotly.com/newchart"#dflt:""#' \
	    package/plotly-cartesian.min.js > $(CURDIR)/static/vendor/plotly.min.js
