"""Character spans <-> subword labels through the fast tokenizer's offsets, and windows."""

from __future__ import annotations

import pytest
from transformers import BertTokenizerFast

from hatif.data.schema import load_schema
from hatif.model.alignment import (IGNORE, plan_windows, span_token_bounds, spans_to_token_labels,
                                   token_labels_to_spans, window_owners)
from hatif.model.features import encode_text, encode_texts
from helpers import fixed_wordpiece, tiny_tokenizer

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


# A fixed WordPiece vocabulary: the trained tiny one breaks ties differently from run to run,
# and the table below needs token indices that never move.
PIECES = ["اتصل", "ماكرون", "ب", "##ال", "##مستشار", "الألماني", "شولتس", "،", "أمس", "و", "##شولتس",
          "تحد", "##ّث", "الرئيسُ", "هاتف", "##يـــاً", "مع", "نظيره", "في", "٣", "أيار", "٢٠", "##٢٢",
          "Joe", "Bid", "##en", "عبر", "What", "##s", "##App", "."]


@pytest.fixture(scope="module")
def fixed_tok() -> BertTokenizerFast:
    return fixed_wordpiece(PIECES)


# token k: piece (start, end)
# S1: 0 اتصل | 1 ماكرون | 2 ب 3 ##ال 4 ##مستشار (12-21) | 5 الألماني | 6 شولتس (31-36) | 7 ، | 8 أمس
S1 = "اتصل ماكرون بالمستشار الألماني شولتس، أمس"
# S2: 0 تحد 1 ##ّث | 2 الرئيسُ (6-13) | 3 هاتف 4 ##يـــاً (14-24) | 5 مع | 6 نظيره | 7 و 8 ##شولتس (34-40)
S2 = "تحدّث الرئيسُ هاتفيـــاً مع نظيره وشولتس"
# S3: 0 في | 1 ٣ (3-4) | 2 أيار | 3 ٢٠ 4 ##٢٢ (10-14) | 5 اتصل | 6 Joe (20-23) | 7 Bid 8 ##en | 9 عبر
#     | 10 What 11 ##s 12 ##App (34-42) | 13 .
S3 = "في ٣ أيار ٢٠٢٢ اتصل Joe Biden عبر WhatsApp."

# (case, text, span text, label, (first token, last token, char start of the first word))
BOUNDS = [
    ("punctuation-attached", S1, "شولتس", "PERSON", (6, 6, 31)),
    ("last-word-three-pieces", S1, "ماكرون بالمستشار", "PERSON", (1, 4, 5)),
    ("after-clitic-ba", S1, "المستشار الألماني شولتس", "PERSON", (2, 6, 12)),
    ("diacritic-split", S2, "تحدّث", "TRIGGER", (0, 1, 0)),
    ("diacritic-then-tatweel", S2, "الرئيسُ هاتفيـــاً", "TRIGGER", (2, 4, 6)),
    ("ends-inside-word", S2, "هاتفي", "TRIGGER", (3, 4, 14)),
    ("after-clitic-waw", S2, "شولتس", "PERSON", (7, 8, 34)),
    ("arabic-indic-one-digit-first", S3, "٣ أيار ٢٠٢٢", "DATE", (1, 4, 3)),
    ("latin-name", S3, "Joe Biden", "PERSON", (6, 8, 20)),
    ("latin-before-full-stop", S3, "WhatsApp", "TRIGGER", (10, 12, 34)),
]


@pytest.mark.parametrize("case,text,part,label,expected", BOUNDS, ids=[b[0] for b in BOUNDS])
def test_span_token_bounds(fixed_tok, case, text, part, label, expected):
    enc = encode_text(text, fixed_tok, None)
    start, end, _ = _span(text, part, label)
    assert span_token_bounds(enc.word_ids, enc.offsets, start, end) == expected


@pytest.mark.parametrize("case,text,part,label,expected", BOUNDS, ids=[b[0] for b in BOUNDS])
def test_span_tags_cover_exactly_the_bounded_words(fixed_tok, case, text, part, label, expected):
    # B- on the first word's first piece, I- on each later word's first piece up to the last token
    enc = encode_text(text, fixed_tok, None)
    first, last, _ = expected
    word_firsts = {w: i for i, w in reversed(list(enumerate(enc.word_ids)))}.values()
    tags = [IGNORE] * len(enc.ids)
    for i in word_firsts:
        tags[i] = LABEL2ID[f"B-{label}" if i == first else f"I-{label}" if first < i <= last else "O"]
    assert spans_to_token_labels(enc.word_ids, enc.offsets, [_span(text, part, label)], LABEL2ID) == tags


def test_span_between_words_has_no_bounds(fixed_tok):
    enc = encode_text(S1, fixed_tok, None)
    space = S1.index(" ب")
    assert span_token_bounds(enc.word_ids, enc.offsets, space, space + 1) is None


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
