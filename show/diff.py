"""Gold against prediction, one sentence at a time: what each span and arc of the view is.

Matching is the strict matching of ``hatif evaluate`` (eval.metrics): a span is correct when
a gold span has the same label and the same offsets; an arc is correct when a gold relation
has the same label, head span and tail span. What does not match is split further, so that
the view can say *why*:

- ``wrong-label``: the offsets agree but the label differs (a span predicted as DATE that
  gold calls PERSON; an arc predicted ``caller`` that gold calls ``callee``). evaluate counts
  it as one false positive and one false negative.
- ``spurious``: predicted, with no gold item at those offsets (a false positive).
- ``missed``: in gold, with no prediction at those offsets (a false negative).

So ``tp = correct``, ``predicted = correct + wrong-label + spurious`` and
``support = correct + wrong-label + missed``, the counts evaluate scores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from hatif.data.records import Entity, Record

CORRECT, MISSED, SPURIOUS, WRONG_LABEL = "correct", "missed", "spurious", "wrong-label"
STATUSES = (CORRECT, MISSED, SPURIOUS, WRONG_LABEL)

Span = tuple[int, int]


@dataclass(frozen=True)
class SpanMark:
    """One highlighted span of the view.

    ``key`` names it within its sentence: ``p<i>`` for the i-th predicted entity, ``g<i>``
    for a gold entity shown because nothing was predicted at its offsets. ``entity`` is what
    is shown (the prediction, or the gold entity when missed); ``gold`` is the gold entity at
    the same offsets, if any. ``status`` is None when there is no gold to compare with.
    """

    key: str
    entity: Entity
    status: str | None = None
    gold: Entity | None = None

    @property
    def attribute_differs(self) -> bool:
        """A correct span whose DATE value or TRIGGER polarity differs from gold's."""
        if self.status != CORRECT or self.gold is None:
            return False
        return (self.entity.value, self.entity.polarity) != (self.gold.value, self.gold.polarity)


@dataclass(frozen=True)
class ArcMark:
    """One relation arc, from the span ``head`` (a trigger) to the span ``tail`` (keys of SpanMark).

    ``label`` is what is shown (the predicted label, or gold's when missed); ``gold_label`` is
    gold's label where it differs (wrong-label).
    """

    head: str
    tail: str
    label: str
    status: str | None = None
    gold_label: str | None = None


def _span(ent: Entity) -> Span:
    return (ent.start, ent.end)


def span_marks(pred: Iterable[Entity], gold: Iterable[Entity] | None = None) -> list[SpanMark]:
    """The spans to show: every prediction, then every gold entity nothing was predicted at.

    Without gold, every mark has status None. Entities of one record never overlap, so at
    most one gold entity sits at any offsets.
    """
    pred = list(pred)
    if gold is None:
        return [SpanMark(f"p{i}", ent) for i, ent in enumerate(pred)]
    gold = list(gold)
    gold_at = {_span(g): g for g in gold}
    marks = []
    for i, ent in enumerate(pred):
        match = gold_at.get(_span(ent))
        status = SPURIOUS if match is None else CORRECT if match.label == ent.label else WRONG_LABEL
        marks.append(SpanMark(f"p{i}", ent, status, match))
    predicted_at = {_span(ent) for ent in pred}
    marks += [SpanMark(f"g{i}", g, MISSED, g) for i, g in enumerate(gold) if _span(g) not in predicted_at]
    return marks


def arc_marks(pred: Record, gold: Record | None, marks: list[SpanMark]) -> list[ArcMark]:
    """The arcs to show, each tied to the marks of its head and tail (as ``span_marks`` made them).

    A gold relation is drawn between the marks shown at its spans' offsets: the predicted
    span there if any (correct or wrong-label), else the missed gold span.
    """
    key_at = {}
    for mark in marks:  # predictions come first: they win the offsets they share with gold
        key_at.setdefault(_span(mark.entity), mark.key)
    pred_rels = _relation_keys(pred)
    if gold is None:
        return [ArcMark(key_at[h], key_at[t], label) for label, h, t in pred_rels]
    gold_rels = _relation_keys(gold)
    left = Counter(gold_rels)  # relations are a multiset, as in evaluate
    status: list[tuple[str, str | None]] = []
    for key in pred_rels:
        if left[key] > 0:
            left[key] -= 1
            status.append((CORRECT, None))
        else:
            status.append((SPURIOUS, None))
    for i, (label, h, t) in enumerate(pred_rels):  # what strict matching left: same spans, other label?
        if status[i][0] == SPURIOUS:
            other = next((g for g in gold_rels if left[g] > 0 and g[1:] == (h, t)), None)
            if other is not None:
                left[other] -= 1
                status[i] = (WRONG_LABEL, other[0])
    arcs = [ArcMark(key_at[h], key_at[t], label, st, gold_label)
            for (label, h, t), (st, gold_label) in zip(pred_rels, status)]
    for key in gold_rels:
        if left[key] > 0:
            left[key] -= 1
            label, h, t = key
            arcs.append(ArcMark(key_at[h], key_at[t], label, MISSED))
    return arcs


def _relation_keys(rec: Record) -> list[tuple[str, Span, Span]]:
    # As eval.metrics: a relation whose head or tail is not an entity of the record is ignored.
    ents = {e.id: e for e in rec.entities}
    return [(r.label, _span(ents[r.head]), _span(ents[r.tail])) for r in rec.relations
            if r.head in ents and r.tail in ents]


def count(marks: Iterable[SpanMark | ArcMark]) -> Counter:
    """How many marks of each status (None for marks without gold)."""
    return Counter(m.status for m in marks)


def has_errors(spans: Iterable[SpanMark], arcs: Iterable[ArcMark]) -> bool:
    """Whether a sentence holds anything but correct marks (a differing DATE value or polarity counts)."""
    return (any(m.status not in (CORRECT, None) or m.attribute_differs for m in spans)
            or any(a.status not in (CORRECT, None) for a in arcs))


def scores(counts: Counter) -> dict[str, float | int]:
    """P/R/F1 from status counts, as eval.metrics.prf computes them from tp, predicted and support."""
    from hatif.eval.metrics import prf

    tp = counts[CORRECT]
    return prf(tp, tp + counts[WRONG_LABEL] + counts[SPURIOUS], tp + counts[WRONG_LABEL] + counts[MISSED])
