"""Annotation records (ANNOTATION.md): typed objects and their JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Entity:
    id: str
    label: str
    start: int
    end: int
    text: str
    polarity: str | None = None  # TRIGGER only
    value: str | None = None  # DATE only (None also means "unresolvable")
    score: float | None = None  # predictions only

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "label": self.label, "start": self.start,
                               "end": self.end, "text": self.text}
        if self.label == "TRIGGER":
            out["polarity"] = self.polarity
        if self.label == "DATE":
            out["value"] = self.value
        if self.score is not None:
            out["score"] = round(self.score, 4)
        return out


@dataclass(frozen=True)
class Relation:
    head: str
    tail: str
    label: str
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"head": self.head, "tail": self.tail, "label": self.label}
        if self.score is not None:
            out["score"] = round(self.score, 4)
        return out


@dataclass
class Record:
    id: str
    doc_id: str
    doc_date: str | None
    text: str
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    doc_offset: int | None = None  # where the sentence starts in its article, when known

    def entity(self, entity_id: str) -> Entity:
        for ent in self.entities:
            if ent.id == entity_id:
                return ent
        raise KeyError(entity_id)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "doc_id": self.doc_id, "doc_date": self.doc_date,
                               "text": self.text}
        if self.doc_offset is not None:
            out["doc_offset"] = self.doc_offset
        out["entities"] = [e.to_dict() for e in self.entities]
        out["relations"] = [r.to_dict() for r in self.relations]
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "Record":
        """Build from an already validated dict (see data.validate)."""
        return cls(
            id=raw["id"], doc_id=raw["doc_id"], doc_date=raw["doc_date"], text=raw["text"],
            entities=[Entity(id=e["id"], label=e["label"], start=e["start"], end=e["end"],
                             text=e["text"], polarity=e.get("polarity"), value=e.get("value"),
                             score=e.get("score")) for e in raw["entities"]],
            relations=[Relation(head=r["head"], tail=r["tail"], label=r["label"],
                                score=r.get("score")) for r in raw["relations"]],
            doc_offset=raw.get("doc_offset"),
        )
