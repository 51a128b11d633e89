# Two entry points for users: `make demo` (the main job on data/) and `make test`.
# Both create .venv and install seqconv into it; torch comes from the CPU wheel when none is present.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-fast structure demo lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The whole suite, slow end-to-end trainings included (what CI runs).
test: $(STAMP) structure
	$(BIN)/python -m seqconv.motifs.warm  # memelite's numba compile, once per machine (cached)
	$(BIN)/python -m pytest -q -m ""

# The developer loop: everything but the tests marked slow.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q

structure: $(STAMP)
	$(BIN)/python scripts/check_structure.py

demo: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" bash scripts/demo.sh

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) runs .pytest_cache
