"""Real news as standoff: seeded selection, .ann round trip, hash check, build, leakage, guard."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from hatif.text.arabic import word_ngrams
from hatif.data.authoring import compile_article
from hatif.data.real import (StandoffError, TITLE, article_to_ann, build_records, build_split_records,
                             cut_length, import_ann, load_call_articles, read_selection, read_standoff,
                             select_articles, selection_commands, sentence_hash, Selection, extend_selection, Extension)
from hatif.data.training_data import GoldDataError, load_training_records
from hatif.data.validate import load_records
from conftest import REPO, SHARED

SELECTION = REPO / "corpus/real/selection.tsv"
STANDOFF = REPO / "corpus/real/standoff"
CALL_ARTICLES = SHARED / "corpora" / "call_articles"

ARTICLE = {
    "doc_id": "ant-TEST-1", "corpus": "ANT", "outlet": "skynews", "date": "2018-05-10", "call_cue": "strong",
    "title": "ترامب يتلقى اتصالاً هاتفياً من ماكرون",
    "paragraphs": [
        "تلقى الرئيس الأميركي دونالد ترامب اتصالاً هاتفياً من نظيره الفرنسي إيمانويل ماكرون، أمس الأربعاء. وبحثا الملف النووي الإيراني.",
        "وقال ماكرون إن المكالمة كانت «صريحة».",
    ],
}
MARKED = """doc_id: ant-TEST-1
doc_date: 2018-05-10
headline: [ترامب]{PERSON callee>t1} يتلقى [اتصالاً هاتفياً]{TRIGGER#t1 asserted} من [ماكرون]{PERSON caller>t1}
===
تلقى الرئيس الأميركي [دونالد ترامب]{PERSON callee>t2} [اتصالاً هاتفياً]{TRIGGER#t2 asserted} من نظيره الفرنسي [إيمانويل ماكرون]{PERSON caller>t2}، [أمس الأربعاء]{DATE =2018-05-09 date>t2}. وبحثا الملف النووي الإيراني.
وقال [ماكرون]{PERSON} إن [المكالمة]{TRIGGER#t3 asserted} كانت «صريحة».
"""


def _import(tmp_path: Path, text: str, article: dict = ARTICLE):
    ann = tmp_path / f"{article['doc_id']}.ann"
    ann.write_text(text, encoding="utf-8")
    selection = {article["doc_id"]: _selected(article)}
    return import_ann(ann, {article["doc_id"]: article}, selection, "tester")


def _selected(article: dict):
    from hatif.data.real import Selection

    return Selection(article["doc_id"], article["corpus"], article["outlet"], article["call_cue"], "train",
                     len(article["paragraphs"]), 0)


def test_blank_export_compiles_to_every_sentence_of_the_article(tmp_path):
    standoff, problems = _import(tmp_path, article_to_ann(ARTICLE, 2))
    assert not problems
    places = [(s["para"], s["start"], s["end"]) for s in standoff["sentences"]]
    first = ARTICLE["paragraphs"][0].index("وبحثا")
    assert places == [(TITLE, 0, len(ARTICLE["title"])), (0, 0, first - 1),
                      (0, first, len(ARTICLE["paragraphs"][0])), (1, 0, len(ARTICLE["paragraphs"][1]))]
    assert all(not s["entities"] for s in standoff["sentences"])


def test_import_build_export_round_trip(tmp_path):
    standoff, problems = _import(tmp_path, MARKED)
    assert not problems, problems
    records = build_records(standoff, ARTICLE, "x")
    expected = compile_article(tmp_path / "ant-TEST-1.ann")[0].records
    without_offset = [{k: v for k, v in r.to_dict().items() if k != "doc_offset"} for r in expected]
    assert [r.to_dict() for r in records] == without_offset
    assert records[1].entities[1].text == "اتصالاً هاتفياً" and records[1].entities[3].value == "2018-05-09"
    # standoff -> .ann -> standoff gives the same annotation (trigger names may differ)
    again, problems = _import(tmp_path, article_to_ann(ARTICLE, 2, standoff))
    assert not problems and again == standoff


def test_standoff_holds_no_article_text(tmp_path):
    standoff, _ = _import(tmp_path, MARKED)
    dumped = json.dumps(standoff, ensure_ascii=False)
    assert "ماكرون" not in dumped and "اتصال" not in dumped


def test_changed_corpus_text_fails_loudly_with_place(tmp_path):
    standoff, _ = _import(tmp_path, MARKED)
    changed = dict(ARTICLE, paragraphs=[ARTICLE["paragraphs"][0].replace("أمس", "امس"), ARTICLE["paragraphs"][1]])
    with pytest.raises(StandoffError, match=r"standoff/x\.json: ant-TEST-1-s01: hash-mismatch: .*paragraph 0"):
        build_records(standoff, changed, "standoff/x.json")


def test_edited_text_in_ann_is_refused(tmp_path):
    _, problems = _import(tmp_path, MARKED.replace("صريحة", "صريحه"))
    assert [p.rule for p in problems] == ["corpus-text"]
    assert "differs from the corpus" in problems[0].detail


@pytest.mark.parametrize("cue_counts, total, expected", [
    ({"strong": 20, "weak": 20, "none": 20}, 20, {"strong": 13, "weak": 4, "none": 3}),
    ({"strong": 40, "weak": 10, "none": 10}, 40, {"strong": 26, "weak": 8, "none": 6}),
])
def test_selection_follows_cue_shares_corpora_and_is_seeded(cue_counts, total, expected):
    articles = {}
    for cue, n in cue_counts.items():
        for i in range(n):
            for corpus, outlets in (("A", ("a1", "a2", "a3")), ("B", ("b1", "b2"))):
                doc = f"{corpus}-{cue}-{i}"
                articles[doc] = dict(ARTICLE, doc_id=doc, corpus=corpus, outlet=outlets[i % len(outlets)], call_cue=cue,
                                     title="خبر", paragraphs=["نص قصير جداً."])
    shares = {"strong": 0.65, "weak": 0.20, "none": 0.15}
    rows = select_articles(articles, total, shares, 7, {"test": 0.27, "dev": 0.16}, 40)
    assert rows == select_articles(articles, total, shares, 7, {"test": 0.27, "dev": 0.16}, 40)
    assert rows != select_articles(articles, total, shares, 8, {"test": 0.27, "dev": 0.16}, 40)
    assert Counter(r.cue for r in rows) == expected
    assert abs(sum(r.corpus == "A" for r in rows) - total / 2) <= 2
    assert {r.outlet for r in rows} == {"a1", "a2", "a3", "b1", "b2"}
    splits = Counter(r.split for r in rows)
    assert splits["test"] >= 0.25 * total and splits["dev"] >= 0.15 * total


def test_articles_sharing_eight_words_land_in_one_split():
    wire = "وأجرى وزير الخارجية اتصالاً هاتفياً بنظيره الفرنسي بحثا خلاله العلاقات الثنائية."
    articles = {f"d{i}": dict(ARTICLE, doc_id=f"d{i}", corpus="A", outlet="a", call_cue="strong", title="خبر",
                              paragraphs=[wire if i in (3, 11, 17) else f"نص {i}."]) for i in range(40)}
    rows = {r.doc_id: r.split for r in select_articles(articles, 40, {"strong": 1.0, "weak": 0.0, "none": 0.0}, 5,
                                                       {"test": 0.25, "dev": 0.15}, 40)}
    assert rows["d3"] == rows["d11"] == rows["d17"]
    authored = word_ngrams(wire)
    rows = {r.doc_id: r.split for r in select_articles(articles, 40, {"strong": 1.0, "weak": 0.0, "none": 0.0}, 5,
                                                       {"test": 0.25, "dev": 0.15}, 40, authored)}
    assert rows["d3"] == rows["d11"] == rows["d17"] == "train"


def test_long_article_is_cut_after_last_call_paragraph_plus_two():
    filler = "وأضاف المتحدث أن الاجتماع سيعقد في موعده. " * 5
    paragraphs = [filler] * 3 + ["وأجرى الوزير اتصالاً هاتفياً بنظيره."] + [filler] * 6
    assert cut_length(dict(ARTICLE, paragraphs=paragraphs), 40) == 6
    assert cut_length(dict(ARTICLE, paragraphs=paragraphs), 100) == len(paragraphs)


def test_real_test_articles_are_refused_for_training(tmp_path):
    test_ids = [s.doc_id for s in read_selection(SELECTION) if s.split == "test"]
    record = {"id": f"{test_ids[0]}-s00", "doc_id": test_ids[0], "doc_date": "2018-05-10",
              "text": "نص", "entities": [], "relations": []}
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(GoldDataError, match="real test"):
        load_training_records(str(path))


def _options(command: str) -> dict[str, str]:
    words = command.split()
    return dict(zip(words[3::2], words[4::2]))


def test_committed_selection_is_what_the_documented_commands_give():
    select, *extensions = selection_commands(SELECTION)
    assert select.startswith("hatif real select --total 300 --seed 2015")
    assert extensions and all(command.startswith("hatif real extend") for command in extensions)
    args = _options(select)
    articles = load_call_articles(CALL_ARTICLES)
    authored = set().union(*(word_ngrams(r.text) for r in load_records(str(REPO / args["--authored-train"]))))
    rows = select_articles(articles, int(args["--total"]),
                           {c: float(args[f"--{c}"]) for c in ("strong", "weak", "none")}, int(args["--seed"]),
                           {"test": float(args["--test"]), "dev": float(args["--dev"])}, int(args["--max-sentences"]),
                           authored)
    for command in extensions:
        more = _options(command)
        wanted = Extension(int(more["--cued"]), int(more["--unreached"]), int(more["--dense"]),
                           tuple(more["--dense-cues"].split(",")), int(more["--single"]))
        rows, _ = extend_selection(articles, rows, wanted, int(more["--seed"]),
                                   {"test": float(more["--test"]), "dev": float(more["--dev"])},
                                   int(more["--max-sentences"]), authored)
    assert rows == read_selection(SELECTION)


def test_extension_keeps_old_splits_and_places_new_articles_with_their_text():
    wire = "وأجرى وزير الخارجية اتصالاً هاتفياً بنظيره الفرنسي بحثا خلاله العلاقات الثنائية."
    other = "وتلقى ولي العهد اتصالاً هاتفياً من رئيس الوزراء البريطاني تناول خلاله مستجدات المنطقة."
    third = "وبحث الملك هاتفياً مع الرئيس الأمريكي سبل تعزيز التعاون بين البلدين في مختلف المجالات."
    texts = {"old-test": wire, "old-dev": other, "old-test-2": third,
             "new-wire": wire + " ولم يتلق الوزير أي اتصال هاتفي من نظيره.",
             "new-bridge": other + " " + third, "new-alone": "وأجرى الرئيس اتصالاً هاتفياً بنظيره. ولم يجر الوزير أي اتصال هاتفي بعد.",
             "new-plain": "نص بلا اتصال."}
    articles = {d: dict(ARTICLE, doc_id=d, corpus="A", outlet="a", call_cue="strong", title="خبر", paragraphs=[t])
                for d, t in texts.items()}
    existing = [Selection("old-test", "A", "a", "strong", "test", 1, 2),
                Selection("old-dev", "A", "a", "strong", "dev", 1, 2),
                Selection("old-test-2", "A", "a", "strong", "test", 1, 2)]
    rows, offered = extend_selection(articles, existing, Extension(cued=2, dense=5), 3, {"test": 0.3, "dev": 0.2}, 40)
    splits = {r.doc_id: r.split for r in rows}
    assert offered == 3  # the call-less article is never offered
    assert splits["old-test"] == "test" and splits["old-dev"] == "dev"
    assert splits["new-wire"] == "test"  # shares the old test article's wire text
    assert "new-bridge" not in splits  # would tie a test and a dev group together
    assert "new-alone" in splits
    # the later strata: a `none` article where nobody could be reached, a short single-call one
    articles["new-unreached"] = dict(ARTICLE, doc_id="new-unreached", corpus="A", outlet="a", call_cue="none",
                                     title="خبر", paragraphs=["وقال المصدر إن الوضع هادئ. ولم يتسن الاتصال بالمتحدث."])
    articles["new-single"] = dict(ARTICLE, doc_id="new-single", corpus="A", outlet="a", call_cue="weak",
                                  title="خبر", paragraphs=["وتلقى الوزير اتصالاً هاتفياً من نظيره."])
    rows, offered = extend_selection(articles, rows, Extension(unreached=1, single=1), 3, {"test": 0.3, "dev": 0.2}, 40)
    assert offered == 2 and {"new-unreached", "new-single"} <= {r.doc_id for r in rows}


def test_every_standoff_file_builds_and_validates():
    articles = load_call_articles(CALL_ARTICLES)
    selection = read_selection(SELECTION)
    per_split, missing = build_split_records(selection, STANDOFF, articles)
    done = {r.doc_id for recs in per_split.values() for r in recs}
    assert len(done) + len(missing) == len(selection)
    for path in STANDOFF.glob("*.json"):
        assert read_standoff(path)["doc_id"] in {s.doc_id for s in selection}, path
    for recs in per_split.values():
        for record in recs:
            assert sentence_hash(record.text) in {s["sha1"] for s in read_standoff(STANDOFF / f"{record.doc_id}.json")["sentences"]}


def test_export_blank_hides_the_first_annotation_from_a_second_annotator(tmp_path):
    from typer.testing import CliRunner

    from hatif.cli import app

    doc = next(s.doc_id for s in read_selection(SELECTION)
               if any(sent["entities"] for sent in read_standoff(STANDOFF / f"{s.doc_id}.json")["sentences"]))
    common = ["real", "export", doc, "--standoff-dir", str(STANDOFF), "--selection", str(SELECTION),
              "--corpus-dir", str(CALL_ARTICLES), "--overwrite"]
    for flag, marked in (([], True), (["--blank"], False)):
        result = CliRunner().invoke(app, common + ["--out-dir", str(tmp_path)] + flag)
        assert result.exit_code == 0, result.output
        assert ("]{" in (tmp_path / f"{doc}.ann").read_text(encoding="utf-8")) is marked
