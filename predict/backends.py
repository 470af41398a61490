"""What `hatif predict --model SPEC` can run: a small registry of backend kinds, each saying which
specs it takes and how to load them (the rules, a trained hatif model folder, a hub id), so that
the job never tests strings itself. Loading is lazy: `--model rules` never imports torch."""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Protocol

from hatif.data.records import Record


class Backend(Protocol):
    buffer_size: int  # sentences the job hands over at a time (whole documents), see job._sort_buffers

    def predict(self, records: Iterable[Record]) -> Iterator[Record]: ...


class ModelNotFound(ValueError):
    """--model names no usable hatif model; the message says what to do."""


@dataclass(frozen=True)
class BackendOptions:
    batch_size: int = 32  # sentences per encoder batch
    quantize: str | None = None  # "int8": dynamic int8 quantisation of nn.Linear (CPU)


class RulesBackend:
    """The rule-based extractor (hatif.rules) behind the Predictor interface, one article at a time."""

    buffer_size = 256  # no batches: any size gives the same output

    def __init__(self) -> None:
        from hatif.rules.extract import predict_records

        self.predict_records = predict_records

    def predict(self, records: Iterable[Record]) -> Iterator[Record]:
        """Predictions in input order; an article's sentences share the rules' document context."""
        for _, group in groupby(records, key=lambda r: r.doc_id):
            yield from self.predict_records(list(group))


def _load_rules(spec: str, options: BackendOptions) -> Backend:
    return RulesBackend()


def _is_hatif_folder(spec: str) -> bool:
    try:
        config = json.loads((Path(spec) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return config.get("model_type") == "hatif"


def _load_model(spec: str, options: BackendOptions) -> Backend:
    """A trained model directory (hatif train's OUTPUT_DIR/model) behind a batched Predictor."""
    import torch
    from transformers import AutoTokenizer

    from hatif.model.encoder import quiet_transformers
    from hatif.model.inference import Predictor
    from hatif.model.joint import HatifModel

    # A loading bar, and the tokenizer's notice that config.json is no BERT config, are noise in a job's log.
    with quiet_transformers():
        net = HatifModel.from_pretrained(spec).eval()
        tokenizer = AutoTokenizer.from_pretrained(spec)
    # The Predictor cuts long sentences into windows itself: the tokenizer's "longer than the
    # maximum" warning would only scare users.
    tokenizer.model_max_length = sys.maxsize
    if options.quantize == "int8":
        with warnings.catch_warnings():  # torch.ao.quantization announces its move to torchao on every call
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            net = torch.ao.quantization.quantize_dynamic(net, {torch.nn.Linear}, dtype=torch.qint8)
    elif options.quantize:
        raise ValueError(f"--quantize {options.quantize!r}: only int8 is supported")
    return Predictor(net, tokenizer, batch_size=options.batch_size)


def _looks_like_hub_id(spec: str) -> bool:
    return not Path(spec).exists() and spec.count("/") == 1 and not spec.startswith((".", "/", "~"))


def _refuse_hub_id(spec: str, options: BackendOptions) -> Backend:
    raise ModelNotFound(f"--model {spec}: no such local folder, and hatif predict loads trained hatif models "
                        "only (a hub id is an encoder for `hatif train --model`)")


def _refuse_folder(spec: str, options: BackendOptions) -> Backend:
    if not Path(spec).exists():
        raise ModelNotFound(f"--model {spec}: no such model folder (train one with `hatif train`, or use --model rules)")
    raise ModelNotFound(f"--model {spec}: not a hatif model folder (no config.json with model_type 'hatif'); "
                        "give hatif train's OUTPUT_DIR/model")


@dataclass(frozen=True)
class BackendKind:
    name: str
    takes: Callable[[str], bool]
    load: Callable[[str, BackendOptions], Backend]


# Tried in order; the last takes anything and says why it cannot be loaded.
REGISTRY: tuple[BackendKind, ...] = (
    BackendKind("rules", lambda spec: spec == "rules", _load_rules),
    BackendKind("hatif model folder", _is_hatif_folder, _load_model),
    BackendKind("hub id", _looks_like_hub_id, _refuse_hub_id),
    BackendKind("not a model", lambda spec: True, _refuse_folder),
)


def kind_of(spec: str) -> BackendKind:
    return next(kind for kind in REGISTRY if kind.takes(spec))


def load_backend(spec: str, options: BackendOptions = BackendOptions()) -> Backend:
    """The backend for ``--model SPEC``; ModelNotFound, with what to do, when there is none."""
    return kind_of(spec).load(spec, options)
