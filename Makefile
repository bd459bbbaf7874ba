# Two entry points for a fresh machine: `make run` and `make test`.
# Each creates .venv when missing and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
VNU    := node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: run test bench system-deps test-system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

system-deps:
	@sh scripts/system-deps.sh

## Also the Debian packages only the tests use (chromium for the live-preview browser test).
test-system-deps:
	@sh scripts/system-deps.sh --test

## Build, for the default audience, the briefing book, every brief and every one-pager into build/.
run: system-deps $(STAMP)
	$(BIN)/briefgen check
	$(BIN)/briefgen build --out build

## Measure cold, no-op and incremental builds against bare WeasyPrint; writes bench/results/*.json.
bench: system-deps $(TEST_STAMP)
	$(BIN)/python bench/run.py

## The Nu Html Checker (npm vnu-jar, run with Java 17) that validates `--format html` and the web edition in the
## tests, and axe-core, which the site's browser tests inject into each page. vnu-jar's install script would fetch a
## Java runtime; Debian's is used instead (scripts/system-deps.sh --test).
$(VNU): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

## Run the whole test suite, on two processes (pytest-xdist): most tests wait on a subprocess or a render.
test: test-system-deps $(TEST_STAMP) $(VNU)
	$(BIN)/python -m pytest -q -n 2

clean:
	rm -rf build .venv
