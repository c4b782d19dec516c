# Two commands for a newcomer:
#   make ask     set up (.venv, CPU torch, defnews) and answer the example question from the bundled corpus
#   make test    set up with the test extras and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUESTION ?= who visited MOD on July 4
# The CPU build of torch. On machines where plain `torch` resolves to a CUDA build, point TORCH_PIP_ARGS
# at PyTorch's CPU-only wheel index (see README, "CPU-only install").
TORCH_SPEC ?= torch==2.13.0
TORCH_PIP_ARGS ?=

.PHONY: ask test setup lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_PIP_ARGS) "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[test,postgres]"
	touch $@

setup: $(BIN)/.installed

ask: setup
	$(BIN)/defnews ask "$(QUESTION)"

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python -m benchmarks.retrieval ../shared/eval/dev --extra ../shared/eval/dev-distractors/part-a.jsonl ../shared/eval/dev-distractors/part-b.jsonl

clean:
	rm -rf $(VENV) build *.egg-info
