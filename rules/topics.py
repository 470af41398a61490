"""TOPIC spans of the rule-based extractor: the complement of a discussion or statement cue
(بحث، ناقش، تناول، أكد، أعرب عن، حول، بشأن) tied to a call, to the end of its clause."""

from __future__ import annotations

from .link import CLAUSE_PUNCT, Sentence
from .people import PeopleFinder
from .lexicon import clitic_split

QUOTES = set("\"«»“”'")
_INTRO = {"حول", "بشان", "بخصوص", "حيال", "ازاء"}
_BEFORE_ENTITY = {"مع", "في", "خلال", "اثناء", "من", "ب"}
_TRAILING = {"في", "من", "على", "الي", "مع", "عن", "منذ", "خلال", "بين", "الذي", "التي", "و", "او", "ب", "ل",
             "عام", "العام", "يوم", "لدي", "قبل", "بعد", "حتي", "اثناء"}
_DURING = {"خلال", "في", "اثناء", "خلاله", "فيه"}


def _is_cue(finder: PeopleFinder, sent: Sentence, k: int) -> int:
    """Length of a topic cue at token k (0: none)."""
    return finder.lex.match("topic_cues", sent.tokens, k, clitics="وفل")


def _span_after(finder: PeopleFinder, sent: Sentence, s: int, limit: int, occupied: dict[int, int]) -> tuple[int, int] | None:
    """The topic that starts at or after token s: skip what introduces it, stop at its clause end."""
    lex, toks = finder.lex, sent.tokens
    while s < limit:
        w = toks[s].norm
        if s in occupied:
            s = occupied[s]
        elif w in lex["topic_skip"] or w in _INTRO or toks[s].norm in QUOTES:
            s += 1
        elif w in _BEFORE_ENTITY and s + 1 < limit and s + 1 in occupied:
            s += 1
        elif any(r in lex["title_heads"] for _, r in clitic_split(w)) and s + 1 < limit:
            s += 1
            while s < limit and finder.is_nationality(toks[s].norm):
                s += 1
        else:
            break
    e = s
    while e < limit:
        t = toks[e]
        if e in occupied or t.norm in CLAUSE_PUNCT or lex.match("topic_stops", toks, e):
            break
        if e > s and lex.match("clause_connectors", toks, e, clitics="و"):
            break
        e += 1
    cut = e < limit and e in occupied
    while e > s and (toks[e - 1].norm in _TRAILING or toks[e - 1].is_punct and toks[e - 1].norm not in QUOTES
                     or cut and any(r in _TRAILING for k, r in clitic_split(toks[e - 1].norm) if k)):
        e -= 1
    if e > s and toks[e - 1].norm in QUOTES and sum(toks[k].norm in QUOTES for k in range(s, e)) % 2:
        e -= 1
    words = sum(1 for k in range(s, e) if toks[k].is_word)
    return (s, e) if words >= 2 else None


def _after_parties(sent: Sentence, trig, limit: int, occupied: dict[int, int]) -> int:
    """The token after the last PERSON or DATE of the trigger's clause that follows it."""
    start, clause = trig.j, sent.clause[trig.i]
    for k in range(trig.j, limit):
        if sent.clause[k] != clause:
            break
        if k in occupied and occupied[k] > start and not any(t.i == k for t in sent.triggers):
            start = occupied[k]
    return start


def find_topics(finder: PeopleFinder, sent: Sentence, occupied: dict[int, int]) -> list[tuple[int, int, list[int]]]:
    """(first token, end token, owning trigger indices) of each topic.

    `occupied` maps every token inside a PERSON, DATE or TRIGGER entity to the entity's end.
    """
    toks, trigs = sent.tokens, sent.triggers
    found: dict[tuple[int, int], list[int]] = {}

    def add(span: tuple[int, int] | None, owners: list[int]) -> None:
        if span is not None:
            found.setdefault(span, [])
            found[span].extend(o for o in owners if o not in found[span])

    for n, trig in enumerate(trigs):
        limit = trigs[n + 1].i if n + 1 < len(trigs) else len(toks)
        clause = sent.clause[trig.i]
        if trig.kind == "discuss":  # بحث هاتفياً مع X ... [topic]: the object follows the parties
            add(_span_after(finder, sent, _after_parties(sent, trig, limit, occupied), limit, occupied), [n])
            continue
        # a cue before an anaphoric mention: أكد خلال المكالمة ...، بحث ... في مكالمة هاتفية ...
        if trig.i and toks[trig.i - 1].norm in _DURING | {"ب"} | {"خلال"}:
            lo = trig.i - 1
            while lo > 0 and sent.clause[lo - 1] == clause and not _is_cue(finder, sent, lo - 1):
                lo -= 1
            if lo > 0 and sent.clause[lo - 1] == clause and _is_cue(finder, sent, lo - 1):
                add(_span_after(finder, sent, _after_parties(sent, trig, limit, occupied), limit, occupied), [n])
                continue
        k = trig.j
        while k < limit:
            same = sent.clause[k] == clause
            first_of_clause = k > 0 and toks[k - 1].norm in CLAUSE_PUNCT and sent.clause[k] <= clause + 2
            n_cue = _is_cue(finder, sent, k)
            if n_cue and (same or first_of_clause):
                w = toks[k].norm
                if w in _INTRO and not all(j in occupied or toks[j].norm in ("مع", "و") for j in range(trig.j, k)):
                    k += 1
                    continue
                owners = [n]
                if any(toks[j].norm == "خلالهما" for j in range(k, min(limit, k + 3))) and n:
                    owners.insert(0, n - 1)
                add(_span_after(finder, sent, k + n_cue, limit, occupied), owners)
                break
            if not same and not first_of_clause and not toks[k].is_punct:
                break
            k += 1
    return [(s, e, owners) for (s, e), owners in sorted(found.items())]
