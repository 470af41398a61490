"""What the rule-based extractor knows about names: a gazetteer and word counts compiled from
the PERSON spans of training records only (never the gold test set)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable

from hatif.data.jsonl import write_json
from hatif.data.records import Record

from .lexicon import load_lexicon, tokenize

GAZETTEER_PATH = Path(__file__).with_name("resources") / "gazetteer.json"


@dataclass
class NameResources:
    """What the rules know about names, learned from training records only."""

    names: set[tuple[str, ...]] = field(default_factory=set)  # normalised token tuples
    name_tokens: set[str] = field(default_factory=set)
    common: dict[str, int] = field(default_factory=dict)  # tokens never inside a PERSON span: count outside
    ambiguous: set[str] = field(default_factory=set)  # one-token names that are also words

    @cached_property
    def first_words(self) -> frozenset[str]:
        """The first word of every name, most words begin none (computed on first use: resources
        are not changed once built)."""
        return frozenset(n[0] for n in self.names)

    def to_json(self) -> dict:
        return {"names": sorted(" ".join(n) for n in self.names), "common": dict(sorted(self.common.items())),
                "ambiguous": sorted(self.ambiguous)}

    @classmethod
    def from_json(cls, raw: dict) -> "NameResources":
        names = {tuple(n.split()) for n in raw["names"]}
        return cls(names=names, name_tokens={t for n in names for t in n},
                   common=dict(raw["common"]), ambiguous=set(raw["ambiguous"]))


def build_resources(records: Iterable[Record]) -> NameResources:
    """Gazetteer and word lists from the PERSON spans of annotated (training) records.

    A name of several words also adds its surname (بايدن from جو بايدن; بن سلمان from
    محمد بن سلمان), as news repeats people by surname.
    """
    lex = load_lexicon()
    names: set[tuple[str, ...]] = set()
    surnames: set[tuple[str, ...]] = set()
    inside: Counter[str] = Counter()
    outside: Counter[str] = Counter()

    for rec in records:
        toks = tokenize(rec.text)
        spans = [(e.start, e.end) for e in rec.entities if e.label == "PERSON"]
        for t in toks:
            if not any(t.start < e and s < t.end for s, e in spans):  # وشويغو overlaps شويغو
                outside[t.norm] += 1
        for ent in rec.entities:
            if ent.label != "PERSON":
                continue
            words = tuple(t.norm for t in tokenize(ent.text) if t.is_word or t.is_num)
            if not words or words[0] in lex["title_heads"] or words[0] in lex["kin_words"]:
                continue  # unnamed parties are found by the title rules, not by the gazetteer
            names.add(words)
            inside.update(words)
            if len(words) >= 2:
                cut = -2 if words[-2] in lex["name_connectors"] else -1
                if len(words) + cut >= 1:
                    surnames.add(words[cut:])
    # a surname that is also an ordinary word (الثاني، صباح) needs to have been seen alone
    names |= {s for s in surnames if len(s) > 1 or outside[s[0]] == 0}
    common = {w: c for w, c in outside.items() if w not in inside}
    ambiguous = {n[0] for n in names if len(n) == 1 and outside[n[0]] > 0}
    return NameResources(names=names, name_tokens=set(inside), common=common, ambiguous=ambiguous)


@lru_cache(maxsize=1)
def default_resources() -> NameResources:
    """The resources shipped in resources/gazetteer.json (empty when it is missing)."""
    if not GAZETTEER_PATH.exists():
        return NameResources()
    return NameResources.from_json(json.loads(GAZETTEER_PATH.read_text(encoding="utf-8")))


def write_gazetteer(records: list[Record], out: Path = GAZETTEER_PATH) -> int:
    """Compile resources/gazetteer.json from training records; returns the number of names."""
    resources = build_resources(records)
    write_json(out, resources.to_json())
    return len(resources.names)
