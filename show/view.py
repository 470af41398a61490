"""What the page shows: records grouped into articles, each sentence with its marks and arcs.

Pure data; show.render turns it into HTML.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from hatif.data.records import Record
from hatif.eval.metrics import align
from hatif.eval.report import UsageError

from .diff import ArcMark, SpanMark, arc_marks, has_errors, span_marks


@dataclass(frozen=True)
class SentenceView:
    record: Record
    spans: list[SpanMark]
    arcs: list[ArcMark]

    @property
    def errors(self) -> bool:
        return has_errors(self.spans, self.arcs)


@dataclass
class ArticleView:
    doc_id: str
    doc_date: str | None
    title: str
    sentences: list[SentenceView]  # those shown (all, or only those with errors)
    total_sentences: int
    span_counts: Counter = field(default_factory=Counter)  # over every sentence, shown or not
    arc_counts: Counter = field(default_factory=Counter)
    attribute_errors: int = 0
    error_sentences: int = 0


@dataclass
class PageView:
    articles: list[ArticleView]  # those shown
    compared: bool  # gold was given: marks carry a status
    errors_only: bool
    sources: dict[str, str]  # "predictions" / "gold" -> path, shown in the header
    counted: list[ArticleView] = field(default_factory=list)  # every selected article, shown or not

    def total(self, name: str) -> Counter | int:
        """The sum over every selected article of one of its counts (span_counts, error_sentences, ...).

        Articles left out by --errors-only still count, so the totals are evaluate's on the same sentences.
        """
        values = [getattr(a, name) for a in self.counted]
        return sum(values, Counter()) if values and isinstance(values[0], Counter) else sum(values)

    @property
    def shown_sentences(self) -> int:
        return sum(len(a.sentences) for a in self.articles)


def _articles(records: Sequence[Record]) -> dict[str, list[Record]]:
    """Records by doc_id in order of first appearance, each article in sentence order."""
    by_doc: dict[str, list[Record]] = {}
    for rec in records:
        by_doc.setdefault(rec.doc_id, []).append(rec)
    for doc_id, recs in by_doc.items():
        # doc_offset gives the order within the article where every sentence has one
        if all(r.doc_offset is not None for r in recs):
            recs.sort(key=lambda r: r.doc_offset)
    return by_doc


def _title(recs: Sequence[Record]) -> str:
    """The text of the article's headline: sentence s00 (ANNOTATION.md), else its first sentence."""
    return next((r.text for r in recs if r.id.endswith("-s00")), recs[0].text)


def build_view(pred: Sequence[Record], gold: Sequence[Record] | None = None,
               docs: Sequence[str] | None = None, errors_only: bool = False,
               sources: dict[str, str] | None = None) -> PageView:
    """The page for ``pred`` (compared with ``gold`` when given), restricted to ``docs`` if given.

    Raises ValueError where evaluate would (a prediction without a gold record, a changed
    text), and UsageError (a ValueError too) for a doc id that is in neither file and for
    ``errors_only`` without gold.
    """
    if errors_only and gold is None:
        raise UsageError("--errors-only needs --gold: errors are found against gold")
    if gold is not None:
        pairs = align(gold, pred)  # gold order; a sentence without prediction shows everything missed
        shown = [g for g, _ in pairs]
        pred_of = {g.id: p for g, p in pairs}
    else:
        shown = list(pred)
        pred_of = {r.id: r for r in shown}
    gold_of = {g.id: g for g in gold} if gold is not None else {}
    by_doc = _articles(shown)
    if docs:
        unknown = [d for d in docs if d not in by_doc]
        if unknown:
            raise UsageError(f"no such article: {', '.join(unknown)}")
        by_doc = {d: by_doc[d] for d in dict.fromkeys(docs)}
    counted = []
    for doc_id, recs in by_doc.items():
        article = ArticleView(doc_id, recs[0].doc_date, _title(recs), [], len(recs))
        for rec in recs:
            g = gold_of.get(rec.id)
            p = pred_of[rec.id]
            spans = span_marks(p.entities, g.entities if g is not None else None)
            sentence = SentenceView(rec, spans, arc_marks(p, g, spans))
            article.span_counts.update(m.status for m in spans)
            article.arc_counts.update(a.status for a in sentence.arcs)
            article.attribute_errors += sum(m.attribute_differs for m in spans)
            article.error_sentences += sentence.errors
            if sentence.errors or not errors_only:
                article.sentences.append(sentence)
        counted.append(article)
    return PageView([a for a in counted if a.sentences], gold is not None, errors_only, dict(sources or {}), counted)
