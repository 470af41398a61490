"""Records as Hugging Face `datasets`: typed features, the way back to `Record`s, and the export of
every split as one `DatasetDict` with a dataset card (`hatif export --hf DIR`).

Entity labels, relation labels and polarities are `ClassLabel`s named in the order of
data/schema.json: the schema closes these vocabularies, so the features carry the names with the
data (``features["entities"].feature["label"].names``), and `datasets` refuses a label outside the
schema when the dataset is built instead of a trainer meeting it later. Ids are schema order (a
training config's relation ids add "none" at 0).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datasets import (ClassLabel, Dataset, DatasetDict, Features, List, Value, are_progress_bars_disabled,
                      disable_progress_bars, enable_progress_bars)

from .jsonl import atomic_writer
from .paths import CORPUS_DIR, GOLD_DIR, REAL_DIR
from .real import SPLITS as REAL_SPLITS
from .records import Entity, Record, Relation
from .schema import Schema, load_schema
from .validate import RecordError, check_record, load_records


def record_features(schema: Schema | None = None) -> Features:
    """The typed columns of a records Dataset; nullable fields are null where a record has none."""
    schema = schema or load_schema()
    return Features({
        "id": Value("string"),
        "doc_id": Value("string"),
        "doc_date": Value("string"),
        "text": Value("string"),
        "doc_offset": Value("int32"),
        "entities": List({
            "id": Value("string"),
            "label": ClassLabel(names=list(schema.entity_labels)),
            "start": Value("int32"),
            "end": Value("int32"),
            "text": Value("string"),
            "polarity": ClassLabel(names=list(schema.polarities)),
            "value": Value("string"),
        }),
        "relations": List({
            "head": Value("string"),
            "tail": Value("string"),
            "label": ClassLabel(names=list(schema.relation_labels)),
        }),
    })


def field_docs(schema: Schema | None = None) -> dict[str, tuple[str, str]]:
    """Column -> (type, meaning), for the dataset card (a test checks it names every column)."""
    schema = schema or load_schema()
    return {
        "id": ("string", "sentence id, unique in its split"),
        "doc_id": ("string", "the article the sentence belongs to (splits are by article)"),
        "doc_date": ("string, nullable", "the article's date, ISO YYYY-MM-DD; DATE values are resolved against it"),
        "text": ("string", "the sentence; offsets count its characters (Python str indices)"),
        "doc_offset": ("int32, nullable", "where the sentence starts in its article, when known"),
        "entities": ("list of {id, label, start, end, text, polarity, value}",
                     f"spans [start, end) of `text`; label: ClassLabel {'/'.join(schema.entity_labels)}; polarity "
                     f"({schema.relation_head} only, else null): ClassLabel {'/'.join(schema.polarities)}; value "
                     "(DATE only, else null; null also for an unresolvable date): ISO date, week, month or year"),
        "relations": ("list of {head, tail, label}",
                      f"head: a {schema.relation_head} entity id; tail: an entity id; label: ClassLabel "
                      f"{'/'.join(schema.relation_labels)}"),
    }


def _row(record: Record) -> dict[str, Any]:
    scored = [e.id for e in record.entities if e.score is not None] + [
        f"{r.head}->{r.tail}" for r in record.relations if r.score is not None]
    if scored:
        raise ValueError(f"record {record.id}: {', '.join(scored)} carry a score; a records Dataset holds "
                         "annotations, not predictions")
    return {"id": record.id, "doc_id": record.doc_id, "doc_date": record.doc_date, "text": record.text,
            "doc_offset": record.doc_offset,
            "entities": [{"id": e.id, "label": e.label, "start": e.start, "end": e.end, "text": e.text,
                          "polarity": e.polarity, "value": e.value} for e in record.entities],
            "relations": [{"head": r.head, "tail": r.tail, "label": r.label} for r in record.relations]}


def records_to_dataset(records: Iterable[Record], schema: Schema | None = None) -> Dataset:
    """A Dataset of the records; its fingerprint is a hash of the content, the same in every process.
    Raises ValueError for a record that carries prediction scores (they have no column)."""
    return Dataset.from_list([_row(r) for r in records], features=record_features(schema))


def load_records_dataset(*paths: str, schema: Schema | None = None) -> Dataset:
    """Record files (JSON Lines), validated like `load_records` (RecordError), as a Dataset."""
    return records_to_dataset(load_records(*paths), schema)


def rows_to_records(rows: dict[str, list], features: Features) -> list[Record]:
    """A batch of rows (column -> values, as `Dataset.map(batched=True)` passes them) -> Records."""
    ent, rel = features["entities"].feature, features["relations"].feature
    names = {key: ent[key].names for key in ("label", "polarity")}

    def name(key: str, value: int | None) -> str | None:
        return None if value is None else names[key][value]

    return [Record(id=rid, doc_id=doc_id, doc_date=doc_date, text=text, doc_offset=doc_offset,
                   entities=[Entity(id=e["id"], label=name("label", e["label"]), start=e["start"], end=e["end"],
                                    text=e["text"], polarity=name("polarity", e["polarity"]), value=e["value"])
                             for e in entities],
                   relations=[Relation(head=r["head"], tail=r["tail"], label=rel["label"].names[r["label"]])
                              for r in relations])
            for rid, doc_id, doc_date, text, doc_offset, entities, relations in zip(
                rows["id"], rows["doc_id"], rows["doc_date"], rows["text"], rows["doc_offset"],
                rows["entities"], rows["relations"])]


def dataset_to_records(dataset: Dataset, source: str = "<dataset>") -> list[Record]:
    """The Records of a records Dataset, checked against the record contract (a Dataset may have
    been edited since export): RecordError names ``source``, the row (1-based) and the rule."""
    records = rows_to_records(dataset.to_dict(), dataset.features)
    violations = [v for row, record in enumerate(records, start=1)
                  for v in check_record(record.to_dict(), source, row)]
    if violations:
        raise RecordError(violations)
    return records


@dataclass(frozen=True)
class ExportSources:
    """Where `export_hf` reads each split; the defaults are the repository's corpus layout."""

    train: Path = CORPUS_DIR / "train" / "corpus.jsonl"
    dev: Path = CORPUS_DIR / "dev" / "corpus.jsonl"
    gold: Path = GOLD_DIR / "seed_articles.jsonl"
    real_build: Path | None = REAL_DIR / "build"  # `hatif real build` output; None leaves the real splits out
    real_readme: Path = REAL_DIR / "README.md"  # its licences and citations go into the card

    def split_files(self) -> dict[str, Path]:
        files = {"train": self.train, "dev": self.dev}
        if self.real_build is not None:
            files.update({f"real_{split}": self.real_build / split / "corpus.jsonl" for split in REAL_SPLITS})
        files["gold"] = self.gold
        return files


# What each split is for; the card states it.
SPLIT_USE = {
    "train": ("authored articles written for hatif, training split", "training"),
    "dev": ("authored articles written for hatif, development split", "model selection"),
    "real_train": ("real news (SaudiNewsNet, ANT), annotated by hand", "training"),
    "real_dev": ("real news (SaudiNewsNet, ANT), annotated by hand", "model selection"),
    "real_test": ("real news (SaudiNewsNet, ANT), annotated by hand", "**reporting only**"),
    "gold": ("the two seed articles of the project brief, annotated by hand", "**reporting only**"),
}
REPORTING_ONLY = ("gold", "real_test")
LICENCE_HEADING = "## Sources, licences, citations"


class ExportError(ValueError):
    """Splits that share an article, or a real-news README without its licence section."""


def licence_section(readme: Path) -> str:
    """The 'Sources, licences, citations' section of corpus/real/README.md, without its heading."""
    if not readme.is_file():
        raise FileNotFoundError(f"{readme}: no such file (its licences and citations go into the card)")
    lines = readme.read_text(encoding="utf-8").splitlines()
    if LICENCE_HEADING not in lines:
        raise ExportError(f"{readme}: no '{LICENCE_HEADING}' section to copy into the card")
    body = []
    for line in lines[lines.index(LICENCE_HEADING) + 1:]:
        if line.startswith(("## ", "<!--")):
            break
        body.append(line)
    return "\n".join(body).strip()


def dataset_card(splits: DatasetDict, sources: ExportSources) -> str:
    """README.md of an export: splits, sizes, features, licences, citations, what not to train on."""
    has_real = sources.real_build is not None
    rows = "\n".join(
        f"| `{name}` | {len(ds):,} | {len(set(ds['doc_id'])):,} | {SPLIT_USE[name][0]} | "
        f"`{sources.split_files()[name]}` | {SPLIT_USE[name][1]} |" for name, ds in splits.items())
    fields = "\n".join(f"| `{name}` | {kind} | {meaning} |" for name, (kind, meaning) in field_docs().items())
    licence = ("The records of `real_*` are materialised from licensed third-party news text "
               "(`hatif real build`); they carry the terms of their sources:\n\n"
               + licence_section(sources.real_readme)) if has_real else (
        "This export has no real-news splits (exported without `corpus/real/build`).")
    return f"""---
language:
- ar
license: other
pretty_name: hatif phone-call events in Arabic news
task_categories:
- token-classification
---

# hatif: phone-call events in Arabic news

Sentences annotated for phone-call events: the call (TRIGGER, with its polarity), its caller and
callee (PERSON), its DATE (with an ISO value) and its TOPIC, linked by relations from the trigger.
Written by `hatif export --hf`; the annotation contract is ANNOTATION.md, the labels data/schema.json.

**`gold` and `real_test` are for reporting only: never train on them**, and never choose rules,
thresholds or hyper-parameters on them (use `dev` and `real_dev`).

## Splits

Every split is by article: no article has sentences in two splits.

| split | sentences | articles | what | from | use |
|---|---:|---:|---|---|---|
{rows}

## Loading

```python
from datasets import load_from_disk
splits = load_from_disk("DIR")                       # a DatasetDict
labels = splits["train"].features["entities"].feature["label"].names

from hatif.data.hf import dataset_to_records         # back to hatif Records (validated)
records = dataset_to_records(splits["dev"])
```

## Features

| column | type | meaning |
|---|---|---|
{fields}

Label ids are positions in the ClassLabel names (schema order).

## Licences and citations

`train` and `dev` were written for hatif and are distributed under its licence (Apache-2.0).
`gold` holds the text of two news articles given with the project brief; the text belongs to its
outlet: use it to report results only.

{licence}
"""


def check_articles_in_one_split(splits: DatasetDict) -> None:
    """ExportError if an article has sentences in two splits (the card promises it has not)."""
    first: dict[str, str] = {}
    for name, ds in splits.items():
        for doc_id in sorted(set(ds["doc_id"])):
            if first.setdefault(doc_id, name) != name:
                raise ExportError(f"article {doc_id} is in both {first[doc_id]} and {name}")


@contextmanager
def _no_progress_bars() -> Iterator[None]:
    """Silence the progress bars of `datasets` (only the CLI writes to the terminal)."""
    was_disabled = are_progress_bars_disabled()
    disable_progress_bars()
    try:
        yield
    finally:
        if not was_disabled:
            enable_progress_bars()


def export_hf(out_dir: str | Path, sources: ExportSources = ExportSources()) -> DatasetDict:
    """Validate every split and write them with `DatasetDict.save_to_disk` plus a dataset card
    (README.md) to ``out_dir``, which researchers open with `datasets.load_from_disk`. Written
    beside and renamed, so a failure leaves any previous export whole; ``out_dir`` is replaced only
    if it is absent, empty or a previous export. Returns the splits.

    Raises FileExistsError (``out_dir`` is something else), FileNotFoundError (a split file or the
    README is missing), RecordError (a record breaks the contract) or ExportError."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and not (out / "dataset_dict.json").is_file():
        raise FileExistsError(f"{out}: exists and is not a previous export; refusing to replace it")
    files = sources.split_files()
    absent = [str(p) for p in files.values() if not p.is_file()]
    if absent:
        raise FileNotFoundError(f"{', '.join(absent)}: no such file (the corpus is built by `make corpus`)")
    splits = DatasetDict({name: load_records_dataset(str(path)) for name, path in files.items()})
    check_articles_in_one_split(splits)
    card = dataset_card(splits, sources)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        with _no_progress_bars():
            splits.save_to_disk(str(tmp))
        with atomic_writer(tmp / "README.md") as handle:
            handle.write(card)
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700; an export is meant to be shared
        old = out.with_name(f".{out.name}.old")
        if out.exists():
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return splits
