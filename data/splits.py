"""Fixed train/dev split by article: assigned once, written to corpus/splits.tsv, never reshuffled."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from .authoring import AuthoredArticle
from .records import Record

# Phenomena the dev split must contain so every quota is measured on it too.
COVERAGE: dict[str, Callable[[Record], bool]] = {
    "negated": lambda r: any(e.polarity == "negated" for e in r.entities),
    "hypothetical": lambda r: any(e.polarity == "hypothetical" for e in r.entities),
    "two_calls": lambda r: sum(e.label == "TRIGGER" for e in r.entities) >= 2,
    "several_callees": lambda r: any(
        sum(1 for x in r.relations if x.head == t.id and x.label == "callee") >= 2
        for t in r.entities if t.label == "TRIGGER"),
    "topic": lambda r: any(x.label == "topic" for x in r.relations),
    "no_call": lambda r: not any(e.label == "TRIGGER" for e in r.entities),
}


def _covers(article: AuthoredArticle) -> set[str]:
    return {name for name, test in COVERAGE.items() if any(test(r) for r in article.records)}


def assign_splits(articles: list[AuthoredArticle], existing: dict[str, str], dev_fraction: float = 0.15,
                  seed: int = 13) -> dict[str, str]:
    """Keep existing assignments; give new articles a split, stratified by source folder, so
    that about ``dev_fraction`` of all articles are dev and dev covers every COVERAGE phenomenon."""
    rng = random.Random(seed)
    splits = dict(existing)
    new = sorted((a for a in articles if a.doc_id not in splits), key=lambda a: a.doc_id)
    by_folder: dict[str, list[AuthoredArticle]] = defaultdict(list)
    for article in new:
        by_folder[Path(article.path).parent.name].append(article)
    for folder in sorted(by_folder):
        group = by_folder[folder]
        rng.shuffle(group)
        n_dev = round(len(group) * dev_fraction)
        for k, article in enumerate(group):
            splits[article.doc_id] = "dev" if k < n_dev else "train"
    dev = [a for a in articles if splits[a.doc_id] == "dev"]
    missing = set(COVERAGE) - set().union(*map(_covers, dev)) if dev else set(COVERAGE)
    for article in new:  # swap in a train article for each phenomenon dev lacks
        if missing and splits[article.doc_id] == "train" and _covers(article) & missing:
            splits[article.doc_id] = "dev"
            missing -= _covers(article)
    return splits


def write_split_file(path: Path, splits: dict[str, str]) -> None:
    from .jsonl import atomic_writer

    with atomic_writer(path) as out:
        out.write("# doc_id<TAB>split — fixed: `hatif split` only adds new articles, it never moves one\n")
        for doc_id in sorted(splits):
            out.write(f"{doc_id}\t{splits[doc_id]}\n")
