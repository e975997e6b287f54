# zhaoshang-archive: `make demo` shows the whole job, `make test` proves it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EVAL_STAMP := $(VENV)/.installed-eval

.PHONY: install demo test faults eval bench serve clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: install  ## serve the sample portals on 127.0.0.1, crawl them into archive.db, print a summary
	$(BIN)/python -m tests.sample_portals.demo --db archive.db

test: install  ## the whole test suite (the faults table of `make faults` is printed at its end)
	$(BIN)/python -m pytest -q

faults: install  ## hostile portal, SIGKILL crashes, bad input, fuzzing: prints fault, runs, survived, articles lost
	$(BIN)/python -m pytest -q tests/test_faults.py tests/test_crash.py tests/test_bad_input.py tests/test_fuzz.py

serve: install  ## Datasette over archive.db on http://127.0.0.1:8001 (search, facets, article pages, chart)
	$(BIN)/python -m archive serve --db archive.db --port 8001

$(EVAL_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,eval]'
	touch $(EVAL_STAMP)

eval: install $(EVAL_STAMP)  ## extraction quality tables (ours vs trafilatura, GNE, newspaper4k, readability); stories; facts of real text
	$(BIN)/python -m bench.eval_extraction
	$(BIN)/python -m bench.eval_stories
	$(BIN)/python -m bench.eval_facts

bench: install  ## speed and scale figures, ratios against floors measured in the same run
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .demo archive.db archive.db-wal archive.db-shm archive.db.locks
