"""Hand-computed scores on small fixtures for every metric family of eval.metrics."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence

import pytest
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from hatif.data.records import Entity, Record, Relation
from hatif.eval.metrics import HEADLINE_KEYS, align, errors, evaluate, event_key, headline, prf
from hatif.eval.word_tags import word_tags
from conftest import EXAMPLE


# --- fixture helpers ---------------------------------------------------------------------

def ent(text: str, eid: str, label: str, phrase: str, nth: int = 1, **attrs) -> Entity:
    """The entity over the nth occurrence of ``phrase``; triggers default to asserted."""
    start = -1
    for _ in range(nth):
        start = text.index(phrase, start + 1)
    if label == "TRIGGER":
        attrs.setdefault("polarity", "asserted")
    if label == "DATE":
        attrs.setdefault("value", None)
    return Entity(eid, label, start, start + len(phrase), phrase, **attrs)


def rel(head: str, tail: str, label: str) -> Relation:
    return Relation(head, tail, label)


def rec(text: str, entities: list[Entity], relations: Sequence[Relation] = (), rid: str = "s1") -> Record:
    return Record(id=rid, doc_id=rid.split("-")[0], doc_date="2022-10-21", text=text,
                  entities=list(entities), relations=list(relations))


def copy_rec(r: Record, **changes) -> Record:
    return dataclasses.replace(copy.deepcopy(r), **changes)


TOPIC_TEXT = ("وشدد وزير الدفاع الأميركي على أهمية \"إبقاء قنوات التواصل\"، في ظلّ الحرب في أوكرانيا، "
              "خلال المكالمة الهاتفية مع نظيره الروسي، وفق ما أفادت به وزارة الدفاع الأميركية.")


def topic_record() -> Record:
    """The sentence after the ANNOTATION.md example in its article: it has a TOPIC."""
    t = TOPIC_TEXT
    return rec(t, [ent(t, "e1", "PERSON", "وزير الدفاع الأميركي"),
                   ent(t, "e2", "TOPIC", "أهمية \"إبقاء قنوات التواصل\"، في ظلّ الحرب في أوكرانيا"),
                   ent(t, "e3", "TRIGGER", "المكالمة الهاتفية"),
                   ent(t, "e4", "PERSON", "نظيره الروسي")],
               [rel("e3", "e1", "caller"), rel("e3", "e2", "topic"), rel("e3", "e4", "callee")],
               rid="000_b9b2ccb77d9719e0-s03")


@pytest.fixture
def gold(example: dict) -> list[Record]:
    return [Record.from_dict(example), topic_record()]


def micro(metrics: dict, family: str) -> tuple[float, float, float]:
    m = metrics[family]["micro"]
    return m["precision"], m["recall"], m["f1"]


# --- P/R/F1 and alignment ----------------------------------------------------------------

def test_prf_zero_division_is_zero() -> None:
    assert prf(0, 0, 0) == {"precision": 0.0, "recall": 0.0, "f1": 0.0,
                            "support": 0, "predicted": 0, "tp": 0}
    assert prf(1, 2, 4)["f1"] == pytest.approx(2 * 0.5 * 0.25 / 0.75)


def test_align_missing_prediction_is_empty(gold: list[Record]) -> None:
    pairs = align(gold, [gold[1]])
    assert [g.id for g, _ in pairs] == [r.id for r in gold]
    assert pairs[0][1].entities == [] and pairs[0][1].text == gold[0].text
    assert pairs[1][1] is gold[1]


@pytest.mark.parametrize("changes,message", [
    ({"id": "nope-s01"}, "nope-s01"),                      # an id gold does not have
    ({"text": EXAMPLE["text"] + " "}, EXAMPLE["id"]),      # gold's id over another text
])
def test_align_mismatch_raises_naming_the_record(gold: list[Record], changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        align(gold, [copy_rec(gold[0], **changes)])


# --- a perfect prediction ----------------------------------------------------------------

def test_perfect_prediction_scores_one_everywhere(gold: list[Record]) -> None:
    metrics = evaluate(gold, copy.deepcopy(gold))
    assert headline(metrics) == {key: 1.0 for key in HEADLINE_KEYS}
    for family in ("entities_seqeval", "entities_span", "relations_strict", "relations_args"):
        for label, scores in metrics[family]["per_label"].items():
            assert scores["f1"] == 1.0, (family, label)
    assert metrics["entities_span"]["micro"]["support"] == 10
    assert metrics["relations_strict"]["micro"]["support"] == 6
    assert metrics["events_directed"]["micro"]["support"] == 2
    assert metrics["polarity_accuracy"] == {"accuracy": 1.0, "correct": 2, "total": 2}
    assert metrics["date_value_accuracy"] == {"accuracy": 1.0, "correct": 2, "total": 2}
    assert errors(gold, copy.deepcopy(gold)) == []


# --- empty sides ---------------------------------------------------------------------------

def test_empty_predictions(gold: list[Record]) -> None:
    metrics = evaluate(gold, [])
    for family in ("entities_seqeval", "entities_span", "relations_strict", "events_directed"):
        assert micro(metrics, family) == (0.0, 0.0, 0.0)
    assert metrics["entities_span"]["micro"]["support"] == 10
    assert metrics["polarity_accuracy"] == {"accuracy": 0.0, "correct": 0, "total": 0}
    assert len(errors(gold, [])) == 10 + 6 + 2
    assert {e["error"] for e in errors(gold, [])} == {"FN"}


def test_empty_gold(gold: list[Record]) -> None:
    bare = [copy_rec(r, entities=[], relations=[]) for r in gold]
    metrics = evaluate(bare, gold)
    assert micro(metrics, "entities_span") == (0.0, 0.0, 0.0)
    assert metrics["entities_span"]["micro"]["predicted"] == 10
    assert metrics["entities_span"]["per_label"]["TOPIC"] == prf(0, 1, 0)
    assert metrics["events_undirected"]["micro"]["predicted"] == 2
    assert evaluate([], [])["entities_span"]["micro"] == prf(0, 0, 0)


# --- entities ------------------------------------------------------------------------------

def test_seqeval_path_matches_hand_count_and_classification_report(gold: list[Record]) -> None:
    g = gold[0]
    t = g.text
    pred = copy_rec(g, entities=[
        g.entity("e1"),
        dataclasses.replace(g.entity("e2"), end=g.entity("e2").end - 1, text="لويد أوست"),
        g.entity("e3"),
        ent(t, "e4", "DATE", "اليوم"),  # half of اليوم الجمعة
        g.entity("e5"),
        ent(t, "e7", "PERSON", "واشنطن"),  # spurious; e6 (Blinken) missed
    ], relations=[])
    metrics = evaluate([g], [pred])
    seq = metrics["entities_seqeval"]
    assert seq["micro"] == prf(4, 6, 6)
    assert seq["per_label"]["PERSON"] == prf(2, 3, 3)
    assert seq["per_label"]["DATE"] == prf(1, 2, 2)
    assert seq["per_label"]["TRIGGER"] == prf(1, 1, 1)
    assert metrics["entities_span"]["micro"] == prf(3, 6, 6)

    report = classification_report([word_tags(t, g.entities)[1]], [word_tags(t, pred.entities)[1]],
                                   mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    for label in ("PERSON", "DATE", "TRIGGER"):
        for key in ("precision", "recall", "f1-score"):
            assert report[label][key] == pytest.approx(seq["per_label"][label][key.split("-")[0]])
        assert report[label]["support"] == seq["per_label"][label]["support"]
    assert report["micro avg"]["f1-score"] == pytest.approx(seq["micro"]["f1"])


# --- counts per family: entities, relations, events -------------------------------------

TWO_CALLS = "اتصل أوستن بشويغو أمس، ثم هاتف بلينكن لافروف."


def two_calls(**polarity) -> Record:
    t = TWO_CALLS
    return rec(t, [ent(t, "t1", "TRIGGER", "اتصل", polarity=polarity.get("t1", "asserted")),
                   ent(t, "p1", "PERSON", "أوستن"), ent(t, "p2", "PERSON", "شويغو"),
                   ent(t, "d1", "DATE", "أمس", value="2022-10-20"),
                   ent(t, "t2", "TRIGGER", "هاتف", polarity=polarity.get("t2", "asserted")),
                   ent(t, "p3", "PERSON", "بلينكن"), ent(t, "p4", "PERSON", "لافروف")],
               [rel("t1", "p1", "caller"), rel("t1", "p2", "callee"), rel("t1", "d1", "date"),
                rel("t2", "p3", "caller"), rel("t2", "p4", "callee")])


EX = Record.from_dict(copy.deepcopy(EXAMPLE))
CALLS = two_calls()
SWAP = {"caller": "callee", "callee": "caller"}
# Both triggers call أوستن the caller.
SHARED_CALLER = copy_rec(CALLS, relations=[*CALLS.relations, rel("t2", "p1", "caller")])
# A second trigger with the same parties as هاتف (a careless but legal record).
DOUBLED = copy_rec(CALLS, entities=[*CALLS.entities, ent(TWO_CALLS, "t3", "TRIGGER", "ثم")],
                   relations=[*CALLS.relations, rel("t3", "p3", "caller"), rel("t3", "p4", "callee")])
NAMES = "اتصل أوستن بشويغو، وقال اوستن إن شُويغـو وافق."
NAME_ENTITIES = [ent(NAMES, "t1", "TRIGGER", "اتصل"), ent(NAMES, "p1", "PERSON", "أوستن"),
                 ent(NAMES, "p2", "PERSON", "شويغو"), ent(NAMES, "p3", "PERSON", "اوستن"),
                 ent(NAMES, "p4", "PERSON", "شُويغـو")]

# (case, gold, prediction, {(family, per-label label or "micro"): (tp, predicted, support)})
SCORES = [
    # PERSON gold: e2 e3 e6; pred: e2' (off by one) e3' (runs into the DATE) e6 -> only e6 exact.
    # Word level: e2' still tags both words of لويد أوستن; e3' tags شويغو اليوم, not سيرغي شويغو.
    ("off-by-one-and-overlapping", EX,
     copy_rec(EX, entities=[e for e in EX.entities if e.id not in ("e2", "e3", "e4")]
              + [dataclasses.replace(EX.entity("e2"), end=EX.entity("e2").end - 1, text="لويد أوست"),
                 ent(EX.text, "e3", "PERSON", "شويغو اليوم")]),
     {("entities_span", "PERSON"): (1, 3, 3), ("entities_seqeval", "PERSON"): (2, 3, 3),
      ("entities_span", "DATE"): (1, 1, 2), ("entities_seqeval", "DATE"): (1, 1, 2),
      ("entities_span", "micro"): (3, 5, 6)}),
    ("duplicated-entity-counts-once", EX,
     copy_rec(EX, entities=[*EX.entities, dataclasses.replace(EX.entity("e2"), id="e9")]),
     {("entities_span", "PERSON"): (3, 4, 3)}),
    # t2's arguments hang on t1: strict misses them, argument-only does not.
    ("arguments-on-the-wrong-trigger", CALLS,
     copy_rec(CALLS, relations=[rel("t1" if r.head == "t2" else r.head, r.tail, r.label) for r in CALLS.relations]),
     {("relations_strict", "micro"): (3, 5, 5), ("relations_args", "micro"): (5, 5, 5),
      ("relations_strict", "caller"): (1, 2, 2), ("relations_strict", "date"): (1, 1, 1),
      ("relations_strict", "topic"): (0, 0, 0)}),
    # Relations are a multiset: two argument-only relations against one gold, and the other way round.
    ("shared-argument-predicted", CALLS, SHARED_CALLER,
     {("relations_args", "caller"): (2, 3, 2), ("relations_strict", "caller"): (2, 3, 2)}),
    ("shared-argument-given-once", SHARED_CALLER, CALLS, {("relations_args", "caller"): (2, 2, 3)}),
    # A literal duplicate (unvalidated records) still counts once.
    ("duplicated-relation-counts-once", CALLS, copy_rec(CALLS, relations=[*CALLS.relations, CALLS.relations[0]]),
     {("relations_strict", "micro"): (5, 6, 5)}),
    ("two-events-in-one-sentence", CALLS, CALLS,
     {("events_directed", "micro"): (2, 2, 2), ("events_undirected", "micro"): (2, 2, 2)}),
    ("wrong-callee", CALLS,
     copy_rec(CALLS, relations=[r for r in CALLS.relations if r.tail != "p4"] + [rel("t2", "p2", "callee")]),
     {("events_directed", "micro"): (1, 2, 2), ("events_undirected", "micro"): (1, 2, 2)}),
    # A hypothetical trigger is not an event, nor is an asserted one with only a date.
    ("hypothetical-trigger", CALLS, two_calls(t2="hypothetical"), {("events_directed", "micro"): (1, 1, 2)}),
    ("date-only-trigger", CALLS,
     copy_rec(CALLS, relations=[r for r in CALLS.relations if r.head == "t2" or r.label == "date"]),
     {("events_directed", "micro"): (1, 1, 2)}),
    ("event-dates-must-match", CALLS, copy_rec(CALLS, relations=[r for r in CALLS.relations if r.label != "date"]),
     {("events_directed", "micro"): (1, 2, 2)}),
    ("swapped-caller-callee", CALLS,
     copy_rec(CALLS, relations=[rel(r.head, r.tail, SWAP.get(r.label, r.label)) for r in CALLS.relations]),
     {("events_directed", "micro"): (0, 2, 2), ("events_undirected", "micro"): (2, 2, 2)}),
    # Events are a multiset: gold's doubled event counts twice and is matched once.
    ("event-doubled-in-gold", DOUBLED, CALLS, {("events_directed", "micro"): (2, 2, 3)}),
    ("event-doubled-in-prediction", CALLS, DOUBLED, {("events_directed", "micro"): (2, 3, 2)}),
    # Other mentions of the same names: the event matches, the argument spans do not.
    ("names-normalised-in-events",
     rec(NAMES, NAME_ENTITIES, [rel("t1", "p1", "caller"), rel("t1", "p2", "callee")]),
     rec(NAMES, NAME_ENTITIES, [rel("t1", "p3", "caller"), rel("t1", "p4", "callee")]),
     {("events_directed", "micro"): (1, 1, 1), ("relations_args", "micro"): (0, 2, 2)}),
]


@pytest.mark.parametrize("case,gold_rec,pred_rec,expected", SCORES, ids=[s[0] for s in SCORES])
def test_scores(case: str, gold_rec: Record, pred_rec: Record, expected: dict) -> None:
    metrics = evaluate([gold_rec], [pred_rec])
    for (family, label), counts in expected.items():
        scores = metrics[family]["micro"] if label == "micro" else metrics[family]["per_label"][label]
        assert scores == prf(*counts), (family, label)
    # the headline event scores are the micro F1s above
    assert headline(metrics)["event_f1"] == metrics["events_directed"]["micro"]["f1"]
    assert headline(metrics)["event_undirected_f1"] == metrics["events_undirected"]["micro"]["f1"]


def test_event_key_normalises_names() -> None:
    assert event_key({"caller": [ent(NAMES, "x", "PERSON", "أوستن")]}) == \
        event_key({"caller": [ent(NAMES, "y", "PERSON", "اوستن")]})


# --- accuracies ----------------------------------------------------------------------------

def test_polarity_and_date_value_accuracy() -> None:
    g = two_calls()
    t = g.text
    pred = copy_rec(g, entities=[
        ent(t, "t1", "TRIGGER", "اتصل", polarity="negated"),  # span right, polarity wrong
        ent(t, "t2", "TRIGGER", "هاتف"),  # right
        ent(t, "t3", "TRIGGER", "لافروف"),  # no gold trigger there: not counted
        ent(t, "d1", "DATE", "أمس", value="2022-10-19"),  # value wrong
    ], relations=[])
    metrics = evaluate([g], [pred])
    assert metrics["polarity_accuracy"] == {"accuracy": 0.5, "correct": 1, "total": 2}
    assert metrics["date_value_accuracy"] == {"accuracy": 0.0, "correct": 0, "total": 1}


# --- errors --------------------------------------------------------------------------------

def test_errors_list_every_false_positive_and_negative() -> None:
    g = two_calls()
    swap = {"caller": "callee", "callee": "caller"}
    pred = copy_rec(g, entities=[e for e in g.entities if e.id != "d1"],
                    relations=[rel(r.head, r.tail, swap.get(r.label, r.label))
                               for r in g.relations if r.head == "t2"])
    rows = errors([g], [pred])
    summary = sorted((r["error"], r["kind"], r["label"], r["span_text"]) for r in rows)
    assert summary == sorted([
        ("FN", "entity", "DATE", "أمس"),
        ("FN", "relation", "caller", "اتصل -> أوستن"), ("FN", "relation", "callee", "اتصل -> شويغو"),
        ("FN", "relation", "date", "اتصل -> أمس"),
        ("FN", "relation", "caller", "هاتف -> بلينكن"), ("FN", "relation", "callee", "هاتف -> لافروف"),
        ("FP", "relation", "callee", "هاتف -> بلينكن"), ("FP", "relation", "caller", "هاتف -> لافروف"),
        ("FN", "event", "event", "اتصل: caller=أوستن; callee=شويغو; date=أمس (2022-10-20)"),
        ("FN", "event", "event", "هاتف: caller=بلينكن; callee=لافروف"),
        ("FP", "event", "event", "هاتف: caller=لافروف; callee=بلينكن"),
    ])
    assert all(r["id"] == "s1" and r["sentence"] == TWO_CALLS for r in rows)
