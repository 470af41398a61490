"""Build the corpus from authored sources: compile, validate, split by article (`hatif compile` writes it)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .authoring import AuthoredArticle, compile_article, find_sources
from .jsonl import atomic_writer


class CorpusError(ValueError):
    """A split file that is malformed or does not name every article; the message names the file."""


def read_split_file(path: Path) -> dict[str, str]:
    """`doc_id<TAB>split` lines (# comments allowed) -> {doc_id: split}."""
    splits: dict[str, str] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        doc_id, sep, split = line.partition("\t")
        if not sep or not split.strip():
            raise CorpusError(f"{path}:{lineno}: expected 'doc_id<TAB>split', got {line!r}")
        if doc_id in splits:
            raise CorpusError(f"{path}:{lineno}: {doc_id} is assigned twice")
        splits[doc_id] = split.strip()
    return splits


def compile_all(sources: list[str]) -> tuple[list[AuthoredArticle], list[str]]:
    """Compile every source; returns the articles and the violation messages of all of them."""
    articles: list[AuthoredArticle] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in find_sources(sources):
        article, violations = compile_article(path)
        problems.extend(str(v) for v in violations)
        if article is None:
            continue
        if article.doc_id in seen:
            problems.append(f"{path}:1: {article.doc_id}: doc-id-unique: also in {seen[article.doc_id]}")
        seen[article.doc_id] = str(path)
        articles.append(article)
    return articles, problems


def records_by_split(articles: list[AuthoredArticle], split_file: Path) -> dict[str, list[dict]]:
    """The records of every article, as dicts, grouped by the split ``split_file`` gives it (splits
    in name order). Raises CorpusError for an article the file does not name."""
    splits = read_split_file(split_file)
    missing = [a.doc_id for a in articles if a.doc_id not in splits]
    if missing:
        raise CorpusError(f"{split_file}: no split for {', '.join(missing)}")
    grouped: dict[str, list[dict]] = defaultdict(list)
    for article in articles:
        grouped[splits[article.doc_id]].extend(r.to_dict() for r in article.records)
    return dict(sorted(grouped.items()))


def write_texts(articles: list[AuthoredArticle], folder: Path) -> None:
    """Each article's raw text as ``folder/<doc_id>.txt``, written atomically."""
    for article in articles:
        with atomic_writer(folder / f"{article.doc_id}.txt") as handle:
            handle.write(article.text)
