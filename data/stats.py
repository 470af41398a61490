"""Corpus statistics of annotation records (what `hatif stats` prints)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from .records import Record
from .schema import load_schema


def _percentiles(values: list[int], points: tuple[int, ...] = (50, 90, 99, 100)) -> dict[str, int]:
    if not values:
        return {f"p{p}": 0 for p in points}
    ordered = sorted(values)
    # Nearest-rank percentiles: every reported value is a real sentence length.
    return {f"p{p}": ordered[max(0, -(-p * len(ordered) // 100) - 1)] for p in points}


def compute_stats(records: Iterable[Record]) -> dict[str, Any]:
    """Counts by label, events by polarity, events per sentence and length percentiles."""
    schema = load_schema()
    records = list(records)
    entities = Counter({label: 0 for label in schema.entity_labels})
    relations = Counter({label: 0 for label in schema.relation_labels})
    polarity = Counter({p: 0 for p in schema.polarities})
    per_sentence = Counter({"0": 0, "1": 0, "2+": 0})
    for rec in records:
        entities.update(e.label for e in rec.entities)
        relations.update(r.label for r in rec.relations)
        triggers = [e for e in rec.entities if e.label == schema.relation_head]
        polarity.update(t.polarity for t in triggers)
        per_sentence[("0", "1", "2+")[min(len(triggers), 2)]] += 1
    return {
        "documents": len({r.doc_id for r in records}),
        "sentences": len(records),
        "entities": dict(entities),
        "relations": dict(relations),
        "events_by_polarity": dict(polarity),
        "sentences_by_event_count": dict(per_sentence),
        "sentence_chars": _percentiles([len(r.text) for r in records]),
        "sentence_words": _percentiles([len(r.text.split()) for r in records]),
    }


def format_stats(stats: dict[str, Any]) -> str:
    """A plain-text rendering, one section per count family."""
    lines = [f"documents: {stats['documents']}", f"sentences: {stats['sentences']}"]
    for key in ("entities", "relations", "events_by_polarity", "sentences_by_event_count",
                "sentence_chars", "sentence_words"):
        body = "  ".join(f"{k}={v}" for k, v in stats[key].items())
        lines.append(f"{key}: {body}")
    return "\n".join(lines)
