"""The label schema as data: every label map in the project is built from data/schema.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@dataclass(frozen=True)
class Schema:
    entity_labels: tuple[str, ...]
    relations: dict[str, tuple[str, ...]]  # relation label -> allowed tail entity labels
    relation_head: str
    polarities: tuple[str, ...]
    version: int

    @property
    def relation_labels(self) -> tuple[str, ...]:
        return tuple(self.relations)

    @property
    def argument_labels(self) -> tuple[str, ...]:
        """Entity labels that can be the tail of some relation, in schema order."""
        tails = {t for allowed in self.relations.values() for t in allowed}
        return tuple(label for label in self.entity_labels if label in tails)

    def bio_labels(self) -> list[str]:
        """IOB2 tag inventory: O, then B-/I- per entity label (deterministic order)."""
        return ["O"] + [f"{p}-{label}" for label in self.entity_labels for p in ("B", "I")]


@lru_cache(maxsize=None)
def load_schema(path: str | Path = SCHEMA_PATH) -> Schema:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return Schema(
        entity_labels=tuple(raw["entity_labels"]),
        relations={k: tuple(v) for k, v in raw["relations"].items()},
        relation_head=raw["relation_head"],
        polarities=tuple(raw["polarities"]),
        version=int(raw["version"]),
    )
