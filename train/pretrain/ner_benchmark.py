"""`hatif ner-benchmark`: fine-tune a token classifier on ANERcorp (CAMeL Lab train split, 10 % of its
sentences carved out as dev) and score it on the CAMeL Lab test split with seqeval (strict IOB2)."""

from __future__ import annotations

import logging
import random
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from hatif.data.jsonl import write_json
from hatif.data.paths import shared_path

log = logging.getLogger("hatif.ner_benchmark")
CAMEL_SPLITS = ("corpora", "anercorp", "camel_splits")
LABEL_RE = re.compile(r"^(O|[BI]-[A-Z]+)$")

Sentence = tuple[list[str], list[str]]


@dataclass
class NerBenchConfig:
    encoder: str = "model/pretrained"
    train_file: str = field(default_factory=lambda: shared_path(*CAMEL_SPLITS, "ANERCorp_CamelLab_train.txt"))
    test_file: str = field(default_factory=lambda: shared_path(*CAMEL_SPLITS, "ANERCorp_CamelLab_test.txt"))
    output_dir: str = "runs/ner_benchmark/pretrained"
    random_init: bool = False  # same shape and tokenizer as `encoder`, weights initialised at random
    epochs: float = 3.0
    batch_size: int = 16
    learning_rate: float = 2e-4
    warmup_ratio: float = 0.1
    dev_fraction: float = 0.1
    max_words: int = 100  # longer sentences are cut into chunks of this many words (and joined back)
    max_length: int = 256  # subword tokens per chunk
    seed: int = 13
    threads: int = 2

    def __post_init__(self) -> None:
        if not 0 < self.dev_fraction < 1 or self.epochs <= 0 or self.max_words < 1:
            raise ValueError("dev_fraction must be in (0, 1), epochs > 0, max_words >= 1")


def read_conll(path: str | Path) -> list[Sentence]:
    """`token label` lines, a blank line between sentences; a malformed line raises ValueError
    naming file:line."""
    sentences: list[Sentence] = []
    words: list[str] = []
    labels: list[str] = []
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            fields = line.split()
            if not fields:
                if words:
                    sentences.append((words, labels))
                words, labels = [], []
                continue
            if len(fields) != 2 or not LABEL_RE.match(fields[1]):
                raise ValueError(f"{path}:{lineno}: expected 'token label' with an IOB2 label, got {line.rstrip()!r}")
            words.append(fields[0])
            labels.append(fields[1])
    if words:
        sentences.append((words, labels))
    return sentences


def label_list(sentences: list[Sentence]) -> list[str]:
    """O first, then B-/I- per entity type in alphabetical order: a deterministic id map."""
    types = sorted({label[2:] for _, labels in sentences for label in labels if label != "O"})
    return ["O"] + [f"{p}-{t}" for t in types for p in ("B", "I")]


def dev_split(sentences: list[Sentence], fraction: float, seed: int) -> tuple[list[Sentence], list[Sentence]]:
    """(train, dev): a fixed-seed random sample of sentences as dev."""
    order = list(range(len(sentences)))
    random.Random(seed).shuffle(order)
    dev_ids = set(order[:max(1, round(fraction * len(sentences)))])
    return ([s for i, s in enumerate(sentences) if i not in dev_ids],
            [s for i, s in enumerate(sentences) if i in dev_ids])


def chunk(sentence: Sentence, max_words: int) -> list[Sentence]:
    words, labels = sentence
    return [(words[i:i + max_words], labels[i:i + max_words]) for i in range(0, len(words), max_words)] or [sentence]


def align_labels(word_ids: list[int | None], word_labels: list[int]) -> list[int]:
    """First-subword labelling: the word's label on its first subword, -100 on later subwords and
    special tokens (ignored by the loss)."""
    out, previous = [], None
    for wid in word_ids:
        out.append(-100 if wid is None or wid == previous else word_labels[wid])
        previous = wid
    return out


class Encoded(Dataset):
    """Tokenised chunks; ``word_ids`` kept aside to map predictions back to words."""

    def __init__(self, chunks: list[Sentence], tokenizer, label2id: dict[str, int], max_length: int) -> None:
        self.items, self.word_ids = [], []
        for words, labels in chunks:
            enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length)
            wids = enc.word_ids()
            self.word_ids.append(wids)
            self.items.append({"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
                               "labels": align_labels(wids, [label2id[x] for x in labels])})

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> dict[str, list[int]]:
        return self.items[i]


def word_predictions(pred_ids: np.ndarray, word_ids: list[int | None], n_words: int, id2label: dict[int, str]) -> list[str]:
    """Token-level argmax ids -> one label per word (its first subword's); words that produced no
    subword (or were truncated) get O."""
    out, previous = ["O"] * n_words, None
    for pos, wid in enumerate(word_ids):
        if wid is not None and wid != previous:
            out[wid] = id2label[int(pred_ids[pos])]
        previous = wid
    return out


def score(gold: list[list[str]], pred: list[list[str]]) -> dict[str, Any]:
    """seqeval strict IOB2 micro P/R/F1 and per type, plus the lenient (conlleval-style) micro F1."""
    from seqeval.metrics import classification_report, f1_score
    from seqeval.scheme import IOB2

    report = classification_report(gold, pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    micro = report["micro avg"]
    per_type = {k: {"precision": round(float(v["precision"]), 4), "recall": round(float(v["recall"]), 4),
                    "f1": round(float(v["f1-score"]), 4), "support": int(v["support"])}
                for k, v in report.items() if not k.endswith(" avg")}
    return {"micro_f1": round(float(micro["f1-score"]), 4), "micro_precision": round(float(micro["precision"]), 4),
            "micro_recall": round(float(micro["recall"]), 4),
            "micro_f1_conlleval": round(float(f1_score(gold, pred)), 4), "per_type": per_type}


def predict_sentences(model, sentences: list[Sentence], tokenizer, label2id, id2label, cfg,
                      batch_size: int = 64) -> list[list[str]]:
    """Predict every sentence (chunked as in training, joined back): one label per word. Batches go
    in order (not through Trainer.predict, whose sampler groups by length and reorders)."""
    from torch.utils.data import DataLoader
    from transformers import DataCollatorForTokenClassification

    pieces = [(i, c) for i, s in enumerate(sentences) for c in chunk(s, cfg.max_words)]
    data = Encoded([c for _, c in pieces], tokenizer, label2id, cfg.max_length)
    loader = DataLoader(data, batch_size=batch_size, shuffle=False,
                        collate_fn=DataCollatorForTokenClassification(tokenizer))
    model.eval()
    pred_ids: list[np.ndarray] = []
    with torch.no_grad():
        for batch in loader:
            batch = {k: v.to(model.device) for k, v in batch.items() if k != "labels"}
            pred_ids += list(model(**batch).logits.argmax(-1).cpu().numpy())
    out: list[list[str]] = [[] for _ in sentences]
    for k, (i, (words, _)) in enumerate(pieces):
        out[i] += word_predictions(pred_ids[k], data.word_ids[k], len(words), id2label)
    return out


def run_benchmark(cfg: NerBenchConfig) -> dict[str, Any]:
    """Fine-tune, select the best epoch on dev micro F1, score on test; writes OUTPUT_DIR/metrics.json."""
    from transformers import (AutoConfig, AutoModelForTokenClassification, AutoTokenizer,
                              DataCollatorForTokenClassification, Trainer, TrainingArguments, set_seed)

    began = time.time()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    set_seed(cfg.seed)
    out = Path(cfg.output_dir)
    train_all, test = read_conll(cfg.train_file), read_conll(cfg.test_file)
    labels = label_list(train_all)
    unknown = {x for _, ls in test for x in ls} - set(labels)
    if unknown:
        raise ValueError(f"{cfg.test_file}: labels not in the training file: {sorted(unknown)}")
    label2id = {x: i for i, x in enumerate(labels)}
    id2label = dict(enumerate(labels))
    train, dev = dev_split(train_all, cfg.dev_fraction, cfg.seed)
    tokenizer = AutoTokenizer.from_pretrained(cfg.encoder)
    kwargs = {"num_labels": len(labels), "id2label": id2label, "label2id": label2id}
    if cfg.random_init:
        model = AutoModelForTokenClassification.from_config(AutoConfig.from_pretrained(cfg.encoder, **kwargs))
    else:
        model = AutoModelForTokenClassification.from_pretrained(cfg.encoder, **kwargs)
    train_data = Encoded([c for s in train for c in chunk(s, cfg.max_words)], tokenizer, label2id, cfg.max_length)
    dev_data = Encoded([c for s in dev for c in chunk(s, cfg.max_words)], tokenizer, label2id, cfg.max_length)

    def dev_metrics(p) -> dict[str, float]:
        preds = p.predictions.argmax(-1)
        gold_rows, pred_rows = [], []
        for row, ref in zip(preds, p.label_ids):
            keep = ref != -100
            gold_rows.append([id2label[int(i)] for i in ref[keep]])
            pred_rows.append([id2label[int(i)] for i in row[keep]])
        return {"micro_f1": score(gold_rows, pred_rows)["micro_f1"]}

    args = TrainingArguments(
        output_dir=str(out / "checkpoints"), num_train_epochs=cfg.epochs, per_device_train_batch_size=cfg.batch_size,
        per_device_eval_batch_size=64, learning_rate=cfg.learning_rate, warmup_steps=cfg.warmup_ratio,
        weight_decay=0.01, lr_scheduler_type="linear", eval_strategy="epoch", save_strategy="epoch",
        save_total_limit=1, load_best_model_at_end=True, metric_for_best_model="micro_f1", greater_is_better=True,
        logging_steps=50, seed=cfg.seed, data_seed=cfg.seed, report_to=[], dataloader_num_workers=0,
        train_sampling_strategy="group_by_length", use_cpu=not torch.cuda.is_available(),
    )
    from hatif.train.callbacks import JsonlLogCallback, plot_learning_curve

    out.mkdir(parents=True, exist_ok=True)
    log_path = out / "train_log.jsonl"
    log_path.unlink(missing_ok=True)
    trainer = Trainer(model=model, args=args, train_dataset=train_data, eval_dataset=dev_data,
                      data_collator=DataCollatorForTokenClassification(tokenizer), compute_metrics=dev_metrics,
                      callbacks=[JsonlLogCallback(log_path)])
    t0 = time.perf_counter()
    trainer.train()
    train_seconds = time.perf_counter() - t0
    dev_f1 = trainer.evaluate()["eval_micro_f1"]
    pred = predict_sentences(trainer.model, test, tokenizer, label2id, id2label, cfg)
    metrics = {"split": "ANERcorp CAMeL Lab (train minus 10 % dev / test)", "scheme": "seqeval strict IOB2",
               "encoder": cfg.encoder, "random_init": cfg.random_init, **score([ls for _, ls in test], pred),
               "dev_micro_f1": round(float(dev_f1), 4), "train_sentences": len(train), "dev_sentences": len(dev),
               "test_sentences": len(test), "train_seconds": round(train_seconds, 1),
               "wall_seconds": round(time.time() - began, 1), "config": asdict(cfg)}
    write_json(out / "metrics.json", metrics)
    plot_learning_curve(log_path, out / "learning_curve.png", "micro_f1", dev_keys=("micro_f1",),
                        dev_title="dev micro F1")
    return metrics


def format_table(metrics: dict[str, Any]) -> str:
    """Per-type and micro P/R/F1 as a Markdown table."""
    rows = ["| type | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for name, v in sorted(metrics["per_type"].items()):
        rows.append(f"| {name} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |")
    support = sum(v["support"] for v in metrics["per_type"].values())
    rows.append(f"| **micro** | {metrics['micro_precision']:.3f} | {metrics['micro_recall']:.3f} | "
                f"**{metrics['micro_f1']:.3f}** | {support} |")
    return "\n".join(rows)
