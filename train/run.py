"""`hatif train`: fine-tune the joint model with the Hugging Face Trainer, select on dev, save a
self-describing checkpoint (safetensors, tokenizer, label maps, schema, resolved config, metrics).

Under `torchrun` or `accelerate launch` the same code trains data-parallel (DDP: gloo on CPU, nccl
on GPU): the Trainer's distributed sampler gives each process its share of every batch, every process
scores dev identically (JointTrainer.evaluate), and only the main process writes the run folder."""

from __future__ import annotations

import logging
import os
import shutil
from itertools import zip_longest
from pathlib import Path

import torch
from torch.utils.data import Dataset
from transformers import EarlyStoppingCallback, Trainer, TrainingArguments, set_seed
from transformers.trainer_callback import ProgressCallback

from hatif.data.hf import records_to_dataset
from hatif.data.jsonl import write_json
from hatif.data.records import Record
from hatif.data.schema import SCHEMA_PATH
from hatif.data.training_data import load_training_records
from hatif.eval.metrics import evaluate, headline
from hatif.model.encoder import embedded_default, load_encoder
from hatif.model.features import Collator, Feature, make_person_feature
from hatif.model.inference import Predictor
from hatif.model.joint import HatifModel, build_model
from .callbacks import CompactProgress, JsonlLogCallback, plot_learning_curve
from .config import ModelConfig, RunConfig, TrainConfig, save_config
from .tokenize import to_features, tokenize_records

log = logging.getLogger("hatif.train")


class FeatureDataset(Dataset):
    def __init__(self, features: list[Feature]) -> None:
        self.features = features

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, i: int) -> Feature:
        return self.features[i]


class JointTrainer(Trainer):
    """Trainer whose evaluation decodes the dev set and scores it with hatif's own metrics."""

    def __init__(self, *args, dev_records: list[Record], hatif_tokenizer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dev_records = dev_records
        self.hatif_tokenizer = hatif_tokenizer

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix: str = "eval") -> dict[str, float]:
        """Each process decodes its share of dev and all score the same gathered predictions, so every
        process holds identical metrics by construction: early stopping and load_best_model_at_end
        decide on each process, and a disagreement would deadlock or load different models. (Rank 0
        decoding alone and broadcasting would agree too, with the other processes idle meanwhile.)"""
        self.model.eval()
        predictor = Predictor(self.model, self.hatif_tokenizer, batch_size=self.args.per_device_eval_batch_size)
        rank, world = self.args.process_index, self.args.world_size
        preds = gather_shares(list(predictor.predict(self.dev_records[rank::world])), world)
        metrics = {f"{metric_key_prefix}_{k}": v for k, v in headline(evaluate(self.dev_records, preds)).items()}
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics


def gather_shares(share: list, world: int) -> list:
    """The full list from each process's ``items[rank::world]``, in the original order."""
    if world == 1:
        return share
    shares: list[list] = [[] for _ in range(world)]
    torch.distributed.all_gather_object(shares, share)
    return [item for row in zip_longest(*shares) for item in row if item is not None]


def build_encoder(config: RunConfig, train_records: list[Record], saved_tokenizer: Path, main_process: bool = True):
    """(encoder, tokenizer, preprocessing scheme) for the configured encoder or the embedded default;
    a resumed run reuses the tokenizer its first run saved, and the other processes of a distributed
    run the one the main process saved (the main process must have run this first)."""
    mc = config.model
    if mc.encoder:
        encoder, tokenizer = load_encoder(mc.encoder, mc.random_init)
        return encoder, tokenizer, mc.preprocessing
    previous = None
    saved = (saved_tokenizer / "tokenizer.json").is_file()
    if not main_process and not saved:
        raise FileNotFoundError(f"{saved_tokenizer}: the main process saved no tokenizer there; a distributed "
                                "run needs its output_dir on a filesystem all its processes share")
    if saved and (config.train.resume or not main_process):
        from transformers import AutoTokenizer

        previous = AutoTokenizer.from_pretrained(str(saved_tokenizer))
    encoder, tokenizer = embedded_default((r.text for r in train_records), mc.vocab_size, mc.hidden, mc.layers,
                                          mc.heads, mc.max_positions, config.train.seed, mc.from_scratch, previous,
                                          mc.random_init)
    if main_process:
        tokenizer.save_pretrained(str(saved_tokenizer))
    return encoder, tokenizer, None


def encoder_name(mc: ModelConfig) -> str:
    """What the model config records as its encoder."""
    name = mc.encoder or ("scratch" if mc.from_scratch else "embedded-default")
    return f"{name} (random init)" if mc.random_init and name != "scratch" else name


def process_threads(configured: int) -> int:
    """Torch CPU threads for this process: the configured number, else this machine's cores shared
    among the processes a launcher started on it (torchrun sets OMP_NUM_THREADS=1, which would leave
    the other cores idle); 0 keeps torch's default for a single process."""
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    if configured or local_world == 1:
        return configured
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores // local_world)


def load_examples(config: RunConfig, seed: int) -> tuple[list[Record], list[Record], list]:
    """Training records (with augmentation), dev records and ANERcorp PERSON sentences; every
    process loads the same lists, which the distributed sampler then splits."""
    guard = {"gold_dir": Path(config.data.gold_dir), "selection": Path(config.data.real_selection)}
    train_records = load_training_records(*config.data.train, **guard)
    dev_records = load_training_records(*config.data.dev, **guard)
    if config.data.augment_copies:
        from hatif.data.augment import augment

        extra = augment(train_records, copies=config.data.augment_copies, seed=seed,
                        forbidden_doc_ids={r.doc_id for r in dev_records})
        log.info("augmentation added %d records to %d", len(extra), len(train_records))
        train_records = train_records + extra
    sentences = []
    if config.data.anercorp_person:
        from .pretrain.ner_benchmark import read_conll

        sentences = read_conll(config.data.anercorp_person)
        sentences = sentences[:config.data.anercorp_max_sentences or len(sentences)]
        log.info("ANERcorp PERSON supervision: %d sentences", len(sentences))
    return train_records, dev_records, sentences


def training_arguments(tc: TrainConfig, out: Path, n_examples: int) -> TrainingArguments:
    """The Trainer's arguments; building them joins the process group when a launcher started us.
    ``batch_size`` is per process: a step sees batch_size x processes examples."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    return TrainingArguments(
        output_dir=str(out / "checkpoints"), num_train_epochs=tc.epochs, max_steps=tc.max_steps,
        per_device_train_batch_size=tc.batch_size, per_device_eval_batch_size=max(32, tc.batch_size),
        learning_rate=tc.learning_rate, weight_decay=tc.weight_decay, warmup_steps=tc.warmup_ratio,
        lr_scheduler_type="linear", eval_strategy="epoch", save_strategy="epoch", save_total_limit=2,
        load_best_model_at_end=True, metric_for_best_model=tc.metric, greater_is_better=True,
        logging_strategy="steps", logging_steps=max(1, n_examples // (tc.batch_size * world) // 4),
        seed=tc.seed, data_seed=tc.seed, remove_unused_columns=False, report_to=[],
        dataloader_num_workers=0, use_cpu=not torch.cuda.is_available(),
    )


def train(config: RunConfig) -> dict[str, float]:
    """Train, select the best epoch on dev, save it to OUTPUT_DIR/model; returns its dev metrics
    (in every process of a distributed run; only the main one writes)."""
    tc, out = config.train, Path(config.train.output_dir)
    threads = process_threads(tc.threads)
    if threads:
        torch.set_num_threads(threads)
    set_seed(tc.seed)
    train_records, dev_records, sentences = load_examples(config, tc.seed)
    args = training_arguments(tc, out, len(train_records) + len(sentences))
    main = args.process_index == 0
    log.info("process %d of %d, %d torch threads", args.process_index, args.world_size, torch.get_num_threads())
    if main:
        out.mkdir(parents=True, exist_ok=True)
    # the main process trains and saves the vocabulary first, the others load it: WordPiece training
    # breaks ties differently each time, and every process must map text to the same ids
    with args.main_process_first(local=False, desc="tokenizer"):
        encoder, tokenizer, preprocessing = build_encoder(config, train_records, out / "tokenizer", main)
    model = build_model(encoder, window=config.model.window, stride=config.model.stride,
                        dropout=config.model.dropout, preprocessing=preprocessing,
                        encoder_name=encoder_name(config.model))
    # tokenised with datasets, cached by tokenizer, config, data and feature code (train/tokenize.py):
    # the main process writes the cache, the others read it
    with args.main_process_first(local=False, desc="features"):
        features = to_features(tokenize_records(records_to_dataset(train_records), tokenizer, model.config,
                                                cache_dir=config.data.feature_cache))
    features += [make_person_feature(words, tags, tokenizer, model.config) for words, tags in sentences]
    log_path = out / "train_log.jsonl"
    if main:
        save_config(config, out / "config.yaml")
        if not tc.resume and log_path.exists():
            log_path.unlink()
    trainer = JointTrainer(
        # eval_dataset is a placeholder the Trainer insists on; JointTrainer.evaluate decodes dev_records
        model=model, args=args, train_dataset=FeatureDataset(features), eval_dataset=FeatureDataset(features[:1]),
        data_collator=Collator(tokenizer, config.model.window, config.model.stride),
        callbacks=[EarlyStoppingCallback(early_stopping_patience=tc.patience), JsonlLogCallback(log_path)],
        dev_records=dev_records, hatif_tokenizer=tokenizer,
    )
    if trainer.pop_callback(ProgressCallback) is not None:  # absent when tqdm is disabled
        trainer.add_callback(CompactProgress)
    resume = tc.resume and any((out / "checkpoints").glob("checkpoint-*"))
    trainer.train(resume_from_checkpoint=True if resume else None)
    best = trainer.evaluate()
    if main:
        save_checkpoint(trainer.model, tokenizer, config, best, out / "model")
        plot_learning_curve(log_path, out / "learning_curve.png", tc.metric)
    # all wait before leaving the process group: gloo's worker threads release a finished collective's
    # Python-owned tensors, which needs the GIL; destroying the group while one is pending deadlocks
    trainer.accelerator.wait_for_everyone()
    trainer.accelerator.end_training()
    return best


def save_checkpoint(model: HatifModel, tokenizer, config: RunConfig, metrics: dict, path: Path) -> None:
    """A self-describing directory; written beside and renamed, so a crash never leaves half a model."""
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    save_config(config, tmp / "training_config.yaml")
    shutil.copy(SCHEMA_PATH, tmp / "schema.json")
    write_json(tmp / "metrics.json", metrics)
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)
