"""Table tests of word_tags: character spans to word-level IOB2 tags on real Arabic."""

from __future__ import annotations

import pytest

from hatif.data.records import Entity
from hatif.eval.word_tags import word_tags


def span(text: str, label: str, phrase: str, nth: int = 1) -> Entity:
    """The entity over the nth occurrence of ``phrase`` in ``text``."""
    start = -1
    for _ in range(nth):
        start = text.index(phrase, start + 1)
    return Entity(id=f"{label}{start}", label=label, start=start, end=start + len(phrase), text=phrase)


CASES = [
    # (case, text, [(label, phrase)], words, tags)
    ("clitic-waw", "تحدث أوستن وشويغو", [("PERSON", "أوستن"), ("PERSON", "شويغو")],
     ["تحدث", "أوستن", "وشويغو"], ["O", "B-PERSON", "B-PERSON"]),
    ("clitic-lam", "قال لأوستن إن الاتصال تم", [("PERSON", "أوستن"), ("TRIGGER", "الاتصال")],
     ["قال", "لأوستن", "إن", "الاتصال", "تم"], ["O", "B-PERSON", "O", "B-TRIGGER", "O"]),
    ("clitic-ba", "اتصل بنظيره الروسي", [("PERSON", "نظيره الروسي")],
     ["اتصل", "بنظيره", "الروسي"], ["O", "B-PERSON", "I-PERSON"]),
    ("diacritics", "اتَّصَلَ بُوتِين بِبايدن", [("TRIGGER", "اتَّصَلَ"), ("PERSON", "بايدن")],
     ["اتَّصَلَ", "بُوتِين", "بِبايدن"], ["B-TRIGGER", "O", "B-PERSON"]),
    ("tatweel", "أجرى اتصـــالاً هاتفيـاً", [("TRIGGER", "اتصـــالاً هاتفيـاً")],
     ["أجرى", "اتصـــالاً", "هاتفيـاً"], ["O", "B-TRIGGER", "I-TRIGGER"]),
    ("hamza-forms", "هاتف أردوغان إبراهيم رئيسي وآل ثاني",
     [("PERSON", "أردوغان"), ("PERSON", "إبراهيم رئيسي")],
     ["هاتف", "أردوغان", "إبراهيم", "رئيسي", "وآل", "ثاني"],
     ["O", "B-PERSON", "B-PERSON", "I-PERSON", "O", "O"]),
    ("arabic-indic-digits", "في ١٣ مايو/ أيار ٢٠٢٢", [("DATE", "١٣ مايو/ أيار ٢٠٢٢")],
     ["في", "١٣", "مايو", "/", "أيار", "٢٠٢٢"],
     ["O", "B-DATE", "I-DATE", "I-DATE", "I-DATE", "I-DATE"]),
    ("latin-inside-arabic", "كتب على Telegram أن Joe Biden اتصل", [("PERSON", "Joe Biden")],
     ["كتب", "على", "Telegram", "أن", "Joe", "Biden", "اتصل"],
     ["O", "O", "O", "O", "B-PERSON", "I-PERSON", "O"]),
    ("latin-combining-accent", "اتصل Jose\u0301 Alvarez", [("PERSON", "Jose\u0301 Alvarez")],
     ["اتصل", "Jose\u0301", "Alvarez"], ["O", "B-PERSON", "I-PERSON"]),
    ("punctuation-around", "(أوستن)، وشويغو.", [("PERSON", "أوستن"), ("PERSON", "شويغو")],
     ["(", "أوستن", ")", "،", "وشويغو", "."], ["O", "B-PERSON", "O", "O", "B-PERSON", "O"]),
    ("quotes-inside-span", 'شدد على "إبقاء قنوات التواصل" اليوم',
     [("TOPIC", '"إبقاء قنوات التواصل"'), ("DATE", "اليوم")],
     ["شدد", "على", '"', "إبقاء", "قنوات", "التواصل", '"', "اليوم"],
     ["O", "O", "B-TOPIC", "I-TOPIC", "I-TOPIC", "I-TOPIC", "I-TOPIC", "B-DATE"]),
    ("span-ends-inside-word", "تحدث شويغو", [("PERSON", "شوي")],
     ["تحدث", "شويغو"], ["O", "B-PERSON"]),
    ("no-entities", "هناك اتصالات مهمة على الدوام.", [],
     ["هناك", "اتصالات", "مهمة", "على", "الدوام", "."], ["O"] * 6),
    ("empty-text", "", [], [], []),
]


@pytest.mark.parametrize("case,text,spans,words,tags", CASES, ids=[c[0] for c in CASES])
def test_word_tags(case: str, text: str, spans: list, words: list, tags: list) -> None:
    entities = [span(text, label, phrase) for label, phrase in spans]
    assert word_tags(text, entities) == (words, tags)


CALL = "تحدث أوستن وشويغو"

# (case, text, entities in the order given, tags)
ORDERED = [
    ("entity-order-does-not-matter", CALL,
     [span(CALL, "PERSON", "شويغو"), span(CALL, "PERSON", "أوستن")], ["O", "B-PERSON", "B-PERSON"]),
    # Only a careless prediction puts two spans in one word: the first keeps it, the later
    # span gets only the words it has left.
    ("two-spans-in-one-word", "تحدث شويغو اليوم",
     [Entity("b", "DATE", 7, 16, "يغو اليوم"), Entity("a", "PERSON", 5, 7, "شو")], ["O", "B-PERSON", "B-DATE"]),
    ("later-span-has-no-free-word", "تحدث شويغو اليوم",
     [Entity("a", "PERSON", 5, 7, "شو"), Entity("c", "DATE", 7, 10, "يغو")], ["O", "B-PERSON", "O"]),
]


@pytest.mark.parametrize("case,text,entities,tags", ORDERED, ids=[c[0] for c in ORDERED])
def test_overlapping_and_unordered_spans(case: str, text: str, entities: list[Entity], tags: list[str]) -> None:
    assert word_tags(text, entities)[1] == tags
