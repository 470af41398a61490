# hatif: every step of the pipeline is a target; `make demo` and `make test` set everything up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SHARED ?= ../shared
MODEL  ?=
CONFIG ?= configs/full.yaml

.PHONY: venv demo test eval corpus gold train bench pretrain clean

venv: $(STAMP)

# torch first, pinned to the CPU build that lies on this disk: letting pip pick torch
# for another package would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hatif validate data/gold/seed_articles.jsonl
	$(BIN)/hatif stats data/gold/seed_articles.jsonl

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Rebuild the gold set and the train/dev corpus from their authored sources.
gold: $(STAMP)
	$(BIN)/hatif compile data/gold --out data/gold/seed_articles.jsonl

corpus: $(STAMP)
	$(BIN)/hatif compile data/authored --split-file data/splits.tsv --out-dir data

clean:
	rm -rf $(VENV) runs .pytest_cache
