"""Data-parallel `hatif train` under torchrun on CPU (gloo): one run folder written by rank 0, dev
scored once per evaluation, resume, and the same loss curve as one process with the whole batch."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from hatif.data.augment import apply_edits
from hatif.data.jsonl import write_jsonl
from hatif.eval.metrics import evaluate, headline
from hatif.model.inference import Predictor
from hatif.model.joint import HatifModel
from hatif.train.run import process_threads
from helpers import tiny_records, tiny_tokenizer
from test_train import TINY

TORCHRUN = [str(Path(sys.executable).with_name("torchrun")), "--nproc_per_node", "2", "--standalone", "-m", "hatif"]
SINGLE = [sys.executable, "-m", "hatif"]
COMMON = ["--data.augment_copies", "0", "--train.learning_rate", "0.005", "--train.threads", "1"]


def _hatif(launcher: list[str], *args) -> subprocess.CompletedProcess:
    """Run `hatif ARGS` under the launcher; a hung collective fails the test instead of the suite."""
    proc = subprocess.Popen([*launcher, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # torchrun and both ranks
        out, err = proc.communicate()
        pytest.fail(f"timed out: {' '.join(proc.args)}\n{err[-3000:]}")
    assert proc.returncode == 0, err[-3000:]
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _log(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "train_log.jsonl").read_text().splitlines()]


def test_torchrun_trains_once_on_rank_zero_and_resumes(tmp_path):
    data = tmp_path / "tiny.jsonl"
    write_jsonl(data, (r.to_dict() for r in tiny_records()))
    run = tmp_path / "run"
    args = ["train", "--data.train", data, "--data.dev", data, "--output-dir", run, *TINY, "--train.batch_size", "1"]
    _hatif(TORCHRUN, *args, "--train.epochs", "2")

    # 4 records, 1 per process and step: 2 steps per epoch show the sampler split the data
    checkpoint = run / "checkpoints" / "checkpoint-4"
    assert json.loads((checkpoint / "trainer_state.json").read_text())["global_step"] == 4
    assert {p.name for p in checkpoint.glob("rng_state_*.pth")} == {"rng_state_0.pth", "rng_state_1.pth"}
    assert {p.name for p in run.iterdir()} == {"checkpoints", "config.yaml", "learning_curve.png", "model",
                                               "tokenizer", "train_log.jsonl"}
    assert (run / "model" / "model.safetensors").is_file()
    log = _log(run)
    assert [row["step"] for row in log if "loss" in row] == [1, 2, 3, 4]
    # two epoch-end evaluations and the final one, each logged once, not once per process
    evals = [row for row in log if "eval_relation_f1" in row]
    assert [row["step"] for row in evals] == [2, 4, 4]
    # the ranks' halves of dev, gathered, score as one process decoding all of it with the saved model
    metrics = json.loads((run / "model" / "metrics.json").read_text())
    model, tokenizer = HatifModel.from_pretrained(run / "model"), AutoTokenizer.from_pretrained(run / "model")
    dev = tiny_records()
    alone = headline(evaluate(dev, list(Predictor(model, tokenizer).predict(dev))))
    assert {k: v for k, v in metrics.items() if k != "epoch"} == {f"eval_{k}": v for k, v in alone.items()}
    assert metrics["eval_relation_f1"] == evals[-1]["eval_relation_f1"]

    # killed before the final save: resume from the last checkpoint and train a third epoch
    shutil.rmtree(run / "model")
    _hatif(TORCHRUN, *args, "--train.epochs", "3", "--train.resume", "true")
    assert (run / "model" / "model.safetensors").is_file()
    log = _log(run)
    assert [row["step"] for row in log if "loss" in row] == [1, 2, 3, 4, 5, 6]
    assert json.loads((run / "checkpoints" / "checkpoint-6" / "trainer_state.json").read_text())["global_step"] == 6


def _equal_count_variants(path: Path) -> None:
    """Four versions of one sentence with the caller's and callee's names and the two nationalities
    swapped: different inputs, the same words in another order, so every example has the same
    number of tokens, spans and pairs under any tokenizer."""
    record = tiny_records()[1]

    def swap(a: str, b: str) -> list[tuple[int, int, str]]:
        i, j = record.text.index(a), record.text.index(b)
        return [(i, i + len(a), b), (j, j + len(b), a)]

    names, nations = swap("إيمانويل ماكرون", "أولاف شولتس"), swap("الفرنسي", "الألماني")
    variants = [apply_edits(record, edits) if edits else record for edits in ([], names, nations, names + nations)]
    write_jsonl(path, (dataclasses.replace(v, id=f"{record.id}-v{k}").to_dict() for k, v in enumerate(variants)))


def test_two_processes_follow_the_single_process_loss_curve(tmp_path):
    """DDP all-reduces and averages the ranks' gradients, and each rank's loss is a mean over its
    own tokens (spans, pairs). With equal counts per example, the average over 2 ranks of 1 example
    equals one process's mean over the batch of 2 in exact arithmetic, and the logged loss (the mean
    of the ranks' losses) too. Only float32 summation order differs: seen <= 1e-7 relative over 6
    Adam steps; rtol 1e-5 leaves a 100x margin for other CPUs and libraries. Dropout is off: the
    ranks would draw other masks than one process does."""
    from transformers import BertConfig, BertModel

    data, encoder = tmp_path / "variants.jsonl", tmp_path / "encoder"
    _equal_count_variants(data)
    tokenizer = tiny_tokenizer()
    BertModel(BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=128, hidden_dropout_prob=0.0,
                         attention_probs_dropout_prob=0.0), add_pooling_layer=False).save_pretrained(encoder)
    tokenizer.save_pretrained(encoder)
    args = ["train", "--data.train", data, "--data.dev", data, "--model.encoder", encoder, "--model.window", "32",
            "--model.stride", "8", "--model.dropout", "0", "--train.epochs", "3", *COMMON]
    _hatif(SINGLE, *args, "--output-dir", tmp_path / "one", "--train.batch_size", "2")
    _hatif(TORCHRUN, *args, "--output-dir", tmp_path / "two", "--train.batch_size", "1")
    one, two = ([(row["step"], row["loss"]) for row in _log(tmp_path / run) if "loss" in row]
                for run in ("one", "two"))
    assert [step for step, _ in one] == [step for step, _ in two] == [1, 2, 3, 4, 5, 6]
    assert [loss for _, loss in two] == pytest.approx([loss for _, loss in one], rel=1e-5)
    assert one[-1][1] < one[0][1] - 1  # it learned: the comparison is not between two flat lines


@pytest.mark.parametrize("configured, processes_here, expected", [
    (3, "2", 3),  # train.threads wins
    (0, "1", 0),  # one process: torch's default
    (0, "2", 8),  # torchrun --nproc_per_node 2 on 16 cores
    (0, "32", 1),  # more processes than cores: at least one each
])
def test_each_process_gets_its_share_of_the_cores(monkeypatch, configured, processes_here, expected):
    monkeypatch.setenv("LOCAL_WORLD_SIZE", processes_here)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    assert process_threads(configured) == expected
