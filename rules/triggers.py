"""TRIGGER spans and their polarity for the rule-based extractor.

A call noun (اتصال، مكالمة، محادثة هاتفية) with its modifiers, a call verb (هاتف، اتصل،
تهاتف) or a speaking verb with هاتفياً (تحدث هاتفياً، بحث هاتفياً). A bare speaking verb
(تحدث مع) is only a candidate: the linker keeps it when the sentence has no call noun,
the article is about calls and a person follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .lexicon import Lexicon, Token, clitic_split

_DEMONSTRATIVES = {"هذه", "تلك", "هذا", "ذلك", "اي", "عده", "سلسله", "سيلا", "جمله"}
_PLURAL_NEXT_CALL = {"تهنئه", "تضامن", "تعزيه", "من"}


@dataclass
class Trigger:
    """A trigger candidate over tokens [i, j)."""

    i: int
    j: int
    kind: str  # noun | plural | talk | verb | speak | discuss | bare_speak
    head: str  # the head word without clitics (اتصالا، هاتفه، تحدث)
    polarity: str = "asserted"


# (kind, lexicon list) in the order they are tried: a word in two lists takes the first kind
NOMINAL_KINDS = (("noun", "call_nouns"), ("plural", "call_nouns_plural"), ("talk", "talk_nouns"))
VERBAL_KINDS = (("verb", "call_verbs"), ("speak", "speak_verbs"), ("discuss", "discuss_verbs"))


def _lookup(lex: Lexicon, stem: str, kinds: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
    """(kind, stem) for the first lexicon list of ``kinds`` holding the stem."""
    return next(((kind, stem) for kind, key in kinds if stem in lex[key]), None)


@lru_cache(maxsize=1 << 16)  # every word of every sentence is asked: news repeats its words
def _nominal(lex: Lexicon, word: str) -> tuple[str, str] | None:
    """(kind, head) when the word is a call/talk noun, with or without clitics and ال."""
    for _, rest in clitic_split(word):
        for base in (rest, rest[2:]) if rest.startswith("ال") and len(rest) > 4 else (rest,):
            found = _lookup(lex, base, NOMINAL_KINDS)
            if found:
                return found
    return None


@lru_cache(maxsize=1 << 16)
def _verbal(lex: Lexicon, word: str) -> tuple[str, str] | None:
    """(kind, head) when the word is a call, speaking or discussing verb (و/ف allowed)."""
    for k, rest in clitic_split(word):
        if k and word[0] not in "وف":
            continue
        if k == 2:
            continue
        found = _lookup(lex, rest, VERBAL_KINDS)
        if found:
            return found
    return None


def _modifiers(lex: Lexicon, tokens: list[Token], j: int) -> tuple[int, bool]:
    """End of the modifiers after a call noun (هاتفياً، عبر الفيديو) and whether one names a phone/video."""
    phone = False
    while j < len(tokens):
        n = lex.match("call_modifier_phrases", tokens, j)
        if n:
            j, phone = j + n, True
            continue
        w = tokens[j].norm
        if w in lex["call_modifiers"] and tokens[j].space_before:
            weak = w in lex["weak_modifiers"]
            if weak and phone:
                break
            phone = phone or not weak
            j += 1
            continue
        break
    return j, phone


def _is_phone_noun(lex: Lexicon, tokens: list[Token], i: int) -> bool:
    """True when هاتف/هاتفه here is the noun 'telephone' (على هاتفه، هاتف محمول)."""
    prev = tokens[i - 1].norm if i else ""
    nxt = tokens[i + 1].norm if i + 1 < len(tokens) else ""
    word = tokens[i].norm
    if not word.lstrip("وف").startswith("هاتف") or word.startswith("ال"):
        return False
    return prev in lex["phone_noun_before"] or nxt in lex["phone_noun_after"] or nxt.isdigit()


def find_triggers(lex: Lexicon, tokens: list[Token]) -> list[Trigger]:
    """Trigger candidates left to right (bare speaking verbs included, kind 'bare_speak')."""
    found: list[Trigger] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if not t.is_word:
            i += 1
            continue
        prev = tokens[i - 1] if i else None
        nxt = tokens[i + 1].norm if i + 1 < len(tokens) else ""
        nominal = _nominal(lex, t.norm)
        if nominal:
            kind, head = nominal
            end, phone = _modifiers(lex, tokens, i + 1)
            prev_word = prev.norm if prev else ""
            blocked = (any(r in lex["noun_blockers_before"] for _, r in clitic_split(prev_word))
                       or (nxt in lex["noun_blockers_after"] and not phone)
                       or (prev is not None and prev.norm in "\"«“'" and not phone)
                       or (t.norm.startswith("لل") and kind == "plural" and not phone
                           and nxt not in ("التي", "الذي") and nxt not in lex["receive_after"]))
            if kind == "talk" and not phone:
                blocked = True
            if kind == "plural" and not phone:
                before = {tokens[k].norm for k in range(max(0, i - 3), i)}
                verbs = lex["receive_verbs"] | lex["make_verbs"]
                near_call = any(r in verbs for w in before for _, r in clitic_split(w))
                if not (near_call or prev_word in _DEMONSTRATIVES or nxt in _PLURAL_NEXT_CALL):
                    blocked = True
            if not blocked:
                found.append(Trigger(i, end, kind, head))
                i = end
                continue
        verbal = _verbal(lex, t.norm)
        if verbal and not (verbal[0] == "verb" and _is_phone_noun(lex, tokens, i)):
            kind, head = verbal
            adverb = i + 1 < len(tokens) and (tokens[i + 1].norm in lex["phone_adverbs"]
                                              or lex.match("call_modifier_phrases", tokens, i + 1) > 0)
            end = i + 1 + (max(1, lex.match("call_modifier_phrases", tokens, i + 1)) if adverb else 0)
            if kind == "verb":
                found.append(Trigger(i, end, kind, head))
            elif adverb:
                found.append(Trigger(i, end, kind, head))
            elif kind == "speak":
                found.append(Trigger(i, end, "bare_speak", head))
            i = end
            continue
        i += 1
    return found


def polarity(lex: Lexicon, tokens: list[Token], trig: Trigger, clause_start: int,
             date_tokens: list[str]) -> str:
    """asserted / negated / hypothetical from the nearest cue before the trigger in its clause.

    A past marker (قد أجرى) closes the search as asserted; with no cue, a date in the future
    (المقبل، غداً) or a following المرتقب makes the call hypothetical.
    """
    head = trig.head
    if head.startswith("س") and head[1:] in lex["call_verbs"] | lex["speak_verbs"] | lex["discuss_verbs"]:
        return "hypothetical"
    lo = max(clause_start, trig.i - 12)
    for p in range(trig.i - 1, lo - 1, -1):
        if lex.match("past_markers", tokens, p, clitics="وف"):
            if not any(tokens[q].norm in ("يكون", "تكون", "يكونا") for q in range(max(lo, p - 4), p)):
                return "asserted"
            continue  # نفى أن يكون قد أجرى: the denial governs the past
        if lex.match("hypothetical_cues", tokens, p, clitics="وفل"):
            return "hypothetical"
        if lex.match("negation_cues", tokens, p, clitics="وف"):
            return "negated"
    after = tokens[trig.j].norm if trig.j < len(tokens) else ""
    if after in lex["hypothetical_cues"]:
        return "hypothetical"
    if any(w in ("المقبل", "المقبله", "القادم", "القادمه", "غدا", "غد", "الغد") for w in date_tokens):
        return "hypothetical"
    return "asserted"

