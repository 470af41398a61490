"""Tests of mention-replacement augmentation (data/augment.py) on hand-made Arabic records."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from hatif.data.augment import (Gazetteer, apply_edits, augment, augment_record, build_gazetteer,
                                date_kind, date_variants, is_title_phrase)
from hatif.text.dates import resolve_date
from hatif.data.records import Record
from hatif.data.training_data import GoldDataError
from hatif.data.validate import check_record

from conftest import EXAMPLE
from helpers import make_record


CALL = make_record(
    "تلقى وزير الخارجية فيصل بن فرحان اتصالاً هاتفياً من نظيره حسين أمير عبد اللهيان مساء أمس الاثنين، "
    "بحثا خلاله تطورات الأوضاع في المنطقة، وأكد بن فرحان أن المكالمة جاءت بعد لقاء 10 مارس/ آذار الماضي.",
    [("PERSON", "فيصل بن فرحان"), ("TRIGGER", "اتصالاً هاتفياً", "asserted"),
     ("PERSON", "حسين أمير عبد اللهيان"), ("DATE", "مساء أمس الاثنين", "2023-04-03"),
     ("TOPIC", "تطورات الأوضاع في المنطقة"), ("PERSON", "بن فرحان"),
     ("TRIGGER", "المكالمة", "asserted"), ("DATE", "10 مارس/ آذار الماضي", "2023-03-10")],
    [(2, 1, "callee"), (2, 3, "caller"), (2, 4, "date"), (2, 5, "topic")])
OTHERS = [
    make_record("تحدث الرئيس المصري هاتفياً مع العاهل الأردني.", [("TRIGGER", "تحدث", "asserted")],
                rid="t-002-s00"),
    make_record("اتصل ماكرون بشولتس أواخر مايو الماضي لبحث دعم أوكرانيا عسكرياً.",
                [("TRIGGER", "اتصل", "asserted"), ("PERSON", "ماكرون"), ("PERSON", "شولتس"),
                 ("DATE", "أواخر مايو الماضي", "2022-05"), ("TOPIC", "دعم أوكرانيا عسكرياً")],
                [(1, 2, "caller"), (1, 3, "callee"), (1, 4, "date"), (1, 5, "topic")], rid="t-003-s01"),
    make_record("ومن المقرر أن يتحدث أردوغان مع بوتين هاتفياً الأسبوع المقبل بشأن صفقة الحبوب.",
                [("TRIGGER", "يتحدث", "hypothetical"), ("PERSON", "أردوغان"), ("PERSON", "بوتين"),
                 ("DATE", "الأسبوع المقبل", "2023-W15"), ("TOPIC", "صفقة الحبوب")],
                [(1, 2, "caller"), (1, 3, "callee"), (1, 4, "date"), (1, 5, "topic")], rid="t-004-s02"),
    make_record("والتقى رجب طيب أردوغان وجو بايدن في ١٥ رمضان ١٤٤٤هـ على هامش القمة.",
                [("PERSON", "رجب طيب أردوغان"), ("PERSON", "جو بايدن"), ("DATE", "١٥ رمضان ١٤٤٤هـ", "2023-04-06")],
                rid="t-005-s03"),
]
TRAIN = [CALL] + OTHERS


# --- apply_edits ------------------------------------------------------------------------------

EDIT_CASES = [
    # (text, spans, edits as (surface, replacement), expected text, expected entity texts)
    ("تحدث أوستن مع شويغو اليوم الجمعة.", [("TRIGGER", "تحدث"), ("PERSON", "أوستن"), ("PERSON", "شويغو")],
     [("أوستن", "لويد أوستن")], "تحدث لويد أوستن مع شويغو اليوم الجمعة.", ["تحدث", "لويد أوستن", "شويغو"]),
    ("اتَّصَلَ الرئيسُ محمدٌ بنظيرِه يومَ ١٥ مارس",
     [("TRIGGER", "اتَّصَلَ"), ("PERSON", "محمدٌ"), ("DATE", "يومَ ١٥ مارس")],
     [("محمدٌ", "عبـــدالله"), ("يومَ ١٥ مارس", "أمس")], "اتَّصَلَ الرئيسُ عبـــدالله بنظيرِه أمس",
     ["اتَّصَلَ", "عبـــدالله", "أمس"]),
    ("أجرى شويغو اتصـــالاً هاتفياً وشويغو",
     [("PERSON", "شويغو"), ("TRIGGER", "اتصـــالاً هاتفياً"), ("PERSON", "شويغو")],
     [("شويغو", "سيرغي شويغو")], "أجرى سيرغي شويغو اتصـــالاً هاتفياً وشويغو",
     ["سيرغي شويغو", "اتصـــالاً هاتفياً", "شويغو"]),
    ("أجرى شويغو اتصالاً وشويغو", [("PERSON", "شويغو"), ("TRIGGER", "اتصالاً"), ("PERSON", "شويغو")],
     [("شويغو", "x"), ("شويغو", "سيرغي")], "أجرى x اتصالاً وسيرغي", ["x", "اتصالاً", "سيرغي"]),
    ("في ٢٠٢٣/٣/١٤ تحدث بوتين", [("DATE", "٢٠٢٣/٣/١٤"), ("TRIGGER", "تحدث"), ("PERSON", "بوتين")],
     [("٢٠٢٣/٣/١٤", "14 مارس"), ("بوتين", "ب")], "في 14 مارس تحدث ب", ["14 مارس", "تحدث", "ب"]),
    ("تحدث أوستن", [("TRIGGER", "تحدث"), ("PERSON", "أوستن")], [], "تحدث أوستن", ["تحدث", "أوستن"]),
]


def _edits(text: str, pairs: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for surface, new in pairs:
        start = text.index(surface, pos)
        out.append((start, start + len(surface), new))
        pos = start + len(surface)
    return out


@pytest.mark.parametrize("text,spans,pairs,expected,entity_texts", EDIT_CASES)
def test_apply_edits_shifts_every_span(text, spans, pairs, expected, entity_texts):
    rec = make_record(text, spans, [(1, len(spans), "caller")] if len(spans) > 1 else [])
    new = apply_edits(rec, list(reversed(_edits(text, pairs))))  # order of edits does not matter
    assert new.text == expected
    assert [new.text[e.start:e.end] for e in new.entities] == [e.text for e in new.entities] == entity_texts
    assert [(e.id, e.label) for e in new.entities] == [(e.id, e.label) for e in rec.entities]
    assert new.relations == rec.relations
    assert rec.text == text and rec.entities[0].text == spans[0][1]  # pure: the input is untouched


def test_apply_edits_inside_an_entity_and_insertion_before():
    rec = make_record("تحدث هاتفياً أوستن", [("TRIGGER", "تحدث هاتفياً"), ("PERSON", "أوستن")])
    new = apply_edits(rec, [(4, 5, "ـ "), (13, 13, "لويد ")])
    assert new.text == "تحدثـ هاتفياً لويد أوستن"
    assert [e.text for e in new.entities] == ["تحدثـ هاتفياً", "أوستن"]


@pytest.mark.parametrize("edits", [[(3, 8, "x")], [(0, 6, "a"), (5, 9, "b")], [(10, 99, "x")]])
def test_apply_edits_refuses_crossing_and_overlap(edits):
    rec = make_record("تحدث أوستن مع شويغو", [("TRIGGER", "تحدث"), ("PERSON", "أوستن")])
    with pytest.raises(ValueError):
        apply_edits(rec, edits)


# --- people, dates, topics ------------------------------------------------------------------

@pytest.mark.parametrize("text,title", [
    ("نظيره الروسي", True), ("وزير الخارجية الأميركي", True), ("أمير قطر", True),
    ("أمير الكويت الجديد", True), ("المدرب الألماني", True), ("مجهول", True),
    ("نظيرهم الفرنسي", True), ("والدته", True), ("نائب الرئيس", True),
    ("أمير عبد اللهيان", False), ("الفالح", False), ("سلطان الجابر", False), ("مساعد العيبان", False),
    ("لويد أوستن", False)])
def test_is_title_phrase(text, title):
    assert is_title_phrase(text) is title


def test_gazetteer_has_names_not_titles():
    rec = make_record("اتصل وزير الخارجية الإيراني بنظيره الروسي سيرغي لافروف",
                      [("PERSON", "وزير الخارجية الإيراني"), ("PERSON", "نظيره الروسي"),
                       ("PERSON", "سيرغي لافروف")])
    gaz = build_gazetteer(TRAIN + [rec])
    assert "سيرغي لافروف" in gaz.full_names and "بوتين" in gaz.short_names
    assert not {"نظيره الروسي", "وزير الخارجية الإيراني"} & set(gaz.full_names + gaz.short_names)
    assert gaz.topics == tuple(sorted(gaz.topics))


@pytest.mark.parametrize("text,value,kind", [
    ("مساء أمس الاثنين", "2023-04-03", "relative_day"), ("الأحد الماضي", "2023-04-02", "weekday"),
    ("10 مارس/ آذار الماضي", "2023-03-10", "day_month"), ("١٥ رمضان ١٤٤٤هـ", "2023-04-06", "hijri"),
    ("مايو الماضي", "2022-05", "month"), ("أواخر مايو الماضي", "2022-05", "part_month"),
    ("الأسبوع المقبل", "2023-W15", "relative_unit"), ("عام 2019", "2019", "year"),
    ("منذ بدء الحرب", None, None)])
def test_date_kind(text, value, kind):
    assert date_kind(text, value) == kind


@pytest.mark.parametrize("text,value", [
    ("مساء أمس الاثنين", "2023-04-03"), ("يوم الأحد", "2023-04-02"), ("الخميس المقبل", "2023-04-06"),
    ("10 مارس/ آذار الماضي", "2023-03-10"), ("١٥ رمضان ١٤٤٤هـ", "2023-04-06"),
    ("أواخر مايو الماضي", "2022-05"), ("يونيو المقبل", "2023-06"), ("الشهر الماضي", "2023-03"),
    ("الأسبوع المقبل", "2023-W15"), ("عام 2019", "2019"), ("في العاشر من مارس", "2023-03-10")])
def test_date_variants_recompute_values_and_keep_the_side_of_doc_date(text, value):
    variants = date_variants(text, value, "2023-04-04", random.Random(7), k=5)
    assert variants
    future = value > "2023-04-04"[:len(value)] if "W" not in value else value > "2023-W14"
    for v in variants:
        assert v.text != text and v.value == resolve_date(v.text, dt.date(2023, 4, 4))
        assert date_kind(v.text, v.value) == date_kind(text, value)
        side = v.value > "2023-04-04"[:len(v.value)] if "W" not in v.value else v.value > "2023-W14"
        assert side == future
    if text.startswith("في "):
        assert all(v.text.startswith("في ") for v in variants)


def test_date_variants_forced_day_and_no_doc_date():
    day = dt.date(2023, 1, 17)
    for text, value in (("10 مارس/ آذار الماضي", "2023-03-10"), ("١٥ رمضان ١٤٤٤هـ", "2023-04-06")):
        (v,) = date_variants(text, value, "2023-04-04", random.Random(1), day=day)
        assert v.value == "2023-01-17" and v.day == day
    assert date_variants("أمس الاثنين", "2023-04-03", "2023-04-04", random.Random(1), day=day) == []
    assert date_variants("أمس", None, None, random.Random(1)) == []
    assert all(v.value for v in date_variants("5 مايو 2020", "2020-05-05", None, random.Random(2), k=3))


def test_augment_record_replaces_consistently_and_keeps_structure():
    gaz = build_gazetteer(TRAIN)
    new = augment_record(CALL, gaz, random.Random(3))
    assert new is not None and new.text != CALL.text
    assert new.relations == CALL.relations
    assert [(e.id, e.label, e.polarity) for e in new.entities] == [(e.id, e.label, e.polarity) for e in CALL.entities]
    full, short = new.entity("e1").text, new.entity("e6").text
    assert full.split()[-len(short.split()):] == short.split()  # بن فرحان follows فيصل بن فرحان
    for ent in new.entities:
        if ent.label == "DATE":
            assert ent.value == resolve_date(ent.text, dt.date(2023, 4, 4))
    assert check_record(new.to_dict(), "-", 0) == []


def test_augment_record_none_when_nothing_to_replace():
    rec = make_record("تحدث نظيره الروسي هاتفياً", [("PERSON", "نظيره الروسي")])
    assert augment_record(rec, Gazetteer((), (), ()), random.Random(0)) is None


# --- augment ----------------------------------------------------------------------------------

def _dicts(records: list[Record]) -> list[dict]:
    return [r.to_dict() for r in records]


def test_augment_is_deterministic_for_a_seed():
    first, again = augment(TRAIN, copies=2, seed=13), augment(list(reversed(TRAIN)), copies=2, seed=13)
    assert _dicts(first) == _dicts(again)
    assert _dicts(first) != _dicts(augment(TRAIN, copies=2, seed=14))


def test_augment_outputs_validate_and_are_suffixed():
    out = augment(TRAIN, copies=3, seed=0)
    by_id = {r.id: r for r in TRAIN}
    assert len(out) == 3 * len(TRAIN) - 3  # t-002 has nothing to replace
    assert len({r.id for r in out}) == len(out)
    for rec in out:
        base, k = rec.id.rsplit("-aug", 1)
        assert rec.doc_id == f"{by_id[base].doc_id}-aug{k}" and rec.doc_offset is None
        assert check_record(rec.to_dict(), "-", 0) == []
        assert rec.relations == by_id[base].relations


def test_augment_recomputes_date_values():
    out = augment(TRAIN, copies=3, seed=5)
    old = {(r.id, e.id): e.value for r in TRAIN for e in r.entities if e.label == "DATE"}
    changed = 0
    for rec in out:
        for ent in rec.entities:
            if ent.label == "DATE":
                assert ent.value == resolve_date(ent.text, dt.date.fromisoformat(rec.doc_date))
                changed += ent.value != old[(rec.id.rsplit("-aug", 1)[0], ent.id)]
    assert changed > 0


def test_augment_refuses_gold_dev_and_augmented_records():
    with pytest.raises(GoldDataError):
        augment([Record.from_dict(EXAMPLE)] + TRAIN, copies=1, seed=0)
    with pytest.raises(GoldDataError):
        augment(TRAIN, copies=1, seed=0, forbidden_doc_ids={"t-003"})
    with pytest.raises(ValueError):
        augment(augment(TRAIN, copies=1, seed=0), copies=1, seed=0)
