"""Character spans <-> subword labels through the fast tokenizer's offsets, and windows."""

from __future__ import annotations

import pytest

from hatif.data.schema import load_schema
from hatif.model.alignment import (IGNORE, plan_windows, span_token_bounds, spans_to_token_labels,
                                   token_labels_to_spans, window_owners)
from hatif.model.features import encode_text, encode_texts
from helpers import tiny_tokenizer

TAGS = load_schema().bio_labels()
LABEL2ID = {t: i for i, t in enumerate(TAGS)}
ID2LABEL = dict(enumerate(TAGS))


@pytest.fixture(scope="module")
def tok():
    return tiny_tokenizer()


def _span(text: str, part: str, label: str) -> tuple[int, int, str]:
    start = text.index(part)
    return start, start + len(part), label


# (sentence, [(span text, label)], spans expected back after decoding: whole words)
TABLE = [
    ("تحدّث الرئيسُ هاتفيـــاً مع نظيره", [("تحدّث", "TRIGGER"), ("هاتفيـــاً", "TRIGGER")], None),
    ("إتصل آنتوني بلينكن بنظيره أمس", [("إتصل", "TRIGGER"), ("آنتوني بلينكن", "PERSON"), ("أمس", "DATE")], None),
    ("في ١٣ أيار ٢٠٢٢، تحدث الوزيران", [("١٣ أيار ٢٠٢٢", "DATE"), ("تحدث", "TRIGGER")], None),
    ("اتصال عبر WhatsApp مع G20 اليوم", [("اتصال عبر WhatsApp", "TRIGGER"), ("اليوم", "DATE")], None),
    ("وقال: \"الوضع في أوكرانيا\" مقلق.", [("الوضع في أوكرانيا", "TOPIC")], None),
    # a PERSON after a clitic: tags cover the whole word; the clitic head restores the start
    ("هاتف وشولتس ماكرون", [("شولتس", "PERSON"), ("ماكرون", "PERSON")], [("وشولتس", "PERSON"), ("ماكرون", "PERSON")]),
]


@pytest.mark.parametrize("text,marked,back", TABLE, ids=[t[0][:12] for t in TABLE])
def test_round_trip(tok, text, marked, back):
    enc = encode_text(text, tok, None)
    spans = [_span(text, part, label) for part, label in marked]
    labels = spans_to_token_labels(enc.word_ids, enc.offsets, spans, LABEL2ID)
    assert len(labels) == len(enc.ids)
    # exactly one labelled token per word, the first subword
    firsts = {w: i for i, w in reversed(list(enumerate(enc.word_ids)))}
    assert {i for i, lab in enumerate(labels) if lab != IGNORE} == set(firsts.values())
    decoded = [(s, e, lab) for s, e, lab, _, _ in token_labels_to_spans(enc.word_ids, enc.offsets, labels, ID2LABEL)]
    expected = [_span(text, part, label) for part, label in (back or marked)]
    assert decoded == sorted(expected)


@pytest.mark.parametrize("preprocessing", [None, "aubmindlab/bert-base-arabertv02"])
def test_batch_encoding_equals_one_by_one(tok, preprocessing):
    # inference tokenises a whole buffer in one call; it must give each sentence what encode_text gives it
    texts = [t for t, _, _ in TABLE] + ["", "كتب سطراً قصيراً"]
    assert encode_texts(texts, tok, preprocessing) == [encode_text(t, tok, preprocessing) for t in texts]


def test_span_token_bounds_reports_word_start(tok):
    text = "هاتف وشولتس ماكرون"
    enc = encode_text(text, tok, None)
    first, last, word_start = span_token_bounds(enc.word_ids, enc.offsets, 6, 11)
    assert word_start == 5 and first <= last
    assert enc.offsets[first][0] == 5


@pytest.mark.parametrize("tags,expected", [
    (["B-PERSON", "I-PERSON", "O"], [(0, 2, "PERSON")]),
    (["I-DATE", "I-DATE", "O"], [(0, 2, "DATE")]),            # lenient: I- opens a span
    (["B-PERSON", "I-DATE", "O"], [(0, 1, "PERSON"), (1, 2, "DATE")]),
    (["B-PERSON", "B-PERSON", "I-PERSON"], [(0, 1, "PERSON"), (1, 3, "PERSON")]),
    (["O", "O", "O"], []),
])
def test_bio_decoding(tags, expected):
    # three one-character words "a b c" at offsets 0, 1, 2 (word k = chars [k, k+1))
    word_ids, offsets = [None, 0, 1, 2, None], [(0, 0), (0, 1), (1, 2), (2, 3), (0, 0)]
    ids = [0] + [LABEL2ID[t] for t in tags] + [0]
    assert [(s, e, lab) for s, e, lab, _, _ in token_labels_to_spans(word_ids, offsets, ids, ID2LABEL)] == expected


@pytest.mark.parametrize("n,window,stride,expected", [
    (5, 10, 2, [(0, 5)]),
    (10, 10, 2, [(0, 10)]),
    (12, 10, 2, [(0, 10), (8, 12)]),
    (25, 10, 4, [(0, 10), (6, 16), (12, 22), (18, 25)]),
])
def test_plan_windows(n, window, stride, expected):
    assert plan_windows(n, window, stride) == expected


def test_window_owners_prefer_central_positions():
    windows = plan_windows(25, 10, 4)
    owners = window_owners(25, windows)
    assert len(owners) == 25
    for tok_index, (k, pos) in enumerate(owners):
        a, b = windows[k]
        assert a + pos == tok_index and a <= tok_index < b
    assert owners[7] == (0, 7) and owners[9] == (1, 3)  # token 9 sits deeper inside window 1


def test_plan_windows_rejects_bad_stride():
    with pytest.raises(ValueError):
        plan_windows(10, 4, 4)


def test_anercorp_person_feature_labels_only_what_the_corpus_knows(tok):
    from hatif.model.features import make_person_feature
    from helpers import tiny_model

    words = ["وقال", "جو", "بايدن", "في", "واشنطن", "أمس"]
    tags = ["O", "B-PERS", "I-PERS", "O", "B-LOC", "O"]
    feature = make_person_feature(words, tags, tok, tiny_model(tok).config)
    text = " ".join(words)
    labelled = {text[feature.encoded.offsets[i][0]:feature.encoded.offsets[i][1]]: ID2LABEL[lab]
                for i, lab in enumerate(feature.tag_labels) if lab != IGNORE}
    assert labelled.get("جو") == "B-PERSON" or any(v == "B-PERSON" for v in labelled.values())
    assert "I-PERSON" in labelled.values() and "O" in labelled.values()   # واشنطن: LOC -> O
    words_with_o_tag = {"وقال", "في", "أمس"}
    assert not any(piece in words_with_o_tag for piece in labelled)     # unknown to ANERcorp: ignored
