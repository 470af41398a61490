"""Export the last pretraining checkpoint as a Hugging Face directory (safetensors, tokenizer,
model card with the run's numbers) that `AutoModel.from_pretrained` and hatif's default load."""

from __future__ import annotations

import json
import platform
import shutil
from pathlib import Path
from typing import Any

from hatif.data.jsonl import atomic_writer, write_json

MAX_BYTES = 40_000_000  # the shipped encoder must stay under 40 MB


def last_checkpoint(run_dir: Path) -> Path:
    found = sorted((run_dir / "checkpoints").glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]))
    if not found:
        raise FileNotFoundError(f"{run_dir / 'checkpoints'}: no checkpoint to export; run `hatif pretrain` first")
    return found[-1]


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run_history(run_dir: Path) -> list[dict[str, Any]]:
    path = run_dir / "runs.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def export_pretrained(run_dir: Path, target: Path) -> dict[str, Any]:
    """Copy the last checkpoint's BertForMaskedLM (weights, config) and the run's tokenizer to
    ``target`` with a model card and metrics.json; written beside and renamed. Returns the metrics."""
    from transformers import AutoTokenizer, BertForMaskedLM

    checkpoint = last_checkpoint(run_dir)
    model = BertForMaskedLM.from_pretrained(str(checkpoint))
    tokenizer = AutoTokenizer.from_pretrained(str(run_dir / "tokenizer"))
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    history = run_history(run_dir)
    step = int(checkpoint.name.split("-")[-1])
    metrics = {
        "checkpoint_step": step, "tokens_seen": summary["tokens_seen"],
        "runs": len(history), "wall_seconds_total": round(sum(r["run_wall_seconds"] for r in history), 1),
        "train_seconds_total": round(sum(r["train_seconds"] for r in history), 1),
        "tokens_per_second_last_run": summary["tokens_per_second"],
        "heldout_mlm_loss": summary["heldout"].get("eval_loss"),
        "heldout_mlm_accuracy": summary["heldout"].get("eval_mlm_accuracy"),
        "heldout_perplexity": summary["heldout"].get("eval_perplexity"),
        "heldout_sequences_tokens": summary["corpus"]["heldout_tokens"],
        "corpus_training_tokens": summary["corpus"]["train_tokens"],
        "hardware": f"{summary['threads']} CPU threads, {cpu_name()}, no GPU",
        "parameters": model.num_parameters(),
    }
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.config.architectures = ["BertForMaskedLM"]
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    size = sum(p.stat().st_size for p in tmp.glob("*.safetensors"))
    if size > MAX_BYTES:
        shutil.rmtree(tmp)
        raise ValueError(f"exported weights are {size / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.0f} MB limit")
    metrics["safetensors_bytes"] = size
    write_json(tmp / "metrics.json", metrics)
    shutil.copy(run_dir / "config.yaml", tmp / "pretraining_config.yaml")
    with atomic_writer(tmp / "README.md") as out:
        out.write(model_card(metrics, summary))
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return metrics


def model_card(m: dict[str, Any], summary: dict[str, Any]) -> str:
    """The model card: what the encoder is, what it was trained on (with licenses), the numbers."""
    c = summary["config"]
    mc, dc, tc = c["model"], c["data"], c["train"]
    return f"""# hatif compact Arabic BERT (MLM-pretrained on Arabic news)

A small BERT encoder ({mc['layers']} layers, hidden {mc['hidden']}, {mc['heads']} heads, intermediate
{mc['intermediate']}, max positions {mc['max_positions']}, WordPiece vocabulary {summary['corpus']['vocab']:,},
{m['parameters'] / 1e6:.1f} M parameters, {m['safetensors_bytes'] / 1e6:.1f} MB as safetensors) pretrained by
`hatif pretrain` with masked-language modelling. The weights are a `BertForMaskedLM` (MLM head included);
`AutoModel.from_pretrained` loads the encoder (the unused pooler is initialised at random and ignored by hatif),
`AutoModelForMaskedLM` the whole model. hatif uses it as its default encoder when no `--model` is given.

## Training data and licenses

All of `shared/corpora/arabic_news/*.txt` (Modern Standard Arabic news, one paragraph per line,
exact-line deduplicated), {summary['corpus']['lines']:,} lines, {m['corpus_training_tokens']:,} WordPiece tokens
after holding out {summary['corpus']['heldout_lines']:,} lines:

| source | content | license (as stated upstream) |
|---|---|---|
| ANT corpus (`ant_multisource_0{{1,2}}.txt`) | 2018 news: Al Arabiya, BBC, CNN, France 24, Sky News Arabia | ANT "citation licence" (the README also shows an Apache-2.0 badge and "All Rights Reserved"); research use with citation |
| SaudiNewsNet (`saudinewsnet_0{{1,2}}.txt`) | 2015 Saudi newspapers (Al-Sharq Al-Awsat, Al-Riyadh, Al-Watan, Okaz, SPA, ...) | **CC BY-NC-SA 4.0, research only** |

The article text stays the copyright of the news outlets. Because part of the data is CC BY-NC-SA 4.0,
treat these weights as **non-commercial, research use only, share-alike**, and cite both corpora:

- A. Chouigui, O. Ben Khiroun, B. Elayeb. "An Arabic Multi-source News Corpus: Experimenting on
  Single-document Extractive Summarization." Arabian Journal for Science and Engineering 46(8), 2021
  (project page https://antcorpus.github.io).
- M. A. Alhagri. Saudi Newspapers Arabic Corpus (SaudiNewsNet), 2015.
  http://github.com/ParallelMazen/SaudiNewsNet

ANERcorp was not used for pretraining.

## Procedure

- WordPiece vocabulary of {summary['corpus']['vocab']:,} trained with `tokenizers` on the training lines
  (no lowercasing, diacritics kept).
- Lines tokenised in order, separated by `[SEP]`, packed into sequences of at most {dc['seq_len']} tokens
  (`[CLS] ... [SEP]`), never cutting a word between two sequences.
- Whole-word masking: {dc['mask_prob']:.0%} of the words, all subwords of a word together, 80 % `[MASK]`,
  10 % random token, 10 % unchanged; loss on masked positions only.
- AdamW, learning rate {tc['learning_rate']}, {tc['warmup_steps']} warm-up steps, linear decay over
  {tc['max_steps']} steps, batch {tc['batch_size']} sequences, weight decay {tc['weight_decay']}, dropout {mc['dropout']}.

## Numbers

| | |
|---|---:|
| optimizer steps | {m['checkpoint_step']:,} |
| tokens seen (non-padding) | {m['tokens_seen']:,} (~{m['tokens_seen'] / max(1, m['corpus_training_tokens']):.2f} passes over the corpus) |
| runs | {m['runs']} |
| wall time, all runs | {m['wall_seconds_total'] / 60:.1f} min |
| throughput (last run) | {m['tokens_per_second_last_run']:,.0f} tokens/s |
| hardware | {m['hardware']} |
| held-out MLM loss | {m['heldout_mlm_loss']} (perplexity {m['heldout_perplexity']}) |
| held-out masked-token accuracy | {m['heldout_mlm_accuracy']} |

Held-out: {summary['corpus']['heldout_lines']:,} lines sampled at random (seed {tc['seed']}) from the whole corpus,
{m['heldout_sequences_tokens']:,} tokens, masked once with a fixed seed so every evaluation sees the same masks.

## Limitations

This is a tiny model trained for about an hour on two CPU cores: it has seen roughly one pass over
16 M tokens, where AraBERT saw billions. Expect it to be far weaker than AraBERT or CAMeLBERT;
it exists so that hatif has an offline default encoder. Compare it with a random initialisation of
the same shape (`hatif ner-benchmark --random-init`, `hatif train --model.random_init true`) before
relying on it; see `docs/RESULTS.md`.

## Continue pretraining

```bash
hatif pretrain --config configs/pretrain.yaml --train.resume true --train.max_minutes 60 \\
    --train.max_steps <a larger total> --export-to model/pretrained   # or: make pretrain
```

`--train.resume true` reloads the last checkpoint under `runs/pretrain/checkpoints/` (weights, optimizer,
scheduler, data order) and the cached tokenizer and token files; `train.max_steps` is the schedule's
total length, so raising it extends the decay. The exported directory itself can also be loaded with
`AutoModelForMaskedLM.from_pretrained("model/pretrained")` to start a new schedule.
"""
