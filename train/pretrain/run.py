"""`hatif pretrain`: masked-LM pretraining of the compact Arabic BERT on the news corpus, with the HF
Trainer (checkpoints, resume across runs, a wall-clock budget), and export to model/pretrained."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from transformers import BertForMaskedLM, Trainer, TrainerCallback, TrainingArguments, set_seed

from hatif.data.paths import shared_path
from hatif.data.jsonl import atomic_writer, write_json
from hatif.model.encoder import compact_bert, train_wordpiece
from hatif.train.callbacks import JsonlLogCallback, plot_learning_curve
from hatif.train.config import load_sections
from .data import MlmCollator, PackedDataset, continuation_table, expand_corpus, prepare_corpus

log = logging.getLogger("hatif.pretrain")


@dataclass
class PretrainDataConfig:
    corpus: list[str] = field(default_factory=lambda: [shared_path("corpora", "arabic_news", "*.txt")])
    eval_lines: int = 2000  # held-out lines, sampled at random with train.seed
    seq_len: int = 128  # tokens per packed sequence, [CLS] and [SEP] included
    mask_prob: float = 0.15  # share of words masked (whole-word masking, 80/10/10)

    def __post_init__(self) -> None:
        if not self.corpus:
            raise ValueError("data.corpus: at least one file or glob is needed")
        if self.seq_len < 8 or not 0 < self.mask_prob < 1 or self.eval_lines < 1:
            raise ValueError("data.seq_len must be >= 8, data.mask_prob in (0, 1), data.eval_lines >= 1")


@dataclass
class PretrainModelConfig:
    vocab_size: int = 24000
    hidden: int = 256
    layers: int = 4
    heads: int = 4
    intermediate: int = 1024
    max_positions: int = 512
    dropout: float = 0.1

    def __post_init__(self) -> None:
        if self.hidden % self.heads:
            raise ValueError(f"model.hidden ({self.hidden}) must be divisible by model.heads ({self.heads})")


@dataclass
class PretrainTrainConfig:
    output_dir: str = "runs/pretrain"
    batch_size: int = 32
    learning_rate: float = 5e-4
    weight_decay: float = 0.01
    warmup_steps: int = 300
    max_steps: int = 4500  # the schedule's length: a run may stop earlier (max_minutes) and resume
    max_minutes: float = 0.0  # wall-clock budget of this run (0: none); stops after a step and saves
    eval_steps: int = 500
    save_steps: int = 500
    logging_steps: int = 50
    seed: int = 13
    resume: bool = False
    threads: int = 2  # torch CPU threads (0: torch's default)

    def __post_init__(self) -> None:
        if min(self.batch_size, self.max_steps, self.eval_steps, self.save_steps, self.logging_steps) < 1:
            raise ValueError("train.batch_size, max_steps, eval_steps, save_steps, logging_steps must be >= 1")
        if self.learning_rate <= 0 or self.max_minutes < 0:
            raise ValueError("train.learning_rate must be > 0 and train.max_minutes >= 0")


@dataclass
class PretrainConfig:
    data: PretrainDataConfig = field(default_factory=PretrainDataConfig)
    model: PretrainModelConfig = field(default_factory=PretrainModelConfig)
    train: PretrainTrainConfig = field(default_factory=PretrainTrainConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_pretrain_config(path: str | Path | None, overrides: list[str] | None = None) -> PretrainConfig:
    """Defaults, then the YAML/JSON file, then `--section.key value` overrides (as train/config.py)."""
    sections = {"data": PretrainDataConfig, "model": PretrainModelConfig, "train": PretrainTrainConfig}
    return load_sections(path, overrides, sections, PretrainConfig)


def sparse_mlm_loss(model: BertForMaskedLM, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, int, int]:
    """MLM loss over the masked positions only: the vocabulary projection (the costliest matrix of a
    compact BERT) is applied to ~15 % of the tokens instead of all. Returns (mean loss, correct, n)."""
    hidden = model.bert(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    chosen = batch["labels"] != -100
    logits = model.cls(hidden[chosen])
    targets = batch["labels"][chosen]
    loss = F.cross_entropy(logits, targets)
    return loss, int((logits.argmax(-1) == targets).sum()), int(targets.numel())


class MlmTrainer(Trainer):
    """Trainer with the sparse MLM loss, timing of forward+backward, and held-out evaluation on a
    fixed (pre-masked) batch list: MLM loss and masked-token accuracy."""

    def __init__(self, *args, eval_batches: list[dict[str, torch.Tensor]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.eval_batches = eval_batches
        self.seconds = {"forward_backward": 0.0, "evaluate": 0.0}

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        loss, _, _ = sparse_mlm_loss(model, inputs)
        return (loss, None) if return_outputs else loss

    def training_step(self, model, inputs, num_items_in_batch=None):
        start = time.perf_counter()
        loss = super().training_step(model, inputs, num_items_in_batch)
        self.seconds["forward_backward"] += time.perf_counter() - start
        return loss

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix: str = "eval") -> dict[str, float]:
        start, was_training = time.perf_counter(), self.model.training
        self.model.eval()
        total = correct = count = 0.0
        with torch.no_grad():
            for batch in self.eval_batches:
                loss, right, n = sparse_mlm_loss(self.model, batch)
                total, correct, count = total + float(loss) * n, correct + right, count + n
        self.model.train(was_training)
        loss = total / max(count, 1)
        metrics = {f"{metric_key_prefix}_loss": round(loss, 4),
                   f"{metric_key_prefix}_mlm_accuracy": round(correct / max(count, 1), 4),
                   f"{metric_key_prefix}_perplexity": round(float(torch.exp(torch.tensor(loss))), 2)}
        self.seconds["evaluate"] += time.perf_counter() - start
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics


class BudgetCallback(TrainerCallback):
    """Stops after the step that crosses the wall-clock deadline, with a final evaluation and save;
    also times the optimizer steps."""

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline
        self.optimizer_seconds, self._t = 0.0, 0.0
        self.stopped_by_budget = False

    def on_pre_optimizer_step(self, args, state, control, **kwargs):
        self._t = time.perf_counter()

    def on_optimizer_step(self, args, state, control, **kwargs):
        self.optimizer_seconds += time.perf_counter() - self._t

    def on_step_end(self, args, state, control, **kwargs):
        if self.deadline is not None and time.time() >= self.deadline and state.global_step < state.max_steps:
            self.stopped_by_budget = True
            control.should_training_stop = control.should_save = control.should_evaluate = True
        return control


class TimedCollator:
    """Wraps the collator to account the time spent building batches (the data side)."""

    def __init__(self, collator: MlmCollator) -> None:
        self.collator, self.seconds = collator, 0.0

    def __call__(self, spans):
        start = time.perf_counter()
        batch = self.collator(spans)
        self.seconds += time.perf_counter() - start
        return batch


def fixed_eval_batches(dataset: PackedDataset, collator: MlmCollator, batch_size: int, seed: int):
    """The held-out sequences masked once with a fixed generator, so every evaluation sees the same."""
    generator = torch.Generator().manual_seed(seed)
    items = [dataset[i] for i in range(len(dataset))]
    return [collator(items[i:i + batch_size], generator=generator) for i in range(0, len(items), batch_size)]


def build_model(mc: PretrainModelConfig, vocab: int, seed: int) -> BertForMaskedLM:
    return compact_bert(vocab, mc.hidden, mc.layers, mc.heads, mc.max_positions, intermediate=mc.intermediate,
                        dropout=mc.dropout, seed=seed, head=BertForMaskedLM)


def pretrain(config: PretrainConfig) -> dict[str, Any]:
    """Prepare (or reuse) tokenizer and token cache, train until max_steps or the time budget, save a
    checkpoint; returns the run summary (also written to OUTPUT_DIR/summary.json and runs.jsonl)."""
    began = time.time()
    dc, tc, out = config.data, config.train, Path(config.train.output_dir)
    deadline = began + 60 * tc.max_minutes if tc.max_minutes else None
    out.mkdir(parents=True, exist_ok=True)
    if tc.threads:
        torch.set_num_threads(tc.threads)
    set_seed(tc.seed)
    tokenizer, train_file, eval_file, meta = prepare_corpus(
        expand_corpus(dc.corpus), out, config.model.vocab_size, dc.eval_lines, tc.seed, train_wordpiece)
    is_cont = continuation_table(tokenizer)
    train_set = PackedDataset(train_file, dc.seq_len - 2, is_cont)
    eval_set = PackedDataset(eval_file, dc.seq_len - 2, is_cont)
    collator = MlmCollator(tokenizer, is_cont, dc.mask_prob)
    eval_batches = fixed_eval_batches(eval_set, MlmCollator(tokenizer, is_cont, dc.mask_prob),
                                      max(64, tc.batch_size), tc.seed)
    model = build_model(config.model, len(tokenizer), tc.seed)
    with atomic_writer(out / "config.yaml") as handle:
        import yaml

        yaml.safe_dump(config.to_dict(), handle, allow_unicode=True, sort_keys=False)
    args = TrainingArguments(
        output_dir=str(out / "checkpoints"), max_steps=tc.max_steps, per_device_train_batch_size=tc.batch_size,
        learning_rate=tc.learning_rate, weight_decay=tc.weight_decay, warmup_steps=tc.warmup_steps,
        lr_scheduler_type="linear", eval_strategy="steps", eval_steps=tc.eval_steps, save_strategy="steps",
        save_steps=tc.save_steps, save_total_limit=2, logging_strategy="steps", logging_steps=tc.logging_steps,
        seed=tc.seed, data_seed=tc.seed, remove_unused_columns=False, report_to=[], dataloader_num_workers=0,
        use_cpu=not torch.cuda.is_available(), dataloader_drop_last=True,
    )
    log_path = out / "train_log.jsonl"
    if not tc.resume and log_path.exists():
        log_path.unlink()
    timed, budget = TimedCollator(collator), BudgetCallback(deadline)
    trainer = MlmTrainer(model=model, args=args, train_dataset=train_set, eval_dataset=eval_set,
                         data_collator=timed, processing_class=tokenizer, eval_batches=eval_batches,
                         callbacks=[JsonlLogCallback(log_path), budget])
    checkpoints = sorted((out / "checkpoints").glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]))
    if checkpoints and not tc.resume:
        raise ValueError(f"{out / 'checkpoints'} holds checkpoints: pass --train.resume true to continue, "
                         "or use a new train.output_dir")
    first_step = int(checkpoints[-1].name.split("-")[-1]) if checkpoints and tc.resume else 0
    setup_seconds, t0 = time.time() - began, time.perf_counter()
    trainer.train(resume_from_checkpoint=str(checkpoints[-1]) if first_step else None)
    train_seconds = time.perf_counter() - t0
    if not (out / "checkpoints" / f"checkpoint-{trainer.state.global_step}").is_dir():
        trainer._save_checkpoint(trainer.model, trial=None)  # max_steps not on a save_steps boundary
    evals = [r for r in trainer.state.log_history if "eval_loss" in r]
    final = ({k: v for k, v in evals[-1].items() if k.startswith("eval_") or k == "step"}
             if evals and evals[-1].get("step") == trainer.state.global_step else trainer.evaluate())
    steps = trainer.state.global_step - first_step
    tokens_per_seq = collator.tokens / max(1, steps * tc.batch_size)
    summary = {
        "global_step": trainer.state.global_step, "run_steps": steps,
        "tokens_seen": int(trainer.state.global_step * tc.batch_size * tokens_per_seq),
        "run_tokens": collator.tokens, "tokens_per_second": round(collator.tokens / max(train_seconds, 1e-9), 1),
        "run_wall_seconds": round(time.time() - began, 1), "train_seconds": round(train_seconds, 1),
        "seconds": {"forward_backward": round(trainer.seconds["forward_backward"], 1),
                    "data_collate_mask": round(timed.seconds, 1),
                    "optimizer_step": round(budget.optimizer_seconds, 1),
                    "evaluate": round(trainer.seconds["evaluate"], 1),
                    "prepare_corpus_and_setup": round(setup_seconds, 1)},
        "stopped_by_budget": budget.stopped_by_budget, "threads": torch.get_num_threads(),
        "corpus": meta, "heldout": final, "config": config.to_dict(),
    }
    summary["seconds"]["other"] = round(train_seconds - sum(v for k, v in summary["seconds"].items()
                                                            if k != "prepare_corpus_and_setup"), 1)
    write_json(out / "summary.json", summary)
    with open(out / "runs.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps({k: v for k, v in summary.items() if k not in ("config", "corpus")}) + "\n")
    plot_learning_curve(log_path, out / "learning_curve.png", "", dev_keys=("mlm_accuracy",),
                        x="step", dev_title="held-out masked-token accuracy")
    return summary
