"""Build the corpus files from authored sources: compile, validate, split by article, write atomically."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from .authoring import AuthoredArticle, compile_article, find_sources
from .jsonl import atomic_writer, write_jsonl


def read_split_file(path: Path) -> dict[str, str]:
    """`doc_id<TAB>split` lines (# comments allowed) -> {doc_id: split}."""
    splits: dict[str, str] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        doc_id, sep, split = line.partition("\t")
        if not sep or not split.strip():
            raise ValueError(f"{path}:{lineno}: expected 'doc_id<TAB>split', got {line!r}")
        if doc_id in splits:
            raise ValueError(f"{path}:{lineno}: {doc_id} is assigned twice")
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


def compile_sources(sources: list[str], out: Path | None, split_file: Path | None, out_dir: Path,
                    articles_dir: Path | None, check: bool) -> int:
    """The `hatif compile` job; returns the process exit code."""
    articles, problems = compile_all(sources)
    for message in problems:
        print(message)
    n_records = sum(len(a.records) for a in articles)
    print(f"{len(articles)} article(s), {n_records} sentence record(s), {len(problems)} violation(s)", file=sys.stderr)
    if problems:
        return 1
    if check:
        return 0
    if out is not None:
        write_jsonl(out, (r.to_dict() for a in articles for r in a.records))
        print(f"wrote {out}", file=sys.stderr)
    if split_file is not None:
        splits = read_split_file(split_file)
        missing = [a.doc_id for a in articles if a.doc_id not in splits]
        if missing:
            print(f"{split_file}: no split for {', '.join(missing)}", file=sys.stderr)
            return 1
        grouped: dict[str, list] = defaultdict(list)
        for article in articles:
            grouped[splits[article.doc_id]].extend(r.to_dict() for r in article.records)
        for split, rows in sorted(grouped.items()):
            target = out_dir / split / "corpus.jsonl"
            write_jsonl(target, rows)
            print(f"wrote {target} ({len(rows)} records)", file=sys.stderr)
    if articles_dir is not None:
        for article in articles:
            with atomic_writer(articles_dir / f"{article.doc_id}.txt") as handle:
                handle.write(article.text)
    return 0
