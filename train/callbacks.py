"""Trainer callbacks: a JSON-lines log and a learning-curve plot beside the run."""

from __future__ import annotations

import io
import json
from pathlib import Path

from transformers import TrainerCallback
from transformers.trainer_callback import ProgressCallback

from hatif.data.jsonl import atomic_writer


class JsonlLogCallback(TrainerCallback):
    """Appends every Trainer log (loss, learning rate, dev metrics) as one JSON line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and logs:
            with open(self.path, "a", encoding="utf-8") as out:
                out.write(json.dumps({"step": state.global_step, "epoch": state.epoch, **logs}) + "\n")


def format_log_row(step: int, epoch: float | None, logs: dict) -> str:
    """One Trainer log as a compact line of numbers: training rows show loss and learning rate,
    evaluation rows the dev metrics (``eval_`` prefix dropped)."""
    head = f"step {step:>6}  epoch {epoch or 0:6.2f}"
    if any(k.startswith("eval_") for k in logs):
        shown = {k[5:]: v for k, v in logs.items() if k.startswith("eval_") and k[5:].endswith("f1")}
        return head + "  dev  " + "  ".join(f"{k} {v:.4f}" for k, v in shown.items())
    parts = [f"loss {logs['loss']:.4f}" if "loss" in logs else "",
             f"lr {logs['learning_rate']:.2e}" if "learning_rate" in logs else "",
             f"grad_norm {logs['grad_norm']:.3f}" if isinstance(logs.get("grad_norm"), float) else ""]
    summary = {k: v for k, v in logs.items() if k in ("train_runtime", "train_loss")}
    parts += [f"{k} {v:.4g}" for k, v in summary.items()]
    return head + "  " + "  ".join(p for p in parts if p)


class CompactProgress(ProgressCallback):
    """The Trainer's progress bar, with each log printed as a row of numbers instead of a dict of strings."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and self.training_bar is not None and logs:
            self.training_bar.write(format_log_row(state.global_step, state.epoch, logs))


def plot_learning_curve(log_path: Path, png_path: Path, metric: str,
                        dev_keys: tuple[str, ...] = ("entity_f1", "relation_f1", "event_f1"),
                        x: str = "epoch", dev_title: str = "dev F1") -> None:
    """Training loss per logging step and the dev metrics (``eval_<key>``) per evaluation, in one
    figure; ``x`` is the log field on the horizontal axis ("epoch" or "step")."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    loss = [(r[x], r["loss"]) for r in rows if "loss" in r]
    dev = [(r[x], r[f"eval_{k}"]) for r in rows for k in dev_keys if f"eval_{k}" in r]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    if loss:
        ax1.plot(*zip(*loss), marker=".")
    ax1.set(title="training loss", xlabel=x, ylabel="loss")
    for key in dev_keys:
        points = [(r[x], r[f"eval_{key}"]) for r in rows if f"eval_{key}" in r]
        if points:
            ax2.plot(*zip(*points), marker="o", label=key + (" (selects)" if key == metric else ""))
    ax2.set(title=dev_title, xlabel=x, ylabel=dev_title.split()[-1], ylim=(0, 1))
    if dev:
        ax2.legend()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    with atomic_writer(png_path, "wb") as out:
        out.write(buffer.getvalue())
