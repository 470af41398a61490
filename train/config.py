"""Run configuration: one dataclass per concern, loaded from YAML/JSON plus `--section.key value` overrides."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

import yaml

from hatif.data.paths import GOLD_DIR, REAL_SELECTION


@dataclass
class DataConfig:
    train: list[str] = field(default_factory=lambda: ["corpus/train/corpus.jsonl"])
    dev: list[str] = field(default_factory=lambda: ["corpus/dev/corpus.jsonl"])
    augment_copies: int = 1  # mention-swap copies of the training split (0: none)
    anercorp_person: str | None = None  # ANERcorp `token label` file: its PERS as extra PERSON supervision
    anercorp_max_sentences: int = 0  # 0: all of them
    gold_dir: str = str(GOLD_DIR)  # training refuses files under it and its articles (and the shipped list)
    real_selection: str = str(REAL_SELECTION)  # training refuses the real test split named in it
    feature_cache: str | None = None  # tokenised training features (train/tokenize.py); None: $HF_DATASETS_CACHE/hatif/features

    def __post_init__(self) -> None:
        if not self.train:
            raise ValueError("data.train: at least one training file is needed")
        if self.augment_copies < 0:
            raise ValueError("data.augment_copies must be >= 0")


@dataclass
class ModelConfig:
    encoder: str | None = None  # hub id or local dir; None: the embedded default
    # None, or the AraBERT model whose own preprocessor (the `arabert` package) rewrites the text before
    # the tokenizer, e.g. bert-base-arabertv02: AraBERT checkpoints were pretrained on text it wrote.
    # Named, not guessed from the encoder's name: a local copy may be called anything.
    preprocessing: str | None = None
    from_scratch: bool = False  # embedded default only: ignore the shipped pretrained encoder
    random_init: bool = False  # the encoder's shape and tokenizer, random weights: what does pretraining buy?
    vocab_size: int = 8000  # embedded default only: WordPiece size and the compact BERT's shape
    hidden: int = 256
    layers: int = 4
    heads: int = 4
    max_positions: int = 512
    window: int = 128  # subword tokens per encoder window; longer sentences use overlapping windows
    stride: int = 32
    dropout: float = 0.1

    def __post_init__(self) -> None:
        if self.hidden % self.heads:
            raise ValueError(f"model.hidden ({self.hidden}) must be divisible by model.heads ({self.heads})")
        if not 0 < self.stride < self.window:
            raise ValueError("model.stride must be in (0, model.window)")
        if self.window + 2 > self.max_positions:
            raise ValueError("model.window + 2 special tokens must fit in model.max_positions")
        if self.preprocessing is not None:
            self._check_preprocessing(self.preprocessing)

    def _check_preprocessing(self, name: str) -> None:
        from arabert.preprocess import ACCEPTED_MODELS

        if not self.encoder:
            raise ValueError("model.preprocessing needs model.encoder: the embedded default's vocabulary "
                             "is trained on the text as given")
        # the preprocessor takes hub ids too, and silently falls back to bert-base-arabertv02 on a name it lacks
        if name.removeprefix("aubmindlab/") not in ACCEPTED_MODELS:
            raise ValueError(f"model.preprocessing: {name!r} is not an AraBERT model the arabert package knows "
                             f"(one of: {', '.join(ACCEPTED_MODELS)})")


@dataclass
class TrainConfig:
    output_dir: str = "runs/default"
    epochs: int = 20
    batch_size: int = 16
    learning_rate: float = 5e-4
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    seed: int = 13
    patience: int = 5  # epochs without dev improvement before stopping
    metric: str = "relation_f1"  # dev metric (eval.metrics.headline key) that picks the best checkpoint
    resume: bool = False
    max_steps: int = -1  # >0 caps training steps (smoke runs and tests)
    threads: int = 0  # torch CPU threads; 0 leaves torch's default

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("train.epochs and train.batch_size must be >= 1")
        if self.learning_rate <= 0:
            raise ValueError("train.learning_rate must be > 0")


@dataclass
class RunConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _coerce(value: Any, hint: Any, name: str) -> Any:
    """Bring a YAML/CLI value to the field's type, or fail naming the field."""
    text = str(hint)
    if value is None and "None" in text:
        return None
    if text.startswith("list"):
        items = value if isinstance(value, list) else [v for v in str(value).split(",") if v]
        return [str(v) for v in items]
    for typ in (bool, int, float, str):
        if text.startswith(typ.__name__) or text == f"<class '{typ.__name__}'>":
            if typ is bool and isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(f"{name}: expected true/false, got {value!r}")
                return value.lower() in ("true", "1", "yes")
            try:
                return typ(value)
            except (TypeError, ValueError) as err:
                raise ValueError(f"{name}: expected {typ.__name__}, got {value!r}") from err
    return value


def _section(cls, values: dict[str, Any], section: str):
    hints = get_type_hints(cls)
    unknown = set(values) - set(hints)
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(f'{section}.{k}' for k in sorted(unknown))}; "
                         f"known: {', '.join(f'{section}.{k}' for k in hints)}")
    return cls(**{k: _coerce(v, hints[k], f"{section}.{k}") for k, v in values.items()})


def parse_overrides(args: list[str]) -> dict[str, dict[str, Any]]:
    """['--train.epochs', '3', '--model.encoder', 'x'] -> {'train': {'epochs': '3'}, ...}."""
    out: dict[str, dict[str, Any]] = {}
    it = iter(args)
    for arg in it:
        if not arg.startswith("--") or "." not in arg:
            raise ValueError(f"override {arg!r}: expected --section.key value (sections: data, model, train)")
        key, _, inline = arg[2:].partition("=")
        section, _, name = key.partition(".")
        value = inline if inline else next(it, None)
        if value is None:
            raise ValueError(f"override --{key} needs a value")
        out.setdefault(section, {})[name] = yaml.safe_load(value) if value else value
    return out


def load_sections(path: str | Path | None, overrides: list[str] | None, sections: dict[str, type], build: type):
    """Defaults, then the file's sections, then CLI overrides; every value validated.
    Shared by `hatif train` and `hatif pretrain`, which differ only in their sections."""
    raw: dict[str, dict[str, Any]] = {}
    if path is not None:
        text = Path(path).read_text(encoding="utf-8")
        raw = (json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)) or {}
    for section, values in parse_overrides(overrides or []).items():
        raw.setdefault(section, {}).update(values)
    unknown = set(raw) - set(sections)
    if unknown:
        raise ValueError(f"unknown config section(s): {', '.join(sorted(unknown))} (known: {', '.join(sections)})")
    return build(**{name: _section(cls, raw.get(name) or {}, name) for name, cls in sections.items()})


RUN_SECTIONS = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}


def describe_options(sections: dict[str, type]) -> str:
    """Every `--section.key` option with its default, one per line: the CLI's help lists these."""
    from dataclasses import MISSING, fields

    lines = []
    for name, cls in sections.items():
        for f in fields(cls):
            default = f.default if f.default is not MISSING else (
                f.default_factory() if f.default_factory is not MISSING else None)
            lines.append(f"--{name}.{f.name} (default: {default!r})")
    return "\n".join(lines)


def load_config(path: str | Path | None, overrides: list[str] | None = None) -> RunConfig:
    """The training run's configuration (sections data, model, train)."""
    return load_sections(path, overrides, RUN_SECTIONS, RunConfig)


def save_config(config: RunConfig, path: str | Path) -> None:
    from hatif.data.jsonl import atomic_writer

    with atomic_writer(path) as out:
        yaml.safe_dump(config.to_dict(), out, allow_unicode=True, sort_keys=False)
