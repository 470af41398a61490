"""The training corpus: it validates, matches its authored sources, is split by article and
shares no run of 8 words with the gold set; and `hatif compile`, which writes it."""

from __future__ import annotations


import pytest
from typer.testing import CliRunner

from hatif.cli import app
from hatif.text.arabic import word_ngrams
from hatif.data.corpus import CorpusError, compile_all, read_split_file, records_by_split
from hatif.data.validate import load_records
from conftest import REPO

TRAIN, DEV = REPO / "corpus/train/corpus.jsonl", REPO / "corpus/dev/corpus.jsonl"
GOLD = REPO / "corpus/gold/seed_articles.jsonl"
TINY = REPO / "tests/fixtures/tiny-001.ann"  # one article, 4 sentences
NGRAM = 8


@pytest.fixture(scope="module")
def corpus():
    return {"train": load_records(str(TRAIN)), "dev": load_records(str(DEV))}


def _ngrams(text: str) -> set[tuple[str, ...]]:
    return word_ngrams(text, NGRAM)


def test_ngram_helper_sees_shared_runs():
    gold = "تحدث وزير الدفاع الأميركي لويد أوستن ونظيره الروسي سيرغي شويغو اليوم"
    assert _ngrams(gold) & _ngrams("وقال إن وزير الدفاع الأميركي لويد اوستن ونظيره الروسي سيرغي شويغو تحدثا")
    assert not _ngrams(gold) & _ngrams("وزير الدفاع الأميركي لويد أوستن التقى نظيره الياباني في طوكيو أمس")


def test_no_training_sentence_shares_eight_words_with_gold(corpus):
    gold = set().union(*(_ngrams(r.text) for r in load_records(str(GOLD))))
    leaks = [(r.id, " ".join(sorted(_ngrams(r.text) & gold)[0]))
             for recs in corpus.values() for r in recs if _ngrams(r.text) & gold]
    assert not leaks, leaks[:10]


def test_compiled_files_are_up_to_date_with_sources(corpus):
    articles, problems = compile_all([str(REPO / "corpus/authored")])
    assert not problems, problems[:10]
    splits = read_split_file(REPO / "corpus/splits.tsv")
    for name in ("train", "dev"):
        expected = [r.to_dict() for a in articles if splits[a.doc_id] == name for r in a.records]
        assert [r.to_dict() for r in corpus[name]] == expected, f"data/{name} is stale: run make corpus"


def test_split_is_by_article_and_dev_is_about_fifteen_percent(corpus):
    train_docs = {r.doc_id for r in corpus["train"]}
    dev_docs = {r.doc_id for r in corpus["dev"]}
    assert not train_docs & dev_docs
    assert 0.12 <= len(dev_docs) / (len(train_docs) + len(dev_docs)) <= 0.2


def test_every_authored_article_is_assigned_a_split():
    splits = read_split_file(REPO / "corpus/splits.tsv")
    sources = {p.stem for p in (REPO / "corpus/authored").rglob("*.ann")}
    assert sources == set(splits)
    assert set(splits.values()) == {"train", "dev"}


@pytest.fixture(scope="module")
def real_records():
    from hatif.data.real import build_split_records, load_call_articles, read_selection
    from conftest import SHARED

    per_split, _ = build_split_records(read_selection(REPO / "corpus/real/selection.tsv"), REPO / "corpus/real/standoff",
                                       load_call_articles(SHARED / "corpora" / "call_articles"))
    return per_split


def test_no_real_sentence_shares_eight_words_with_gold(real_records):
    gold = set().union(*(_ngrams(r.text) for r in load_records(str(GOLD))))
    leaks = [r.id for recs in real_records.values() for r in recs if _ngrams(r.text) & gold]
    assert not leaks, leaks[:10]


def test_real_test_shares_no_eight_words_with_training_data(corpus, real_records):
    train = set().union(*(_ngrams(r.text) for r in corpus["train"] + real_records["train"]))
    leaks = [r.id for r in real_records["test"] if _ngrams(r.text) & train]
    assert not leaks, leaks[:10]


# --- hatif compile ----------------------------------------------------------------------

# split file -> what records_by_split raises (None: nothing) and the last line `hatif compile` prints.
SPLIT_FILES = {
    "tiny-001\ttrain\n": (None, "wrote {out}/train/corpus.jsonl (4 records)"),
    "# a comment\nother\tdev\n": ("no split for tiny-001", "{split}: no split for tiny-001"),
    "tiny-001 train\n": ("expected 'doc_id<TAB>split'", "{split}:1: expected 'doc_id<TAB>split', got 'tiny-001 train'"),
    "tiny-001\ttrain\ntiny-001\tdev\n": ("assigned twice", "{split}:2: tiny-001 is assigned twice"),
}


@pytest.mark.parametrize("text", SPLIT_FILES)
def test_compile_writes_each_split_or_names_the_split_file(tmp_path, text):
    refused, last_line = SPLIT_FILES[text]
    split_file, out = tmp_path / "splits.tsv", tmp_path / "out"
    split_file.write_text(text, encoding="utf-8")
    articles, _ = compile_all([str(TINY)])
    if refused:
        with pytest.raises(CorpusError, match=refused):
            records_by_split(articles, split_file)
    else:
        assert records_by_split(articles, split_file) == {"train": [r.to_dict() for r in articles[0].records]}
    result = CliRunner().invoke(app, ["compile", str(TINY), "--split-file", str(split_file), "--out-dir", str(out),
                                      "--articles-dir", str(tmp_path / "txt")])
    assert result.exit_code == (1 if refused else 0)
    assert result.stderr.splitlines() == ["1 article(s), 4 sentence record(s), 0 violation(s)",
                                          last_line.format(out=out, split=split_file)]
    assert (out / "train" / "corpus.jsonl").is_file() != bool(refused)
    assert (tmp_path / "txt" / "tiny-001.txt").is_file() != bool(refused)


def test_compile_lists_violations_and_writes_nothing(tmp_path):
    bad = tmp_path / "tiny-001.ann"
    bad.write_text(TINY.read_text(encoding="utf-8").replace("{PERSON caller>t1}", "{PERSN caller>t1}"), encoding="utf-8")
    result = CliRunner().invoke(app, ["compile", str(bad), "--out", str(tmp_path / "all.jsonl")])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{bad}:3: tiny-001: markup: span [ماكرون] needs a label")
    assert result.stderr == "0 article(s), 0 sentence record(s), 1 violation(s)\n"
    assert not (tmp_path / "all.jsonl").exists()
    result = CliRunner().invoke(app, ["compile", str(TINY), "--check", "--out", str(tmp_path / "all.jsonl")])
    assert result.exit_code == 0 and not (tmp_path / "all.jsonl").exists()
