# 平安大联盟 Safe Alliance — `make run` serves the product, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
export FLASK_APP := wsgi.py
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run install fonts test lint test-py test-mysql test-miniprogram test-galera faults bench format clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

miniprogram/node_modules/.installed: miniprogram/package-lock.json
	cd miniprogram && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## A CJK TrueType font to embed in certificate PDFs (Debian fonts-wqy-zenhei, installed when
## root and apt-get are there); without it certificates use reportlab's STSong-Light (not embedded).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
fonts:
	@[ -e $(CJK_FONT) ] || [ -n "$$CERTIFICATE_FONT_PATH" ] || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-wqy-zenhei >/dev/null 2>&1; } || \
	echo "== no CJK TrueType font: certificate PDFs use STSong-Light (set CERTIFICATE_FONT_PATH)"

## Serve API + WeChat sandbox + scheduler on SQLite with demo data (http://127.0.0.1:$(PORT)).
## HOST=0.0.0.0 make run serves the LAN too (a phone previewing the mini-program, see README).
run: install fonts
	$(BIN)/flask db upgrade
	$(BIN)/flask seed demo
	PORT=$(PORT) $(BIN)/flask dev --host $(HOST) --port $(PORT)

## Lint, the Python suite on SQLite (and on MySQL when TEST_DATABASE_URL is set), the mini-program.
test: lint test-py test-mysql test-miniprogram

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-py: install
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest

test-mysql: install
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== pytest on $$TEST_DATABASE_URL"; \
		$(BIN)/python -m pytest; \
	else \
		echo "== TEST_DATABASE_URL not set: MySQL run skipped"; \
	fi

## The mini-program: unit tests (jest + miniprogram-simulate), then against a live demo API the
## integration flows and the page renderer (screenshots in artifacts/miniprogram/, Chromium).
test-miniprogram: install miniprogram/node_modules/.installed
	cd miniprogram && npm test --silent
	$(BIN)/python scripts/miniprogram_integration.py

## The MariaDB race tests on a 3-node Galera cluster of its own (loopback ports 14560-14599, temp
## datadirs; needs galera-4, mariadb-server, rsync), writers on two nodes; stops it afterwards.
test-galera: install
	$(BIN)/python -m scripts.faults.galera

## Scripted faults against gunicorn on a MariaDB and a Redis of its own (ports 5180-5191): database
## restart (TERM/KILL) and outage, Redis stopped/hung, WeChat failing/hanging, workers SIGKILLed mid-
## burst, two schedulers; prints the figures (FAULTS="db-term redis-hang" for a few). Not in `make test`.
faults: install
	$(BIN)/python -m scripts.faults.run $(FAULTS)

## Benchmarks on MariaDB (figures printed as ratios measured in one run; nothing asserted).
bench: install
	$(BIN)/python -m scripts.bench.run $(BENCH)

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) miniprogram/node_modules instance/*.sqlite3
