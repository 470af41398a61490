"""Sentence splitting and article reading: tables on real Arabic and round trips on the seed articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hatif.text.articles import parse_dateline, read_article
from hatif.text.sentences import split_sentences
from conftest import REPO, SHARED

SPLITS = [
    ("قال د. محمد إن النمو بلغ 3.5 في المئة. وأضاف أن الاقتصاد تعافى.",
     ["قال د. محمد إن النمو بلغ 3.5 في المئة.", "وأضاف أن الاقتصاد تعافى."]),
    ('وقال: "سنواصل. ونأمل السلام." ثم غادر القاعة.',
     ['وقال: "سنواصل. ونأمل السلام."', "ثم غادر القاعة."]),
    ("تجب إزالة سوء التفاهم حتى لا تقع حوادث... هناك اتصالات مهمة.",
     ["تجب إزالة سوء التفاهم حتى لا تقع حوادث... هناك اتصالات مهمة."]),
    ("هل اتصل الرئيس؟ نعم، اتصل مساءً! وأكد ذلك المتحدث.",
     ["هل اتصل الرئيس؟", "نعم، اتصل مساءً!", "وأكد ذلك المتحدث."]),
    ("قال «لن نتراجع. أبداً» وأضاف أن الحوار مستمر؛ وانتهى الاجتماع.",
     ["قال «لن نتراجع. أبداً» وأضاف أن الحوار مستمر؛ وانتهى الاجتماع."]),
    ("أعلنت U.S. Army أمس عن مناورات. وتحدث الجنرال مع نظيره.",
     ["أعلنت U.S. Army أمس عن مناورات.", "وتحدث الجنرال مع نظيره."]),
    ("بلغ العجز ١٢.٥ مليار دولار. وتراجع التضخم.", ["بلغ العجز ١٢.٥ مليار دولار.", "وتراجع التضخم."]),
    ("تـحـدث الوزيرُ هاتفياً مع نظيره.  وأكدا أهمية التعاون.  ",
     ["تـحـدث الوزيرُ هاتفياً مع نظيره.", "وأكدا أهمية التعاون."]),
    ('ونقلت "تاس" عنه قوله: "تجب إزالة سوء التفاهم". وتابع بعد ذلك.',
     ['ونقلت "تاس" عنه قوله: "تجب إزالة سوء التفاهم".', "وتابع بعد ذلك."]),
    ("عنوان بلا نقطة", ["عنوان بلا نقطة"]),
    ('قال "هذا غير متوازن. فقط علامة واحدة', ['قال "هذا غير متوازن.', "فقط علامة واحدة"]),
]


@pytest.mark.parametrize("text,expected", SPLITS)
def test_split_sentences(text, expected):
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == expected


@pytest.mark.parametrize("line,value", [
    ("21 أكتوبر 2022", "2022-10-21"),
    ("الرياض، 14 مارس 2023", "2023-03-14"),
    ("القاهرة - ٣ يناير ٢٠٢٤", "2024-01-03"),
    ("مكالمة هاتفية بين لويد أوستن ونظيره الروسي سيرغي شويغو (Getty)", None),
    ("أكتوبر 2022", None),
])
def test_parse_dateline(line, value):
    assert parse_dateline(line) == value


SEEDS = sorted((SHARED / "seeds").glob("*.txt"))


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_articles_round_trip_and_match_gold(path: Path):
    article = read_article(path.read_text(encoding="utf-8"), path.stem)
    assert article.sentences, "no sentences read"
    for sent in article.sentences:
        assert article.text[sent.doc_start:sent.doc_end] == sent.text
        assert sent.text == sent.text.strip()
    gold = [json.loads(line) for line in (REPO / "corpus/gold/seed_articles.jsonl").read_text(encoding="utf-8").splitlines()]
    gold = [g for g in gold if g["doc_id"] == path.stem]
    assert [(s.id, s.text) for s in article.sentences] == [(g["id"], g["text"]) for g in gold]
    assert article.doc_date == gold[0]["doc_date"]


def test_furniture_is_not_a_sentence():
    text = "المساهمونعنوان الخبر\n\n21 أكتوبر 2022\nصورة الوزير (Getty)\n+ الخط -\n\nتحدث الوزير.\n\n(فرانس برس، الأناضول)\n"
    article = read_article(text, "x")
    assert [s.text for s in article.sentences] == ["عنوان الخبر", "صورة الوزير (Getty)", "تحدث الوزير."]
    assert article.doc_date == "2022-10-21"
    for sent in article.sentences:
        assert text[sent.doc_start:sent.doc_end] == sent.text


def test_seed_articles_are_available():
    assert len(SEEDS) == 2, (f"the seed articles are read from {SHARED / 'seeds'} (the shared folder beside the checkout; "
                             "elsewhere: make test SHARED=/path/to/shared)")


@pytest.mark.parametrize("text, max_chars, expected", [
    # an unclosed quotation mark would hold the rest open: over the limit, quotes are ignored
    ("قال «الاتصال جرى أمس. وبحثا الوضع. ثم انتهى", 30, ["قال «الاتصال جرى أمس.", "وبحثا الوضع.", "ثم انتهى"]),
    ("قال «الاتصال جرى أمس. وبحثا الوضع. ثم انتهى", 100, ["قال «الاتصال جرى أمس. وبحثا الوضع. ثم انتهى"]),
    # no terminator at all: cut at the last space before the limit
    ("كلمة عربية طويلة كلمة عربية طويلة", 12, ["كلمة عربية", "طويلة كلمة", "عربية طويلة"]),
    # a single word longer than the limit is cut at the limit
    ("ــــــــــــــــــ", 8, ["ــــــــ", "ــــــــ", "ــ"]),
])
def test_sentences_over_the_limit_are_split(text, max_chars, expected):
    assert [text[s:e] for s, e in split_sentences(text, max_chars)] == expected


def _traced_lines(text: str) -> int:
    """Python lines executed by split_sentences: a measure of work independent of the machine."""
    import sys

    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        split_sentences(text)
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("unit", [
    "كلمة عربية طويلة ",                                   # no sentence end at all
    "قال الوزير إن «الاتصال جرى أمس. وبحث الطرفان الوضع. ",  # an unclosed quotation mark per unit
    "د. م. أ. U.S. كلمة ",                                 # abbreviations: periods that end nothing
])
def test_splitter_work_is_linear_in_the_input(unit):
    small, large = _traced_lines(unit * 500), _traced_lines(unit * 2000)
    assert large <= 4.4 * small, (small, large)
