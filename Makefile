# hatif: each pipeline step is a target (data -> train -> evaluate -> predict);
# `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SHARED ?= ../shared
CONFIG ?= configs/full.yaml
MODEL  ?= aubmindlab/bert-base-arabertv02
RUN    ?= runs/demo
GOLD   := corpus/gold/seed_articles.jsonl
DEV    := corpus/dev/corpus.jsonl
REAL   := corpus/real/build

.PHONY: help venv demo test eval corpus gold quotas train bench pretrain clean browser show-screenshot

help:
	@echo "make demo     set up, train the embedded default, score it and the rules on the gold set, print the seed calls"
	@echo "make test     set up and run the test suite"
	@echo "make eval     score the rule baseline (and $(RUN)/model if trained) on gold, dev, real dev and real test"
	@echo "make corpus   recompile corpus/train and corpus/dev from corpus/authored; build the real records (corpus/real/build)"
	@echo "make gold     recompile the gold set from corpus/gold/*.ann"
	@echo "make quotas   recompute the corpus quota table in corpus/README.md"
	@echo "make train    train MODEL=<hub id or dir> with CONFIG=$(CONFIG)"
	@echo "make bench    throughput of hatif predict vs the bare encoder vs transformers' pipeline; its scale (10k, 100k sentences) and Ray"
	@echo "make pretrain continue pretraining the compact Arabic encoder (configs/pretrain.yaml)"
	@echo "make show-screenshot  docs/show_seed.png: the hatif show view of a seed article (headless Chromium)"

venv: $(STAMP)

# torch first, pinned to the CPU build that lies on this disk: letting pip pick torch
# for another package would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[test,ray]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hatif validate $(GOLD)
	$(BIN)/hatif stats $(GOLD)
	$(BIN)/hatif train --config configs/demo.yaml --output-dir $(RUN)
	$(BIN)/hatif predict --model $(RUN)/model --records $(GOLD) --out $(RUN)/gold.model.jsonl
	$(BIN)/hatif predict --model rules --records $(GOLD) --out $(RUN)/gold.rules.jsonl --quiet
	$(BIN)/hatif evaluate --gold $(GOLD) --pred $(RUN)/gold.model.jsonl --pred $(RUN)/gold.rules.jsonl \
		--name model --name rules --out $(RUN)/eval_gold
	$(BIN)/hatif show $(RUN)/gold.model.jsonl --gold $(GOLD) --out $(RUN)/view.html
	@echo "view of the seed articles, gold against the model: $(RUN)/view.html"
	$(BIN)/hatif predict --model $(RUN)/model $(SHARED)/seeds --out $(RUN)/seeds.jsonl --events $(RUN)/seed_calls.jsonl --show-calls

test: $(STAMP) browser
	HATIF_SHARED=$(SHARED) $(BIN)/python -m pytest -q

# tests/show/test_show.py checks `hatif show` pages in headless Chromium; where apt cannot install it,
# the set-up goes on and that test skips, saying how to install it.
browser:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium) \
		|| echo "chromium not installed: the browser test of hatif show will skip"

# The README's picture: the first seed article, gold against the rule baseline.
show-screenshot: $(STAMP) browser
	$(BIN)/hatif predict --model rules --records $(GOLD) --out runs/show/gold.rules.jsonl
	$(BIN)/hatif show runs/show/gold.rules.jsonl --gold $(GOLD) --out runs/show/seed.html
	$(BIN)/python -c "from hatif.show.screenshot import screenshot; \
		screenshot('runs/show/seed.html', 'docs/show_seed.png', width=1000, max_height=1560)"

# Each set is scored for the rules and, when trained, $(RUN)/model; real test also lists every error.
EVAL_SETS := gold=$(GOLD) dev=$(DEV) real-dev=$(REAL)/dev/corpus.jsonl real-test=$(REAL)/test/corpus.jsonl

eval: $(STAMP) $(REAL)/test/corpus.jsonl
	@set -e; for pair in $(EVAL_SETS); do \
		name=$${pair%%=*}; file=$${pair#*=}; preds="--pred runs/eval/$$name.rules.jsonl --name rules"; \
		$(BIN)/hatif predict --model rules --records $$file --out runs/eval/$$name.rules.jsonl; \
		if [ -d $(RUN)/model ]; then \
			$(BIN)/hatif predict --model $(RUN)/model --records $$file --out runs/eval/$$name.model.jsonl; \
			preds="$$preds --pred runs/eval/$$name.model.jsonl --name model"; \
		fi; \
		extra=""; [ $$name = real-test ] && extra="--errors"; \
		echo "== $$name ($$file)"; \
		$(BIN)/hatif evaluate --gold $$file $$preds --out runs/eval/$$name $$extra > runs/eval/$$name.txt; \
		sed -n '/errors/q;p' runs/eval/$$name.txt; \
	done; echo "error listings: runs/eval/real-test.txt"

$(REAL)/test/corpus.jsonl: $(STAMP) $(wildcard corpus/real/standoff/*.json) corpus/real/selection.tsv
	$(BIN)/hatif real build --out-dir $(REAL)

# Rebuild the gold set and the train/dev corpus from their authored sources.
gold: $(STAMP)
	$(BIN)/hatif compile corpus/gold --out $(GOLD)

corpus: $(STAMP)
	$(BIN)/hatif compile corpus/authored --split-file corpus/splits.tsv --out-dir corpus --articles-dir runs/articles
	$(BIN)/hatif real build --out-dir $(REAL)
	$(BIN)/hatif protect

quotas: $(STAMP)
	$(BIN)/hatif quotas corpus/train/corpus.jsonl corpus/dev/corpus.jsonl --readme corpus/README.md
	$(BIN)/hatif real quotas --build-dir $(REAL) --readme corpus/real/README.md

train: $(STAMP)
	$(BIN)/hatif train --config $(CONFIG) --model $(MODEL)

bench: $(STAMP)
	$(BIN)/python bench/bench_split.py
	$(BIN)/python bench/bench_predict.py
	HATIF_SHARED=$(SHARED) $(BIN)/python bench/bench_scale.py --ray

pretrain: $(STAMP)
	$(BIN)/hatif pretrain --config configs/pretrain.yaml --train.resume true

clean:
	rm -rf $(VENV) runs .pytest_cache
