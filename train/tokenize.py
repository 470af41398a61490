"""Training features with `Dataset.map`, cached on disk: a run whose tokenizer, label maps, data
and feature code are those of an earlier run loads its features instead of tokenising again.

The cache file is named by a key over everything `make_feature` depends on: the tokenizer (its
full serialised form), the model config, the records Dataset's fingerprint (a hash of its content)
and the source of the feature code, so an edit to the alignment invalidates it too.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from datasets import Dataset, Features, List, Value
from datasets import config as datasets_config
from datasets.fingerprint import Hasher

from hatif.data.hf import rows_to_records
from hatif.model import alignment, features as features_module, preprocess
from hatif.model.features import Encoded, Feature, make_feature
from hatif.model.joint import HatifConfig

FEATURE_COLUMNS = Features({
    "id": Value("string"),  # the record's id, to trace a feature back to its sentence
    "ids": List(Value("int32")),
    "offsets": List(List(Value("int32"), length=2)),
    "word_ids": List(Value("int32")),
    "tag_labels": List(Value("int32")),  # null without labels
    "spans": List(List(Value("int32"), length=3)),
    "clitic": List(Value("int32")),
    "polarity": List(Value("int32")),
    "pairs": List(List(Value("int32"), length=2)),
    "pair_labels": List(Value("int32")),
})


def default_cache_dir() -> Path:
    """Under the `datasets` cache ($HF_DATASETS_CACHE), shared by every run of this machine."""
    return Path(datasets_config.HF_DATASETS_CACHE) / "hatif" / "features"


def feature_cache_key(records: Dataset, tokenizer, config: HatifConfig, with_labels: bool) -> str:
    """A hash of what the features depend on (see the module docstring)."""
    code = "".join(inspect.getsource(module) for module in (features_module, alignment, preprocess))
    # _fingerprint is how datasets itself names a Dataset's state (no public accessor)
    return Hasher.hash([tokenizer.backend_tokenizer.to_str(), config.to_json_string(use_diff=False),
                        records._fingerprint, code, with_labels])


def _encode_batch(rows: dict[str, list], tokenizer, config: HatifConfig, with_labels: bool,
                  record_features: Features) -> dict[str, list]:
    feats = [make_feature(r, tokenizer, config, with_labels) for r in rows_to_records(rows, record_features)]
    return {"id": rows["id"],
            "ids": [f.encoded.ids for f in feats],
            "offsets": [f.encoded.offsets for f in feats],
            "word_ids": [f.encoded.word_ids for f in feats],
            "tag_labels": [f.tag_labels for f in feats],
            "spans": [f.spans for f in feats],
            "clitic": [f.clitic for f in feats],
            "polarity": [f.polarity for f in feats],
            "pairs": [f.pairs for f in feats],
            "pair_labels": [f.pair_labels for f in feats]}


def tokenize_records(records: Dataset, tokenizer, config: HatifConfig, with_labels: bool = True,
                     cache_dir: str | Path | None = None) -> Dataset:
    """The `make_feature` features of a records Dataset (`hatif.data.hf`), one row per record, as a
    Dataset backed by ``cache_dir``/features-KEY.arrow (default: `default_cache_dir`); a second call
    with the same inputs memory-maps that file instead of tokenising."""
    key = feature_cache_key(records, tokenizer, config, with_labels)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    return records.map(_encode_batch, batched=True, batch_size=256, remove_columns=records.column_names,
                       fn_kwargs={"tokenizer": tokenizer, "config": config, "with_labels": with_labels,
                                  "record_features": records.features},
                       features=FEATURE_COLUMNS, new_fingerprint=key, load_from_cache_file=True,
                       cache_file_name=str(cache / f"features-{key}.arrow"), desc="tokenising")


def to_features(dataset: Dataset) -> list[Feature]:
    """The rows of `tokenize_records` as the Feature objects the Collator takes."""
    rows = dataset.to_dict()
    return [Feature(Encoded(ids, [tuple(o) for o in offsets], word_ids), tag_labels,
                    [tuple(s) for s in spans], clitic, polarity, [tuple(p) for p in pairs], pair_labels)
            for ids, offsets, word_ids, tag_labels, spans, clitic, polarity, pairs, pair_labels in zip(
                rows["ids"], rows["offsets"], rows["word_ids"], rows["tag_labels"], rows["spans"],
                rows["clitic"], rows["polarity"], rows["pairs"], rows["pair_labels"])]
