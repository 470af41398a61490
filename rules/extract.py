"""The rule-based baseline: call events from one Arabic news sentence without machine learning.

`extract(text, doc_date)` returns the entities (TRIGGER with polarity, PERSON, DATE with its
resolved value, TOPIC) and relations (caller, callee, date, topic) of one sentence in the
record format of ANNOTATION.md; `predict_records` does it for the sentences of articles, with
what each article tells about its sentences. Run it through `hatif predict --model rules`.
The word lists live in lexicon.json, the names learned from training data in
resources/gazetteer.json (rebuild with `hatif gazetteer corpus/train/corpus.jsonl`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby

from hatif.data.records import Entity, Record, Relation
from hatif.text.arabic import CLITICS, TATWEEL, is_word_char

from .dates import find_dates
from .link import Roles, Sentence, date_for, roles_for, segment
from .gazetteer import NameResources, default_resources
from .people import PeopleFinder
from .lexicon import Token, load_lexicon, tokenize
from .topics import find_topics
from .triggers import Trigger, find_triggers, polarity


@dataclass
class DocContext:
    """What the rest of the article tells about one of its sentences."""

    phone_article: bool = False  # the article reports a call: a bare تحدث مع may report one too
    names: set[tuple[str, ...]] = field(default_factory=set)  # names (and surnames) seen earlier


def _char_start(text: str, tok: Token, skip: int) -> int:
    """Offset of the letter after `skip` clitic letters of `tok` (diacritics on them skipped)."""
    pos, letters = tok.start, 0
    while letters < skip:
        pos += 1
        while pos < tok.end and not text[pos].isalpha():
            pos += 1
        letters += 1
    return pos


def _whole_words(text: str, start: int, end: int, label: str) -> tuple[int, int]:
    """Widen a span to whole words; a PERSON may leave out one clitic letter (وشويغو → شويغو)."""
    while end < len(text) and is_word_char(text[end]):
        end += 1
    word_start = start
    while word_start > 0 and is_word_char(text[word_start - 1]):
        word_start -= 1
    prefix = text[word_start:start].replace(TATWEEL, "")
    if label != "PERSON" or (prefix and prefix not in CLITICS):
        start = word_start
    return start, end


def _keep_bare_speak(lex, sent: Sentence, n: int, context: DocContext | None) -> bool:
    """A bare تحدث reports a call only in a call article, with no call noun, before مع + a person."""
    trig = sent.triggers[n]
    if context is None or not context.phone_article:
        return False
    if any(t.kind in ("noun", "plural", "talk") for t in sent.triggers):
        return False
    toks = sent.tokens
    for k in range(trig.j, min(len(toks), trig.j + 6)):
        if toks[k].norm == "مع" and any(p.i in (k + 1, k + 2, k + 3) for p in sent.persons):
            return True
        if sent.clause[k] != sent.clause[trig.i]:
            break
    return False


@lru_cache(maxsize=128)  # predict_records reads an article's sentences twice: for its DocContext, then to extract
def _candidates(text: str) -> tuple[tuple[Token, ...], tuple[Trigger, ...]]:
    """The tokens and trigger candidates of a sentence (tuples: the cache shares them)."""
    tokens = tokenize(text)
    return tuple(tokens), tuple(find_triggers(load_lexicon(), tokens))


def analyse(text: str, doc_date: str | None, resources: NameResources | None = None,
            context: DocContext | None = None) -> tuple[Sentence, PeopleFinder]:
    """Tokens, dates, triggers and PERSON candidates of one sentence, before linking."""
    lex = load_lexicon()
    cached_tokens, candidates = _candidates(text)
    tokens = list(cached_tokens)
    dates = find_dates(tokens, text, doc_date)
    date_toks = {k for a, b, _ in dates for k in range(a, b)}
    triggers = [t for t in candidates if not any(k in date_toks for k in range(t.i, t.j))]
    finder = PeopleFinder(resources or default_resources(), lex, context.names if context else ())
    blocked = date_toks | {k for t in triggers for k in range(t.i, t.j)}
    persons = finder.find(tokens, blocked)
    clause, seg = segment(lex, tokens)
    sent = Sentence(tokens, dates, triggers, persons, clause, seg)
    sent.triggers = [t for n, t in enumerate(triggers) if t.kind != "bare_speak" or _keep_bare_speak(lex, sent, n, context)]
    return sent, finder


def extract(text: str, doc_date: str | None, resources: NameResources | None = None,
            context: DocContext | None = None) -> tuple[list[Entity], list[Relation]]:
    """Entities and relations of one sentence (ids e1.. in order of start offset).

    `resources` replaces the shipped gazetteer (cross-validation); `context` carries what the
    article's earlier sentences established (see DocContext); both are optional.
    """
    sent, finder = analyse(text, doc_date, resources, context)
    lex, toks = finder.lex, sent.tokens
    roles: list[Roles] = []
    for n in range(len(sent.triggers)):
        roles.append(roles_for(finder, sent, n, roles[-1] if roles else None))
    parties = {id(p) for r in roles for p in r.caller + r.callee}
    persons = [p for p in sent.persons if p.named or id(p) in parties]
    # spans: (first token, end token, clitic letters, label, key)
    spans: list[tuple[int, int, int, str, tuple]] = [(a, b, 0, "DATE", ("D", d)) for d, (a, b, _) in enumerate(sent.dates)]
    spans += [(p.i, p.j, p.skip, "PERSON", ("P", id(p))) for p in persons]
    spans += [(t.i, t.j, 0, "TRIGGER", ("T", n)) for n, t in enumerate(sent.triggers)]
    occupied = {k: b for a, b, *_ in spans for k in range(a, b)}
    topics = find_topics(finder, sent, occupied)
    spans += [(a, b, 0, "TOPIC", ("O", k)) for k, (a, b, _) in enumerate(topics)]
    spans.sort(key=lambda s: s[0])
    dates = [date_for(lex, sent, n) for n in range(len(sent.triggers))]
    for n, r in enumerate(roles):
        if dates[n] is None and n and r.inherited:
            dates[n] = dates[n - 1]  # تلقى X مساء الأحد اتصالاً من Y، ومكالمة أخرى من Z
    ids: dict[tuple, str] = {}
    entities: list[Entity] = []
    for a, b, skip, label, key in spans:
        start, end = _whole_words(text, _char_start(text, toks[a], skip), toks[b - 1].end, label)
        if entities and start < entities[-1].end:
            continue  # widening met the previous span: keep the earlier one
        ids[key] = eid = f"e{len(entities) + 1}"
        pol = val = None
        if label == "TRIGGER":
            n = key[1]
            trig = sent.triggers[n]
            d = dates[n]
            date_words = [toks[k].norm for k in range(sent.dates[d][0], sent.dates[d][1])] if d is not None else []
            clause_start = next(k for k in range(trig.i + 1) if sent.clause[k] == sent.clause[trig.i])
            pol = polarity(lex, toks, trig, clause_start, date_words)
        elif label == "DATE":
            val = sent.dates[key[1]][2]
        entities.append(Entity(eid, label, start, end, text[start:end], polarity=pol, value=val))
    relations: list[Relation] = []

    def link(head: tuple, tail: tuple, label: str) -> None:
        if head in ids and tail in ids and Relation(ids[head], ids[tail], label) not in relations:
            relations.append(Relation(ids[head], ids[tail], label))

    for n, r in enumerate(roles):
        for label, group in (("caller", r.caller), ("callee", r.callee)):
            for p in group:
                link(("T", n), ("P", id(p)), label)
        if dates[n] is not None:
            link(("T", n), ("D", dates[n]), "date")
    for k, (_, _, owners) in enumerate(topics):
        for n in owners:
            link(("T", n), ("O", k), "topic")
    return entities, relations


def _context_update(context: DocContext, entities: list[Entity], finder: PeopleFinder) -> None:
    """Remember the surnames of full names (جو بايدن → بايدن) for the article's next sentences."""
    for ent in entities:
        if ent.label == "PERSON":
            words = tuple(t.norm for t in tokenize(ent.text) if t.is_word)
            if len(words) >= 2 and not any(finder.is_nationality(w) or w in finder.closed for w in words):
                surname = words[-2:] if words[-2] in ("بن", "ابو", "ال", "ولد") else words[-1:]
                if len(surname[-1]) > 2 and surname[-1] not in finder.res.common:
                    context.names.add(surname)


def predict_records(records: list[Record], resources: NameResources | None = None) -> list[Record]:
    """Predictions for records in article order (each article's sentences share a DocContext)."""
    out: list[Record] = []
    lex = load_lexicon()
    finder = PeopleFinder(resources or default_resources(), lex)
    for _, group in groupby(records, key=lambda r: r.doc_id):
        group = list(group)
        # the article, not the sentence, tells whether a bare تحدث was said on the phone
        explicit = any(t.kind != "bare_speak" for rec in group for t in _candidates(rec.text)[1])
        context = DocContext(phone_article=explicit)
        for rec in group:
            entities, relations = extract(rec.text, rec.doc_date, resources, context)
            _context_update(context, entities, finder)
            out.append(Record(rec.id, rec.doc_id, rec.doc_date, rec.text, entities, relations, rec.doc_offset))
    return out
