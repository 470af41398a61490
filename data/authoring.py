"""Compile hand-authored `.ann` articles (data/AUTHORING.md) into annotation records.

Offsets are never typed by hand: spans are marked inline as ``[text]{LABEL#id attrs}``,
the article is rendered in the seed layout, split by the project's own article reader,
and every span is placed in its sentence by offset arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hatif.text.articles import CAPTION_END, parse_dateline, read_article
from .jsonl import Violation
from .records import Entity, Record, Relation
from .schema import load_schema
from .validate import check_record, is_iso_day, is_iso_value

HEADER_KEYS = ("doc_id", "doc_date", "headline", "dateline", "caption")
BODY_MARK = "==="
_SPAN = re.compile(r"\[([^\[\]{}]*)\]\{([^\[\]{}]*)\}")
_LABEL = re.compile(r"^([A-Z]+)(?:#([\w-]+))?$")


@dataclass
class MarkedSpan:
    start: int  # offset in the plain line
    end: int
    label: str
    name: str | None
    polarity: str | None = None
    value: str | None = None
    has_value: bool = False
    roles: list[tuple[str, str]] = field(default_factory=list)  # (relation label, trigger name)


@dataclass
class MarkedLine:
    source_line: int
    plain: str
    spans: list[MarkedSpan]


def parse_markup(line: str, report) -> tuple[str, list[MarkedSpan]]:
    """Strip ``[text]{...}`` markup from one line; returns the plain text and the spans."""
    schema = load_schema()
    plain: list[str] = []
    spans: list[MarkedSpan] = []
    pos = length = 0
    for match in _SPAN.finditer(line):
        plain.append(line[pos:match.start()])
        length += match.start() - pos
        inner, attrs = match.group(1), match.group(2).split()
        head = _LABEL.match(attrs[0]) if attrs else None
        if head is None or head.group(1) not in schema.entity_labels:
            report("markup", f"span [{inner}] needs a label from {list(schema.entity_labels)}, got {{{match.group(2)}}}")
        else:
            span = MarkedSpan(length, length + len(inner), head.group(1), head.group(2))
            for attr in attrs[1:]:
                _apply_attribute(span, attr, inner, report)
            spans.append(span)
        plain.append(inner)
        length += len(inner)
        pos = match.end()
    plain.append(line[pos:])
    text = "".join(plain)
    if any(ch in text for ch in "[]{}"):
        report("markup", "stray bracket: every span must read [text]{LABEL ...}")
    return text, spans


def _apply_attribute(span: MarkedSpan, attr: str, inner: str, report) -> None:
    schema = load_schema()
    if attr in schema.polarities:
        span.polarity = attr
    elif attr.startswith("="):
        value = attr[1:]
        span.has_value = True
        span.value = None if value == "null" else value
        if span.value is not None and not is_iso_value(span.value):
            report("date-value", f"[{inner}]: {attr} is not an ISO value")
    elif ">" in attr:
        role, target = attr.split(">", 1)
        if role not in schema.relations:
            report("relation-label", f"[{inner}]: unknown role {role!r} in {attr!r}")
        span.roles.append((role, target))
    else:
        report("markup", f"[{inner}]: unknown attribute {attr!r}")


@dataclass
class AuthoredArticle:
    path: str
    doc_id: str
    doc_date: str | None
    text: str
    records: list[Record]


def compile_article(path: str | Path) -> tuple[AuthoredArticle | None, list[Violation]]:
    """Compile one `.ann` file; returns the article and every violation found."""
    path = str(path)
    violations: list[Violation] = []
    state = {"line": 0, "id": Path(path).stem}

    def report(rule: str, detail: str) -> None:
        violations.append(Violation(path, state["line"], state["id"], rule, detail))

    header: dict[str, tuple[int, str]] = {}
    body: list[tuple[int, str]] = []
    in_body = False
    for lineno, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        state["line"] = lineno
        line = raw.strip()
        if in_body:
            if line:
                body.append((lineno, line))
        elif line == BODY_MARK:
            in_body = True
        elif line:
            key, sep, value = line.partition(":")
            if not sep or key.strip() not in HEADER_KEYS:
                report("header", f"expected 'key: value' with key in {HEADER_KEYS} or '{BODY_MARK}', got {line[:40]!r}")
            else:
                header[key.strip()] = (lineno, value.strip())
    state["line"] = 1
    for key in ("doc_id", "doc_date", "headline"):
        if key not in header:
            report("header", f"missing '{key}:'")
    if not in_body:
        report("header", f"missing the '{BODY_MARK}' line before the body")
    if violations:
        return None, violations
    doc_id, doc_date = header["doc_id"][1], header["doc_date"][1]
    state["id"] = doc_id
    if doc_id != Path(path).stem:
        report("header", f"doc_id {doc_id!r} differs from the file name")
    if not is_iso_day(doc_date):
        report("doc-date", f"doc_date {doc_date!r} is not ISO YYYY-MM-DD")

    def marked(lineno: int, text: str) -> MarkedLine:
        state["line"] = lineno
        plain, spans = parse_markup(text, report)
        return MarkedLine(lineno, plain, spans)

    # Render the article in the seed layout and remember where each marked line starts.
    parts: list[str] = []
    placed: list[tuple[int, MarkedLine]] = []

    def put(line: MarkedLine | str) -> None:
        offset = sum(len(p) for p in parts)
        if isinstance(line, MarkedLine):
            placed.append((offset, line))
            parts.append(line.plain + "\n")
        else:
            parts.append(line + "\n")

    put(marked(*header["headline"]))
    parts.append("\n")
    if "dateline" in header:
        state["line"] = header["dateline"][0]
        dated = parse_dateline(header["dateline"][1])
        if dated is None:
            report("dateline", f"{header['dateline'][1]!r} is not read as a date line")
        elif dated != doc_date:
            report("dateline", f"date line says {dated}, doc_date says {doc_date}")
        put(header["dateline"][1])
    if "caption" in header:
        put(marked(*header["caption"]))
        put(CAPTION_END)
    for lineno, text in body:
        parts.append("\n")
        put(marked(lineno, text))
    if violations:
        return None, violations
    text = "".join(parts)
    article = read_article(text, doc_id, doc_date)
    records = _place_spans(article, placed, report, state)
    for record, lineno in records:
        for found in check_record(record.to_dict(), path, lineno):
            violations.append(found)
    return AuthoredArticle(path, doc_id, doc_date, text, [r for r, _ in records]), violations


def _place_spans(article, placed, report, state) -> list[tuple[Record, int]]:
    """Assign each marked span to the sentence holding it and build the records."""
    sentences = article.sentences
    per_sentence: list[list[tuple[int, int, MarkedSpan]]] = [[] for _ in sentences]
    line_of_sentence: dict[int, int] = {}
    for offset, mline in placed:
        for n, sent in enumerate(sentences):
            if offset <= sent.doc_start < offset + len(mline.plain) + 1:
                line_of_sentence[n] = mline.source_line
        state["line"] = mline.source_line
        for span in mline.spans:
            start, end = offset + span.start, offset + span.end
            home = [n for n, s in enumerate(sentences) if s.doc_start <= start and end <= s.doc_end]
            if not home:
                report("sentence-boundary", f"span {article.text[start:end]!r} is not inside one sentence")
                continue
            per_sentence[home[0]].append((start, end, span))
    records: list[tuple[Record, int]] = []
    for n, sent in enumerate(sentences):
        state["line"] = line_of_sentence.get(n, 0)
        state["id"] = sent.id
        items = sorted(per_sentence[n], key=lambda item: item[0])
        entities, names = [], {}
        for k, (start, end, span) in enumerate(items, start=1):
            eid = f"e{k}"
            if span.name:
                if span.name in names:
                    report("entity-id-unique", f"span name #{span.name} used twice in one sentence")
                names[span.name] = eid
            entities.append(Entity(eid, span.label, start - sent.doc_start, end - sent.doc_start,
                                   article.text[start:end], polarity=span.polarity,
                                   value=span.value if span.has_value else None))
            if span.label == "DATE" and not span.has_value:
                report("date-value", f"DATE [{article.text[start:end]}] needs =VALUE (or =null)")
        relations = []
        for k, (_, _, span) in enumerate(items, start=1):
            for role, target in span.roles:
                if target not in names:
                    report("relation-head", f"{role}>{target}: no trigger #{target} in this sentence")
                    continue
                relations.append(Relation(names[target], f"e{k}", role))
        records.append((Record(sent.id, article.doc_id, article.doc_date, sent.text, entities,
                               relations, doc_offset=sent.doc_start), state["line"]))
    return records


def find_sources(paths: list[str]) -> list[Path]:
    """`.ann` files named directly or found under directories, in sorted order."""
    found: list[Path] = []
    for p in map(Path, paths):
        found.extend(sorted(p.rglob("*.ann")) if p.is_dir() else [p])
    return found
