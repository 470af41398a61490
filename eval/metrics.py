"""Scores of predicted records against gold records (ANNOTATION.md, "Scores").

Every scorer is a pure function that returns a dict with stable keys; printing and writing
are the caller's job (see eval.report). Counts are multisets matched within a sentence:
``tp = |Counter(gold) & Counter(pred)|``.

Precision, recall and F1 are defined with 0/0 = 0.0: a label that has no gold and no
predicted item scores 0.0 (not 1.0), and its ``support`` and ``predicted`` of 0 tell why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from seqeval.scheme import IOB2, Entities

from hatif.text.arabic import normalize_name
from hatif.data.records import Entity, Record
from hatif.data.schema import load_schema

from .word_tags import word_tags

Pair = tuple[Record, Record]
# A scored item: (label, hashable key); the label picks its per-label bucket.
Item = tuple[str, Hashable]


def prf(tp: int, predicted: int, support: int) -> dict[str, float | int]:
    """Precision, recall, F1 from counts, with 0/0 = 0.0."""
    precision = tp / predicted if predicted else 0.0
    recall = tp / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "support": support, "predicted": predicted, "tp": tp}


def accuracy(correct: int, total: int) -> dict[str, float | int]:
    """Accuracy with 0/0 = 0.0."""
    return {"accuracy": correct / total if total else 0.0, "correct": correct, "total": total}


def align(gold: Sequence[Record], pred: Sequence[Record]) -> list[Pair]:
    """Pair every gold record with its prediction by record id, in gold order.

    A gold record without a prediction is paired with an empty prediction (same id and
    text, no entities, no relations). A prediction whose id is not in gold, is listed twice,
    or whose text differs from the gold text raises ValueError naming the id.
    """
    by_id: dict[str, Record] = {}
    for rec in pred:
        if rec.id in by_id:
            raise ValueError(f"prediction {rec.id!r} is listed twice")
        by_id[rec.id] = rec
    gold_ids = {rec.id for rec in gold}
    unknown = [rid for rid in by_id if rid not in gold_ids]
    if unknown:
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise ValueError(f"prediction {unknown[0]!r} has no gold record{more}")
    pairs: list[Pair] = []
    for g in gold:
        p = by_id.get(g.id)
        if p is None:
            p = Record(id=g.id, doc_id=g.doc_id, doc_date=g.doc_date, text=g.text)
        elif p.text != g.text:
            raise ValueError(f"prediction {g.id!r}: its text differs from the gold text")
        pairs.append((g, p))
    return pairs


def _score(pairs: Sequence[Pair], items: Callable[[Record], Iterable[Item]],
           labels: Sequence[str]) -> dict[str, Any]:
    """Micro and per-label P/R/F1 of multiset matching of ``items`` within each sentence."""
    tp, predicted, support = Counter(), Counter(), Counter()
    for g, p in pairs:
        gold_items, pred_items = Counter(items(g)), Counter(items(p))
        for (label, _), n in (gold_items & pred_items).items():
            tp[label] += n
        for (label, _), n in pred_items.items():
            predicted[label] += n
        for (label, _), n in gold_items.items():
            support[label] += n
    # Labels outside the schema can only come from unvalidated records; still count them.
    extra = sorted((predicted.keys() | support.keys()) - set(labels))
    per_label = {label: prf(tp[label], predicted[label], support[label])
                 for label in [*labels, *extra]}
    micro = prf(sum(tp.values()), sum(predicted.values()), sum(support.values()))
    return {"micro": micro, "per_label": per_label}


# --- items of each family -------------------------------------------------------------

def span_items(rec: Record) -> list[Item]:
    """Entities as (label, (start, end)) for exact character-span scoring."""
    return [(e.label, (e.start, e.end)) for e in rec.entities]


def _seqeval_items(tags: list[str]) -> list[Item]:
    # seqeval's own strict IOB2 chunker: (label, (first word, end word)).
    chunks = Entities([tags], IOB2).entities[0]
    return [(c.tag, (c.start, c.end)) for c in chunks]


def seqeval_items(rec: Record) -> list[Item]:
    """Entities as seqeval strict IOB2 chunks of the word tags of ``rec``."""
    return _seqeval_items(word_tags(rec.text, rec.entities)[1])


def _relations(rec: Record) -> list[tuple[str, Entity, Entity]]:
    ents = {e.id: e for e in rec.entities}
    return [(r.label, ents[r.head], ents[r.tail]) for r in rec.relations
            if r.head in ents and r.tail in ents]


def relation_items(rec: Record) -> list[Item]:
    """Relations as (label, (head span, tail span)): the strict match."""
    return [(label, ((h.start, h.end), (t.start, t.end))) for label, h, t in _relations(rec)]


def relation_arg_items(rec: Record) -> list[Item]:
    """Relations as (label, tail span): the argument-only match."""
    return [(label, (t.start, t.end)) for label, _, t in _relations(rec)]


def events(rec: Record) -> list[tuple[Entity, dict[str, list[Entity]]]]:
    """The events of a record: asserted triggers with at least one caller or callee.

    Each is (trigger, {relation label: [argument entities]}).
    """
    schema = load_schema()
    args: dict[str, dict[str, list[Entity]]] = {}
    for label, head, tail in _relations(rec):
        args.setdefault(head.id, {}).setdefault(label, []).append(tail)
    found = []
    for ent in rec.entities:
        if ent.label != schema.relation_head or ent.polarity != "asserted":
            continue
        by_label = args.get(ent.id, {})
        if by_label.get("caller") or by_label.get("callee"):
            found.append((ent, by_label))
    return found


EventKey = tuple[frozenset, ...]


def event_key(args: dict[str, list[Entity]], directed: bool = True) -> EventKey:
    """(callers, callees, date values) as sets of normalised names / values.

    Undirected: (participants, date values), participants = callers ∪ callees.
    """
    callers = frozenset(normalize_name(e.text) for e in args.get("caller", []))
    callees = frozenset(normalize_name(e.text) for e in args.get("callee", []))
    dates = frozenset(e.value for e in args.get("date", []))
    return (callers, callees, dates) if directed else (callers | callees, dates)


def event_items(rec: Record, directed: bool = True) -> list[Item]:
    """Events as ("event", key) for multiset matching."""
    return [("event", event_key(args, directed)) for _, args in events(rec)]


# --- accuracies -----------------------------------------------------------------------

def attribute_accuracy(pairs: Sequence[Pair], label: str, attribute: str) -> dict[str, float | int]:
    """Accuracy of ``attribute`` on predicted ``label`` spans that match a gold span exactly.

    Each gold span is matched at most once.
    """
    correct = total = 0
    for g, p in pairs:
        gold = {(e.start, e.end): e for e in g.entities if e.label == label}
        for ent in p.entities:
            match = gold.pop((ent.start, ent.end), None) if ent.label == label else None
            if match is not None:
                total += 1
                correct += getattr(ent, attribute) == getattr(match, attribute)
    return accuracy(correct, total)


# --- everything -----------------------------------------------------------------------

def evaluate(gold: Sequence[Record], pred: Sequence[Record]) -> dict[str, Any]:
    """All scores of ``pred`` against ``gold`` (see the module docstring), under stable keys."""
    pairs = align(gold, pred)
    schema = load_schema()
    return {
        "records": len(pairs),
        "entities_seqeval": _score(pairs, seqeval_items, schema.entity_labels),
        "entities_span": _score(pairs, span_items, schema.entity_labels),
        "relations_strict": _score(pairs, relation_items, schema.relation_labels),
        "relations_args": _score(pairs, relation_arg_items, schema.relation_labels),
        "events_directed": {"micro": _score(pairs, event_items, ["event"])["micro"]},
        "events_undirected": {"micro": _score(pairs, lambda r: event_items(r, False),
                                              ["event"])["micro"]},
        "polarity_accuracy": attribute_accuracy(pairs, schema.relation_head, "polarity"),
        "date_value_accuracy": attribute_accuracy(pairs, "DATE", "value"),
    }


HEADLINE_KEYS: dict[str, tuple[str, ...]] = {
    "entity_f1": ("entities_seqeval", "micro", "f1"),
    "entity_span_f1": ("entities_span", "micro", "f1"),
    "relation_f1": ("relations_strict", "micro", "f1"),
    "relation_arg_f1": ("relations_args", "micro", "f1"),
    "event_f1": ("events_directed", "micro", "f1"),
    "event_undirected_f1": ("events_undirected", "micro", "f1"),
    "polarity_acc": ("polarity_accuracy", "accuracy"),
    "date_value_acc": ("date_value_accuracy", "accuracy"),
}


def headline(metrics: dict[str, Any]) -> dict[str, float]:
    """Flat scores for checkpoint selection and tables; keys are those of HEADLINE_KEYS."""
    out: dict[str, float] = {}
    for name, path in HEADLINE_KEYS.items():
        value: Any = metrics
        for key in path:
            value = value[key]
        out[name] = float(value)
    return out


# --- errors ---------------------------------------------------------------------------

def _describe_event(trigger: Entity, args: dict[str, list[Entity]]) -> str:
    def show(e: Entity) -> str:
        return f"{e.text} ({e.value})" if e.label == "DATE" else e.text

    parts = [f"{label}=" + "، ".join(show(e) for e in args[label])
             for label in ("caller", "callee", "date") if args.get(label)]
    return f"{trigger.text}: " + "; ".join(parts)


def _record_errors(g: Record, p: Record) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(kind: str, keyed_gold: list, keyed_pred: list) -> None:
        # keyed_*: [(key, row)]; the multiset difference of keys decides which rows are wrong.
        for error, mine, other in (("FN", keyed_gold, keyed_pred), ("FP", keyed_pred, keyed_gold)):
            extra = Counter(k for k, _ in mine) - Counter(k for k, _ in other)
            for key, row in mine:
                if extra[key] > 0:
                    extra[key] -= 1
                    out.append({"id": g.id, "error": error, "kind": kind, **row, "sentence": g.text})

    def ent_rows(rec: Record) -> list:
        return [((e.label, e.start, e.end),
                 {"label": e.label, "start": e.start, "end": e.end, "span_text": e.text})
                for e in rec.entities]

    def rel_rows(rec: Record) -> list:
        return [((label, h.start, h.end, t.start, t.end),
                 {"label": label, "start": t.start, "end": t.end,
                  "span_text": f"{h.text} -> {t.text}", "head": [h.start, h.end]})
                for label, h, t in _relations(rec)]

    def event_rows(rec: Record) -> list:
        return [(event_key(args), {"label": "event", "start": trig.start, "end": trig.end,
                                   "span_text": _describe_event(trig, args)})
                for trig, args in events(rec)]

    add("entity", ent_rows(g), ent_rows(p))
    add("relation", rel_rows(g), rel_rows(p))
    add("event", event_rows(g), event_rows(p))
    return out


def errors(gold: Sequence[Record], pred: Sequence[Record]) -> list[dict[str, Any]]:
    """Every false negative and false positive, in gold order.

    Entities are compared by exact span, relations strictly, events directed. Each row:
    ``id, error ("FP"/"FN"), kind ("entity"/"relation"/"event"), label, start, end,
    span_text, sentence``; relations also carry ``head`` ([start, end] of the trigger)
    and their start/end are those of the argument; events point at their trigger.
    """
    return [row for g, p in align(gold, pred) for row in _record_errors(g, p)]
