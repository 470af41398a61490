"""Argument linking of the rule-based extractor: clauses, caller/callee roles, the call's date.

Roles follow ANNOTATION.md: the receiver of تلقى is the callee and the party after من the
caller; in بين X وY and X ونظيره Y, X is the caller; otherwise the first party named as
subject (before or after the predicate) is the caller and every other party a callee.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .people import PeopleFinder, PersonSpan
from .lexicon import Lexicon, Token, clitic_split
from .triggers import Trigger

CLAUSE_PUNCT = set("،,؛;:.!?؟")
_KEEP_CLAUSE = {"بينهم", "بينهما", "منهم", "ومنهم", "بينها"}
_TEMPORAL = {"منذ", "بعد", "قبل", "عقب", "اثر", "حتي", "بحلول", "قبيل", "بعيد"}
_PRONOUN_HEADS = {"انه", "بانه", "انها", "بانها", "انهما", "بانهما"}
_AGENT = {"اجراه", "اجرته", "اجراها", "اجرتها", "اجرياه", "اجرياها", "اجروه", "اجروها"}
_PRONOUN_OBJECT = {"به", "بها", "بهما", "بهم"}
_NOT_TITLE = {"اليوم", "الذي", "التي", "الذين", "اللذين", "الاسبوع", "الشهر", "العام", "الماضي", "المقبل"}


@dataclass
class Sentence:
    """Everything the linker needs about one sentence."""

    tokens: list[Token]
    dates: list[tuple[int, int, str | None]]
    triggers: list[Trigger]
    persons: list[PersonSpan]
    clause: list[int] = field(default_factory=list)  # clause id per token
    segment: list[int] = field(default_factory=list)  # clause id split again at إن/أن


def segment(lex: Lexicon, tokens: list[Token]) -> tuple[list[int], list[int]]:
    """Clause ids (split at clause punctuation and connectors) and report-segment ids (also at إن/أن)."""
    clause, seg = [], []
    c = s = 0
    for k, t in enumerate(tokens):
        nxt = tokens[k + 1].norm if k + 1 < len(tokens) else ""
        if t.norm in CLAUSE_PUNCT and nxt not in _KEEP_CLAUSE and not (nxt == "من" and k + 2 < len(tokens)
                                                                    and tokens[k + 2].norm == "بينهم"):
            c, s = c + 1, s + 1
        elif lex.match("clause_connectors", tokens, k, clitics="و") and k > 0:
            c, s = c + 1, s + 1
        elif t.norm in lex["report_heads"]:
            s += 1
        clause.append(c)
        seg.append(s)
    return clause, seg


def _title_word(finder: PeopleFinder, w: str) -> bool:
    """Words that may stand between a cue (مع، من، بين) and the name it introduces."""
    lex = finder.lex
    if w in lex["title_heads"] or w in lex["honorifics"] or w in lex["countries"] or finder.is_nationality(w):
        return True
    if w in ("كل", "نظرائه", "نظرائها", "العام", "باسم", "لدي", "في") or w in lex["title_nouns"] or w in "«»\"":
        return True
    for k, rest in clitic_split(w):
        if rest in lex["title_heads"] or finder.is_nationality(rest) or rest in lex["title_nouns"]:
            return True
        if rest.startswith("ال") and rest not in lex["call_nouns"] and rest not in _NOT_TITLE and rest[2:] not in lex["call_nouns"]:
            return True
    return False


def hint(finder: PeopleFinder, sent: Sentence, p: PersonSpan, lo: int, taken: set[int]) -> str:
    """How the sentence introduces a party: subj, with, from, bi, bayn, agent, conj."""
    toks = sent.tokens
    if p.skip and toks[p.i].norm[0] == "ب":
        return "bi"
    if p.skip and toks[p.i].norm[0] == "و":
        return "conj"
    k = p.i - 1
    while k >= lo and k not in taken and _title_word(finder, toks[k].norm) and toks[k].norm not in ("من", "مع", "بين"):
        k -= 1
    first = toks[k + 1].norm if k + 1 < p.i else ""
    if first:
        if first[0] == "ب" and any(r in finder.lex["title_heads"] or r in ("نظرائه", "نظرائها") for kk, r in clitic_split(first) if kk):
            return "bi"
        if first[0] == "و" and first[1:] and (first[1:] in finder.lex["title_heads"] or finder.is_nationality(first[1:])
                                              or first[1:] in ("نظرائه",)):
            return "conj"
    if k < lo or k in taken:
        return "subj"
    w = toks[k].norm
    if w in ("مع", "الي", "ومع"):
        return "with"
    if w == "من":
        return "with" if k > 0 and toks[k - 1].norm == "مع" else "from"
    if w in ("بين", "وبين"):
        return "bayn"
    if w in _AGENT:
        return "agent"
    if w in _KEEP_CLAUSE:
        return "among"
    return "subj"


@dataclass
class Roles:
    """The parties of one trigger, and what a following clause may inherit from it."""

    caller: list[PersonSpan] = field(default_factory=list)
    callee: list[PersonSpan] = field(default_factory=list)
    subject: PersonSpan | None = None  # grammatical subject, inherited by a following clause
    receive: bool = False
    inherited: bool = False  # the parties come from the call before: so may its date


def _is_receive(lex: Lexicon, toks: list[Token], lo: int, i: int) -> bool:
    return any(r in lex["receive_verbs"] for k in range(lo, i) for _, r in clitic_split(toks[k].norm))


def roles_for(finder: PeopleFinder, sent: Sentence, n: int, prev: Roles | None) -> Roles:
    """Caller and callee candidates of trigger n, given the roles of the trigger before it."""
    lex, toks, trig = finder.lex, sent.tokens, sent.triggers[n]
    seg_lo = next(k for k in range(trig.i + 1) if sent.segment[k] == sent.segment[trig.i])
    clause_id = sent.clause[trig.i]
    nxt = sent.triggers[n + 1].i if n + 1 < len(sent.triggers) else len(toks)
    hi = trig.j
    date_toks = {k for a, b, _ in sent.dates for k in range(a, b)}
    while hi < nxt and toks[hi].norm not in _TEMPORAL:
        if sent.clause[hi] != clause_id:
            # ...، الأسبوع الماضي، مع كل من ...: a clause that is only a date does not end the call
            rest = [k for k in range(hi, nxt) if sent.clause[k] == sent.clause[hi]]
            if not all(k in date_toks or toks[k].is_punct for k in rest) or not rest:
                break
            clause_id = sent.clause[rest[-1] + 1] if rest[-1] + 1 < len(toks) else clause_id
            hi = rest[-1] + 1
            continue
        hi += 1
    prev_trig_end = sent.triggers[n - 1].j if n else 0
    lo = max(seg_lo, prev_trig_end)
    taken = {k for t in sent.triggers for k in range(t.i, t.j)}
    before = [p for p in sent.persons if lo <= p.i and p.j <= trig.i]
    after = [p for p in sent.persons if hi > p.i >= trig.j]
    rel_verb = trig.j + (1 if trig.j < len(toks) and toks[trig.j].norm in ("التي", "الذي") else 0)
    receive_after = rel_verb < len(toks) and toks[rel_verb].norm in lex["receive_after"]  # المكالمة التي تلقاها X
    receive = receive_after or _is_receive(lex, toks, lo, trig.i) and not any(
        toks[k].norm in _AGENT for k in range(trig.j, min(hi, trig.j + 2)))
    tagged: list[tuple[PersonSpan, str]] = []
    for group, start in ((before, lo), (after, trig.j)):
        for p in group:
            h = hint(finder, sent, p, start, taken | {q for x in tagged for q in range(x[0].i, x[0].j)})
            if h == "conj":
                same = [x for x in tagged if (x[0] in before) == (p in before)]
                h = same[-1][1] if same else ("subj" if p in before else "with")
            elif h == "among":
                h = "from" if receive else "with"
            tagged.append((p, h))
    roles = Roles(receive=receive)
    if receive_after:  # مكالمة تلقاها X من Y
        tagged = [(p, "subj" if h == "subj" and p.i >= trig.j else h) for p, h in tagged if p.i >= trig.j]
    if not before and seg_lo > 0 and toks[seg_lo].norm in _PRONOUN_HEADS:
        speaker = [p for p in sent.persons if p.j <= seg_lo and sent.clause[p.i] == sent.clause[seg_lo]]
        if speaker:  # قال X إنه تحدث ...: the speaker is the subject
            before = speaker[-1:]
            tagged.insert(0, (speaker[-1], "subj"))
    subj = [p for p, h in tagged if h == "subj"]
    roles.subject = subj[0] if subj else None
    pronoun_obj = trig.head in lex["pronoun_object_verbs"] or (
        trig.kind == "verb" and trig.j < len(toks) and toks[trig.j].norm in _PRONOUN_OBJECT)
    inherit = prev.subject if prev is not None and not before else None
    if inherit is None and not before and trig.kind == "verb" and lo > 0:
        # وكان X أول المتصلين، إذ هاتف Y: the sentence's subject goes on
        inherit = next((p for p in sent.persons if p.j <= lo and hint(finder, sent, p, 0, taken) == "subj"), None)
    if receive:
        roles.callee = subj[:1] or ([inherit] if inherit and not any(h == "subj" for _, h in tagged) else [])
        roles.caller = [p for p, h in tagged if h in ("from", "agent", "bayn", "with")]
        return roles
    if pronoun_obj:
        roles.caller = subj[:1]
        if prev is not None and (prev.callee or prev.subject):
            roles.callee = prev.callee[:1] if prev.callee else []
        return roles
    if prev is not None and prev.receive and not subj and not before and trig.kind in ("noun", "plural"):
        roles.receive = roles.inherited = True
        roles.callee = prev.callee[:1]
        roles.caller = [p for p, h in tagged if h in ("from", "agent")]
        return roles
    if prev is not None and not prev.receive and prev.caller and not subj and not before \
            and trig.kind in ("noun", "plural") and any(h in ("with", "bi") for _, h in tagged):
        roles.inherited = True  # أجرى X اتصالاً مع Y، واتصالاً آخر مع Z
        roles.caller, roles.subject = prev.caller[:1], prev.subject
        roles.callee = [p for p, h in tagged if h in ("with", "bi")]
        return roles
    agents = [p for p, h in tagged if h == "agent"]
    agent_marker = trig.j < len(toks) and toks[trig.j].norm in _AGENT
    if agent_marker and not agents and not subj:
        first_subj = [p for p in sent.persons if p.i < trig.i and hint(finder, sent, p, 0, taken) == "subj"]
        agents = first_subj[:1]  # وأكد X ...، خلال اتصال أجراه مع Y
        tagged = [(p, h) for p, h in tagged if p not in agents] + [(p, "agent") for p in agents]
    if agents:
        roles.caller = agents[:1]
        roles.callee = [p for p, h in tagged if p is not agents[0] and h in ("subj", "with", "bi", "bayn")]
        return roles
    ordered = [p for p, h in tagged if h in ("subj", "bayn", "with", "bi", "from")]
    first = next((p for p, h in tagged if h in ("subj", "bayn")), None)
    continued = prev is not None and not before and sent.clause[trig.i] != sent.clause[sent.triggers[n - 1].i]
    if continued and not tagged and trig.head in lex["dual_verbs"]:
        roles.caller, roles.callee, roles.subject = prev.caller[:], prev.callee[:], prev.subject
        return roles  # ثم تحدثا هاتفياً مجدداً: the same two parties
    if continued and inherit is not None and len(subj) == 1 and len(ordered) == 1 and trig.kind == "verb" \
            and trig.head not in lex["dual_verbs"]:
        first = None  # كما هاتف X: the shared subject calls X
    if first is None and inherit is not None and trig.kind in ("verb", "speak", "discuss", "bare_speak"):
        roles.caller = [inherit]
        roles.subject = inherit
        roles.callee = ordered
        return roles
    if first is not None:
        roles.caller = [first]
    roles.callee = [p for p in ordered if p is not first]
    return roles


def date_for(lex: Lexicon, sent: Sentence, n: int) -> int | None:
    """Index into sent.dates of the date of trigger n: the nearest one after it (else before it)
    that no منذ, relative clause, other trigger or clause change separates from it."""
    toks, trig = sent.tokens, sent.triggers[n]
    others = {k for m, t in enumerate(sent.triggers) if m != n for k in range(t.i, t.j)}
    blockers = lex["date_blockers"] | lex["date_event_blockers"]
    best: tuple[int, int] | None = None
    for d, (a, b, _) in enumerate(sent.dates):
        if a >= trig.j:
            between = range(trig.j, a)
            crossed = sum(1 for k in between if sent.clause[k] != sent.clause[k - 1]) if a > trig.j else 0
            if crossed and (a - trig.j > 9 or any(lex.match("clause_connectors", toks, k, clitics="و") for k in between)):
                continue
        elif b <= trig.i:
            between = range(b, trig.i)
            if sent.clause[b - 1] != sent.clause[trig.i] or sent.segment[b - 1] != sent.segment[trig.i]:
                continue
        else:
            continue
        words = [toks[k].norm for k in between]
        if any(k in others for k in between) or any(w in blockers for w in words):
            continue
        if a and toks[a - 1].norm == "منذ":
            continue
        if any(lex.match("topic_cues", toks, k, clitics="وفل") and toks[k].norm not in ("حول", "بشان") for k in between) and a >= trig.j:
            continue
        dist = (0 if a >= trig.j else 100) + len(words)
        if best is None or dist < best[0]:
            best = (dist, d)
    return None if best is None else best[1]
