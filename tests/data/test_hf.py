"""Records as Hugging Face datasets: typed features, lossless round trip, the export read back with
`load_from_disk`, and the cached tokenisation for training."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from datasets import ClassLabel, Dataset, load_from_disk
from transformers import AutoConfig, AutoTokenizer

from hatif.data.hf import (ExportError, ExportSources, dataset_to_records, export_hf, field_docs,
                           load_records_dataset, record_features, records_to_dataset)
from hatif.data.jsonl import write_jsonl
from hatif.data.records import Entity, Record
from hatif.data.schema import load_schema
from hatif.data.validate import RecordError, load_records
from hatif.model.encoder import PRETRAINED_DIR
from hatif.model.features import make_feature
from hatif.model.joint import HatifConfig
from hatif.train import tokenize
from hatif.train.tokenize import feature_cache_key, to_features, tokenize_records
from conftest import EXAMPLE, REPO, SHARED
from helpers import tiny_tokenizer

TRAIN, DEV = REPO / "corpus/train/corpus.jsonl", REPO / "corpus/dev/corpus.jsonl"
GOLD = REPO / "corpus/gold/seed_articles.jsonl"
AUTHORED = ExportSources(train=TRAIN, dev=DEV, gold=GOLD, real_build=None, real_readme=REPO / "corpus/real/README.md")


@pytest.mark.parametrize("path", [DEV, GOLD], ids=["dev", "gold"])
def test_records_round_trip_through_a_dataset_losslessly(path):
    source = load_records(str(path))
    back = dataset_to_records(load_records_dataset(str(path)))
    assert back == source
    assert [r.to_dict() for r in back] == [r.to_dict() for r in source]


def _edit(raw: dict, **changes) -> dict:
    raw = copy.deepcopy(raw)
    for key, value in changes.items():
        if key == "date_value":
            next(e for e in raw["entities"] if e["label"] == "DATE")["value"] = value
        else:
            raw[key] = value
    return raw


@pytest.mark.parametrize("raw", [
    _edit(EXAMPLE, doc_date=None),
    _edit(EXAMPLE, doc_offset=117),
    _edit(EXAMPLE, date_value=None),  # an unresolvable DATE
    _edit(EXAMPLE, relations=[]),
], ids=["no-doc-date", "doc-offset", "null-date-value", "no-relations"])
def test_nullable_fields_survive_the_round_trip(raw):
    record = Record.from_dict(raw)
    assert dataset_to_records(records_to_dataset([record])) == [record]


def test_features_are_typed_with_the_schema_labels():
    schema = load_schema()
    ds = records_to_dataset([Record.from_dict(EXAMPLE)])
    entity, relation = ds.features["entities"].feature, ds.features["relations"].feature
    assert isinstance(entity["label"], ClassLabel) and entity["label"].names == list(schema.entity_labels)
    assert entity["polarity"].names == list(schema.polarities)
    assert relation["label"].names == list(schema.relation_labels)
    assert ds.features["doc_offset"].dtype == "int32"
    row = ds[0]
    assert [e["label"] for e in row["entities"]] == [schema.entity_labels.index(e["label"])
                                                    for e in EXAMPLE["entities"]]
    assert [e["polarity"] for e in row["entities"]][:2] == [0, None]  # asserted; a PERSON has none
    assert set(field_docs()) == set(ds.features)  # the card documents every column


@pytest.mark.parametrize("entity, message", [
    (Entity("e9", "PLACE", 5, 10, "وزير "), "PLACE"),  # outside the schema: refused when built
    (Entity("e9", "PERSON", 26, 36, "لويد أوستن", score=0.9), "carry a score"),  # a prediction
], ids=["unknown-label", "scored"])
def test_a_record_outside_the_contract_is_refused(entity, message):
    record = Record.from_dict(EXAMPLE)
    record.entities.append(entity)
    with pytest.raises(ValueError, match=message):
        records_to_dataset([record])


def test_an_edited_dataset_is_checked_on_the_way_back():
    good = records_to_dataset([Record.from_dict(EXAMPLE)])[0]
    bad = copy.deepcopy(good)
    bad["id"] = "000_b9b2ccb77d9719e0-s03"
    bad["entities"][1]["end"] = 500  # past the end of the text
    ds = Dataset.from_list([good, bad], features=record_features())
    with pytest.raises(RecordError, match=r"dev\.arrow:2: 000_b9b2ccb77d9719e0-s03: offsets: entity 'e2'"):
        dataset_to_records(ds, "dev.arrow")


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    """The real records materialised from the shared corpus, as `hatif real build` writes them."""
    from hatif.data.real import build_split_records, load_call_articles, read_selection

    out = tmp_path_factory.mktemp("real_build")
    selection = read_selection(REPO / "corpus/real/selection.tsv")
    articles = load_call_articles(SHARED / "corpora" / "call_articles")
    per_split, _ = build_split_records(selection, REPO / "corpus/real/standoff", articles)
    for split, records in per_split.items():
        write_jsonl(out / split / "corpus.jsonl", (r.to_dict() for r in records))
    return out


def _lines(path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


@pytest.mark.parametrize("with_real", [True, False], ids=["with-real", "authored-and-gold"])
def test_export_loads_back_with_load_from_disk(tmp_path, real_build, with_real):
    sources = replace(AUTHORED, real_build=real_build if with_real else None)
    export_hf(tmp_path / "hf", sources)
    loaded = load_from_disk(str(tmp_path / "hf"))
    files = sources.split_files()
    assert list(loaded) == (["train", "dev", "real_train", "real_dev", "real_test", "gold"] if with_real
                            else ["train", "dev", "gold"])
    assert {name: len(ds) for name, ds in loaded.items()} == {name: _lines(path) for name, path in files.items()}
    for name in ("dev", "gold") + (("real_test",) if with_real else ()):
        assert dataset_to_records(loaded[name].select([5]))[0] == load_records(str(files[name]))[5]
    card = (tmp_path / "hf" / "README.md").read_text(encoding="utf-8")
    assert "**`gold` and `real_test` are for reporting only: never train on them**" in card
    assert all(f"| `{column}` |" in card for column in field_docs())
    assert all(f"| `{name}` | {len(ds):,} |" in card for name, ds in loaded.items())
    assert ("Alhagri, M. A. (2015). Saudi Newspapers Arabic Corpus (SaudiNewsNet)." in card) == with_real
    assert not [p.name for p in tmp_path.iterdir() if p.name != "hf"]  # no temporary left beside


def test_export_replaces_a_previous_export(tmp_path):
    target = tmp_path / "hf"
    export_hf(target, AUTHORED)
    export_hf(target, replace(AUTHORED, train=DEV, dev=TRAIN))
    assert len(load_from_disk(str(target))["train"]) == _lines(DEV)


@pytest.mark.parametrize("target, sources, error, message", [
    ("notes", AUTHORED, FileExistsError, "not a previous export"),
    ("hf", replace(AUTHORED, train=REPO / "missing.jsonl"), FileNotFoundError, "missing.jsonl: no such file"),
    ("hf", replace(AUTHORED, gold=DEV), ExportError, "is in both dev and gold"),
], ids=["foreign-folder", "missing-split", "shared-article"])
def test_export_refusals_leave_the_disk_as_it_was(tmp_path, target, sources, error, message):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("مسودة", encoding="utf-8")
    with pytest.raises(error, match=message):
        export_hf(tmp_path / target, sources)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["notes", "notes/todo.txt"]


@pytest.fixture(scope="module")
def shipped():
    """The shipped encoder's tokenizer and a joint-model config for it."""
    tokenizer = AutoTokenizer.from_pretrained(str(PRETRAINED_DIR))
    config = HatifConfig.build(AutoConfig.from_pretrained(str(PRETRAINED_DIR)), load_schema(), window=128, stride=32)
    return tokenizer, config


@pytest.mark.parametrize("with_labels", [True, False], ids=["labels", "inference"])
def test_tokenised_dataset_equals_make_feature_and_second_call_reads_the_cache(tmp_path, shipped, with_labels,
                                                                               monkeypatch):
    tokenizer, config = shipped
    records = load_records(str(DEV))
    expected = [make_feature(r, tokenizer, config, with_labels) for r in records]
    first = tokenize_records(records_to_dataset(records), tokenizer, config, with_labels, cache_dir=tmp_path)
    assert to_features(first) == expected
    assert first["id"] == [r.id for r in records]

    def no_tokenising(*args, **kwargs):
        raise AssertionError("the second call tokenised again instead of reading the cache")

    monkeypatch.setattr(tokenize, "make_feature", no_tokenising)
    second = tokenize_records(records_to_dataset(load_records(str(DEV))), tokenizer, config, with_labels,
                              cache_dir=tmp_path)
    assert second.cache_files == first.cache_files
    assert [p.name for p in tmp_path.iterdir()] == [first.cache_files[0]["filename"].rsplit("/", 1)[1]]
    assert to_features(second) == expected


def _changed(what: str, records: list[Record], tokenizer, config: HatifConfig):
    """(records Dataset, tokenizer, config, with_labels) with one input changed."""
    if what == "data":
        records = records[1:]
    elif what == "config":
        config = HatifConfig.from_dict({**config.to_dict(), "window": 64})
    elif what == "tokenizer":
        tokenizer = tiny_tokenizer()
    return records_to_dataset(records), tokenizer, config, what != "labels"


@pytest.mark.parametrize("what, same", [("nothing", True), ("data", False), ("config", False),
                                        ("tokenizer", False), ("labels", False)])
def test_cache_key_follows_every_input(shipped, what, same):
    tokenizer, config = shipped
    records = load_records(str(GOLD))
    key = feature_cache_key(records_to_dataset(records), tokenizer, config, True)
    assert (feature_cache_key(*_changed(what, records, tokenizer, config)) == key) is same
