# fiscal-kg — two commands set everything up: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
STAMP := $(VENV)/.installed

.PHONY: setup run test lint load clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

load: setup
	$(BIN)/fiscal-kg --data $(DATA) load samples

run: load
	$(BIN)/fiscal-kg --data $(DATA) serve

test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache
