# Two entry points for users: `make demo` (the main job on data/) and `make test`.
# Both create .venv and install seqconv into it. When the venv has no torch, torch comes from
# PyTorch's CPU index (a ~200 MB wheel instead of ~2.5 GB of CUDA libraries); where that index cannot
# be reached (offline, a local mirror) it falls back, after one 5 s try, to the configured index.
# A GPU: make install TORCH_INDEX=https://download.pytorch.org/whl/cuXYZ (README: "On a GPU").
PY ?= python3
TORCH ?= torch==2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-fast structure demo lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null \
	  || $(BIN)/pip install -q --timeout 5 --retries 0 --index-url $(TORCH_INDEX) "$(TORCH)" \
	  || $(BIN)/pip install -q "$(TORCH)"
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The whole suite, slow end-to-end trainings included (what CI runs). On a 2-core machine: about
# 4 min (836 tests when measured), after memelite's one-time ~95 s numba compile; ~8 min from a
# fresh clone, installs included.
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
