"""The HTML page of a PageView: one self-contained file (inline CSS and JS, no network).

Every piece of record text goes through ``html.escape``; element ids are made from
positions (``a3``, ``a3-s5``), never from record ids, which are shown and kept in data-
attributes only. A Content-Security-Policy allows no network and only the page's own script
(by its hash), so even markup that slipped through could not run a script.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from importlib.resources import files

from .diff import CORRECT, MISSED, SPURIOUS, STATUSES, WRONG_LABEL, ArcMark, SpanMark, scores
from .view import ArticleView, PageView, SentenceView

LABELS = {"TRIGGER": "الاتصال", "PERSON": "شخص", "DATE": "تاريخ", "TOPIC": "موضوع"}
RELATIONS = ("caller", "callee", "date", "topic")
STATUS_HELP = {
    CORRECT: "in gold and predicted (same label, same span)",
    MISSED: "in gold, not predicted",
    SPURIOUS: "predicted, not in gold",
    WRONG_LABEL: "predicted at gold's span, with another label",
}


def _asset(name: str) -> str:
    return files("hatif.show").joinpath(name).read_text(encoding="utf-8")


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _status_attr(status: str | None) -> str:
    return f' data-status="{status}"' if status else ""


def _mark_open(mark: SpanMark, first: bool) -> str:
    ent = mark.entity
    classes = ["ent", f"L-{ent.label}" if ent.label in LABELS else "nolabel"]
    if mark.status:
        classes.append(f"st-{mark.status}")
    if not first:
        classes.append("cont")  # a later piece of a span cut by a crossing one
    title = ent.label + (f" · {mark.status}" if mark.status else "")
    if mark.status == WRONG_LABEL and mark.gold is not None:
        title += f" (gold: {mark.gold.label})"
    if ent.score is not None:
        title += f" · p={ent.score:.2f}"
    return (f'<mark class="{" ".join(classes)}" data-ent="{mark.key}" data-label="{_attr(ent.label)}"'
            f'{_status_attr(mark.status)} title="{_attr(title)}">')


def _tag(mark: SpanMark) -> str:
    """The small tags after a span: DATE value, trigger polarity (predicted ≠ gold where they differ),
    and gold's label where the span has another."""
    ent, out = mark.entity, []
    kind = {"DATE": "value", "TRIGGER": "polarity"}.get(ent.label)
    if kind:
        shown = getattr(ent, kind)
        shown = "null" if shown is None else str(shown)
        if mark.attribute_differs:
            gold = getattr(mark.gold, kind)
            out.append(f'<span class="tag {kind} bad" dir="ltr" data-for="{mark.key}" title="predicted ≠ gold">'
                       f'{_attr(shown)} ≠ {_attr("null" if gold is None else gold)}</span>')
        else:
            status = f" st-{mark.status}" if mark.status else ""
            out.append(f'<span class="tag {kind}{status}" dir="ltr" data-for="{mark.key}">{_attr(shown)}</span>')
    if mark.status == WRONG_LABEL and mark.gold is not None:
        out.append(f'<span class="tag bad" dir="ltr" data-for="{mark.key}" title="gold label">'
                   f'≠ {_attr(mark.gold.label)}</span>')
    return "".join(out)


def text_html(text: str, marks: list[SpanMark]) -> str:
    """The sentence text with its marks as nested <mark> elements and their tags after them.

    Gold and predicted spans may cross (a boundary error); elements must nest, so a mark
    still open where an inner one ends is closed and reopened around it (same data-ent).
    """
    starts: dict[int, list[SpanMark]] = {}
    for mark in marks:
        starts.setdefault(mark.entity.start, []).append(mark)
    points = sorted({0, len(text)} | {m.entity.start for m in marks} | {m.entity.end for m in marks})
    out: list[str] = []
    stack: list[SpanMark] = []
    pos = 0
    for point in points:
        out.append(escape(text[pos:point], quote=False))
        pos = point
        if any(m.entity.end == point for m in stack):
            reopen: list[SpanMark] = []
            while any(m.entity.end == point for m in stack):
                mark = stack.pop()
                out.append("</mark>")
                if mark.entity.end == point:
                    out.append(_tag(mark))
                else:
                    reopen.append(mark)
            for mark in reversed(reopen):
                out.append(_mark_open(mark, first=False))
                stack.append(mark)
        for mark in sorted(starts.get(point, []), key=lambda m: -m.entity.end):  # outer first
            out.append(_mark_open(mark, first=True))
            stack.append(mark)
    return "".join(out)


def _arc_html(arc: ArcMark, spans: dict[str, SpanMark]) -> str:
    classes = ["arc", f"r-{arc.label}" if arc.label in RELATIONS else "r-other"]
    if arc.status:
        classes.append(f"st-{arc.status}")
    shown = arc.label if arc.gold_label is None else f"{arc.label}≠{arc.gold_label}"
    head, tail = spans[arc.head].entity, spans[arc.tail].entity
    title = f"{arc.label}: {head.text} → {tail.text}" + (f" ({arc.status})" if arc.status else "")
    if arc.gold_label:
        title += f", gold: {arc.gold_label}"
    return (f'<g class="{" ".join(classes)}" data-head="{arc.head}" data-tail="{arc.tail}" '
            f'data-label="{_attr(arc.label)}"{_status_attr(arc.status)}>'
            f'<title>{escape(title, quote=False)}</title><text>{escape(shown, quote=False)}</text></g>')


def _sentence_html(sentence: SentenceView, anchor: str) -> str:
    rec = sentence.record
    short = rec.id[len(rec.doc_id) + 1:] if rec.id.startswith(rec.doc_id + "-") else rec.id
    spans = {m.key: m for m in sentence.spans}
    errors = " has-errors" if sentence.errors else ""
    arcs = "".join(_arc_html(a, spans) for a in sentence.arcs)
    return (f'<div class="sent{errors}" id="{anchor}" data-id="{_attr(rec.id)}" data-spans="{len(sentence.spans)}" '
            f'data-arcs="{len(sentence.arcs)}"><bdi class="sid" dir="ltr" title="{_attr(rec.id)}">{_attr(short)}</bdi>'
            f'<div class="stage"><svg class="arcs" aria-hidden="true">{arcs}</svg>'
            f'<p class="text">{text_html(rec.text, sentence.spans)}</p></div></div>')


def _article_html(article: ArticleView, index: int, compared: bool) -> str:
    anchor = f"a{index}"
    date = (f'<time datetime="{_attr(article.doc_date)}">{_attr(article.doc_date)}</time>'
            if article.doc_date else "no date")
    counts = ""
    if compared:
        head = "".join(f'<th class="st-{st}">{st}</th>' for st in STATUSES)
        rows = "".join(f"<tr><th>{name}</th>" + "".join(f'<td class="st-{st}">{c[st]}</td>' for st in STATUSES) + "</tr>"
                       for name, c in (("spans", article.span_counts), ("arcs", article.arc_counts)))
        counts = (f'<div class="art-counts" dir="ltr"><table><tr><th></th>{head}</tr>{rows}</table>'
                  f'<p>{article.error_sentences} of {article.total_sentences} sentences with errors · '
                  f'{article.attribute_errors} value/polarity differs</p></div>')
    errors = " has-errors" if article.error_sentences else ""
    body = "".join(_sentence_html(s, f"{anchor}-s{i}") for i, s in enumerate(article.sentences))
    return (f'<section class="article{errors}" id="{anchor}" data-doc-id="{_attr(article.doc_id)}">'
            f'<header class="art-head"><div><h2 class="title">{escape(article.title, quote=False)}</h2>'
            f'<p class="meta"><bdi dir="ltr"><code>{escape(article.doc_id, quote=False)}</code> · {date}</bdi></p>'
            f'</div>{counts}</header>{body}</section>')


def _legend(compared: bool) -> str:
    labels = "".join(f'<mark class="ent L-{label}">{label} <span lang="ar">{ar}</span></mark>'
                     for label, ar in LABELS.items())
    tags = ('<span class="tag value" dir="ltr">2022-10-21</span> DATE value '
            '<span class="tag polarity" dir="ltr">asserted</span> polarity')
    parts = [f'<span class="group">labels: {labels}</span>', f'<span class="group">{tags}</span>']
    if compared:
        status = "".join(f'<mark class="ent L-PERSON st-{s}" title="{_attr(STATUS_HELP[s])}">{s}</mark>'
                         for s in STATUSES)
        parts.append(f'<span class="group">spans and arcs: {status}</span>')
        arcs = "".join(_legend_arc(f"st-{s}", s) for s in STATUSES)
    else:
        arcs = "".join(_legend_arc(f"r-{r}", r) for r in RELATIONS)
    parts.append(f'<span class="group">arcs, trigger → argument: {arcs}</span>')
    return f'<div class="legend">{"".join(parts)}</div>'


def _legend_arc(cls: str, label: str) -> str:
    return (f'<svg width="74" height="22" aria-hidden="true"><g class="arc {cls}">'
            f'<path class="line" d="M4,20 L4,8 L70,8 L70,20"/><path class="head" d="M66.5,13 L73.5,13 L70,20 Z"/>'
            f'<text x="37" y="8" text-anchor="middle" dominant-baseline="central">{escape(label)}</text></g></svg>')


def _summary_table(view: PageView) -> str:
    rows = []
    for name, counts in (("spans", view.total("span_counts")), ("arcs", view.total("arc_counts"))):
        prf = scores(counts)
        cells = "".join(f"<td>{counts[s]}</td>" for s in STATUSES)
        rows.append(f"<tr><th>{name}</th>{cells}<td>{prf['precision']:.3f}</td><td>{prf['recall']:.3f}</td>"
                    f"<td>{prf['f1']:.3f}</td></tr>")
    head = "".join(f"<th>{s}</th>" for s in STATUSES)
    return (f'<table class="summary"><tr><th></th>{head}<th>P</th><th>R</th><th>F1</th></tr>{"".join(rows)}</table>'
            '<p>Strict matching, as <code>hatif evaluate</code> (entities (span), relations (strict)): '
            'a wrong-label item is one false positive and one false negative there. '
            f'{view.total("attribute_errors")} correct span(s) with another DATE value or polarity than gold.</p>')


def _toc(view: PageView) -> str:
    items = []
    for i, article in enumerate(view.articles):
        errors = f" — {article.error_sentences} with errors" if view.compared else ""
        items.append(f'<li><a href="#a{i}"><span lang="ar" dir="rtl">{escape(article.title, quote=False)}</span></a>'
                     f' <small>({len(article.sentences)} sentences{errors})</small></li>')
    return f'<details class="toc"><summary>{len(view.articles)} articles</summary><ol>{"".join(items)}</ol></details>'


def render_page(view: PageView) -> str:
    """The whole page as one string."""
    script = _asset("view.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; img-src data:"
    sources = " · ".join(f"{name}: <code>{escape(path, quote=False)}</code>" for name, path in view.sources.items())
    shown = view.shown_sentences
    total = view.total("total_sentences")
    status = f"{len(view.articles)} article(s), {shown} of {total} sentence(s) shown"
    if view.compared:
        status += f", {view.total('error_sentences')} with errors"
    head = ["<h1>hatif show</h1>", f"<p>{sources}</p>" if sources else "", f"<p>{status}"
            f"{' (errors only)' if view.errors_only else ''}</p>"]
    if view.compared:
        head.append(_summary_table(view))
        if not view.errors_only:
            head.append('<label class="filter"><input type="checkbox" id="errors-filter"> '
                        'show only sentences with errors</label>')
    head += [_legend(view.compared), _toc(view)]
    articles = "".join(_article_html(a, i, view.compared) for i, a in enumerate(view.articles))
    return ("<!DOCTYPE html>\n"
            '<html dir="rtl" lang="ar"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{_attr(csp)}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>hatif show — {len(view.articles)} article(s)</title>"
            f"<style>{_asset('view.css')}</style></head>"
            f'<body class="{"compared" if view.compared else "plain"}">'
            f'<header class="page-head" dir="ltr">{"".join(head)}</header>'
            f"<main>{articles}</main><script>{script}</script></body></html>\n")
