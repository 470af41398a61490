"""PERSON spans of the rule-based extractor: a gazetteer compiled from the training corpus,
names after titles (وزير الخارجية الأميركي أنتوني بلينكن) and unnamed title phrases that the
linker may keep as call parties (نظيره الروسي، ولي العهد السعودي)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from hatif.text.arabic import normalize_key
from hatif.text.dates import VOCABULARY as DATE_WORDS

from .gazetteer import NameResources
from .lexicon import Lexicon, Token, clitic_split, load_lexicon


@lru_cache(maxsize=1 << 16)  # asked of the same words many times a sentence
def _nominal_call(lex: Lexicon, word: str) -> bool:
    """Whether the word is a call noun (اتصالاً، المكالمة) with or without clitics."""
    for _, rest in clitic_split(word):
        base = rest[2:] if rest.startswith("ال") else rest
        if base in lex["call_nouns"] or base in lex["call_nouns_plural"]:
            return True
    return False


_TITLE_LINKS = {normalize_key(w) for w in "باسم لدى في لشؤون للشؤون عام العام".split()}
_MAX_NAME = 4
_QUOTES = "\"«»“”'"
_PARTICLES = {normalize_key(w) for w in (
    "من إلى على عن مع بين خلال منذ حتى بعد قبل قبيل عند نحو حول بشأن ضد عبر دون أن إن أنه إنه بأن قد لم لن لا ما "
    "الذي التي الذين اللذين اللتين اللذان اللتان كما فيما بينما حيث إذ ثم أو و").split()}


@lru_cache(maxsize=None)  # a finder is made per sentence: the unions are made once per lexicon
def _word_classes(lex: Lexicon) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The finder's closed words (never a name), words that end a title's complement, and slot verbs."""
    closed = (lex["function_words"] | lex["common_verbs"] | lex["title_heads"] | lex["group_words"]
              | lex["countries"] | lex["call_nouns"] | lex["call_nouns_plural"] | lex["call_verbs"]
              | lex["speak_verbs"] | lex["discuss_verbs"] | lex["call_modifiers"] | lex["receive_verbs"]
              | lex["make_verbs"] | lex["topic_skip"] | set(DATE_WORDS) | lex["kin_words"]
              | lex["negation_cues"] | lex["report_heads"])
    not_complement = (lex["call_verbs"] | lex["common_verbs"]
                      | lex["speak_verbs"] | lex["discuss_verbs"] | lex["call_modifiers"] | lex["receive_verbs"]
                      | lex["make_verbs"] | set(DATE_WORDS) | lex["group_words"] | lex["topic_skip"]
                      | _PARTICLES)
    slot_verbs = (lex["call_verbs"] | lex["receive_verbs"] | lex["make_verbs"] | lex["speak_verbs"]
                  | lex["discuss_verbs"])
    return closed, not_complement, slot_verbs


@dataclass(frozen=True)
class PersonSpan:
    """A PERSON candidate: tokens [i, j), the clitic letters left out of token i, and its kind."""

    i: int
    j: int
    skip: int  # leading clitic letters of token i outside the span
    named: bool  # False: an unnamed title phrase, kept only as a call party


class PeopleFinder:
    """Finds PERSON candidates in one tokenised sentence."""

    def __init__(self, res: NameResources, lex: Lexicon | None = None, extra_names: Iterable[tuple[str, ...]] = ()) -> None:
        self.res, self.lex = res, lex or load_lexicon()
        extra = set(extra_names)
        self.names = res.names | extra
        self.name_tokens = res.name_tokens | {t for n in extra for t in n}
        self.max_len = max(map(len, self.names), default=1)
        self.first_words = res.first_words | {n[0] for n in extra}
        self.closed, self.not_complement, self.slot_verbs = _word_classes(self.lex)

    # --- word classes --------------------------------------------------------------------------

    def is_nationality(self, w: str) -> bool:
        nat = self.lex["nationalities"]
        base = w[2:] if w.startswith("ال") else w
        return base in nat or base.endswith("ستاني") or base.endswith("ستانيه") or (base.endswith("ه") and base[:-1] in nat) or (base.endswith("ين") and base[:-2] in nat)

    def _known(self, w: str, anchored: bool = False) -> bool:
        """Whether `w` (or `w` less clitics) is an ordinary word of the lexicon or the training text.

        A word of the training names is not ordinary (رئيسي، صالح) unless the lexicon lists it,
        and even then it may open a name right after a title (علي ربيعي).
        """
        if w in self.closed and not (anchored and w in self.name_tokens and w not in self.lex["function_words"]) \
                or w.endswith("ستان"):
            return True
        if w in self.name_tokens and w not in self.lex["title_heads"]:
            return False
        for k, rest in clitic_split(w):
            if k and (anchored or len(rest) < 3 or w[0] in "فك" and len(rest) < 4):
                continue  # فيصل is no ف + يصل; after a title, بولا is no ب + ولا
            if rest in self.closed or self.is_nationality(rest) or rest in self.res.common:
                return True
            if k and (rest in self.name_tokens or rest.startswith("ال") and w[0] in "بل"):
                return True  # لبوتين، بالعناق: a clitic on a name or a noun
        return False

    @staticmethod
    def _arabic(w: str) -> bool:
        return "\u0600" <= w[:1] <= "\u06ff"

    @staticmethod
    def _verb_like(w: str) -> bool:
        """Present-tense verbs (يشكر، يعرض) look like names; their prefix gives them away."""
        return len(w) >= 4 and w[0] == "ي" and w[1] in "تسنبحعشكقرطمجفدهخغصضزظذثل"

    def name_start(self, tok: Token, anchored: bool = False) -> bool:
        """A word that may begin a name: not an ordinary word or a present-tense verb."""
        w = tok.norm
        if not tok.is_word or len(w) < 2 or not self._arabic(w) or self._known(w, anchored):
            return False
        return w in self.name_tokens or not self._verb_like(w)

    def name_more(self, tok: Token) -> bool:
        """A word that may continue a name: countries pass (روبرت مالي); a conjunction, a
        feminine or plural noun ending (لطمأنة، مذكرات) or a verb prefix stops it."""
        w = tok.norm
        if not tok.is_word or not tok.space_before or not self._arabic(w):
            return False
        if w in self.name_tokens and w not in self.closed:
            return True
        if w[:1] == "و" or w[:1] == "ف" and (w[1:] in self.name_tokens or self._known(w[1:]) or w[1:].startswith("ال")):
            return False  # وشويغو: the next party, not more of this name
        if w.endswith(("ات", "يين", "يون")) or w.endswith("ه") and w[:1] in "لب":
            return False
        if w in self.lex["countries"] and not w.startswith("ال") and w[:1] not in "وبل":
            return True
        return not self._known(w) and not self._verb_like(w)

    # --- gazetteer -----------------------------------------------------------------------------

    def gazetteer_at(self, tokens: list[Token], i: int, strict: bool) -> tuple[int, int]:
        """(length, clitic letters) of the longest gazetteer name at token i, or (0, 0).

        One-word names that are also ordinary words count only when `strict` is False; a
        clitic reading is refused when the whole word is an ordinary word (بشأن is not ب + شأن).
        """
        whole = tokens[i].norm
        for k, first in clitic_split(whole):
            if k and (whole.startswith("لل") or whole[0] == "ك" or whole in self.closed or whole in self.res.common) \
                    or first not in self.first_words:
                continue
            for n in range(min(self.max_len, len(tokens) - i), 0, -1):
                words = (first, *(t.norm for t in tokens[i + 1:i + n]))
                if words in self.names and all(t.is_word or t.is_num for t in tokens[i:i + n]):
                    if n == 1 and strict and first in self.res.ambiguous:
                        continue
                    return n, k
        return 0, 0

    # --- titles --------------------------------------------------------------------------------

    def title_at(self, tokens: list[Token], i: int) -> tuple[int, int]:
        """(length, clitic letters) of a title head at token i (وزير، ولي، رئيس الوزراء), or (0, 0)."""
        lex = self.lex
        for k, rest in clitic_split(tokens[i].norm):
            if not (lex.starts("title_heads", rest) or lex.starts("kin_words", rest)):
                continue  # most words begin no title: spare building the probe
            if k and tokens[i].norm.startswith("لل"):
                k = 0
            probe = [Token(0, rest, 0, 0, True), *tokens[i + 1:i + 3]]
            n = lex.match("title_heads", probe, 0) or lex.match("kin_words", probe, 0)
            if n:
                return n, k
        return 0, 0

    def name_len(self, tokens: list[Token], j: int, stop: set[int], anchored: bool = False) -> int:
        """Length of the name starting at token j (0: none): the gazetteer, else name-like words."""
        if j >= len(tokens):
            return 0
        gn, gk = self.gazetteer_at(tokens, j, strict=False)
        gn = gn if gk == 0 else 0
        if j in stop or not (gn or self.name_start(tokens[j], anchored)):
            return gn
        lex = self.lex
        conn, heads = lex["name_connectors"], lex["title_heads"]
        end, plain = j + 1, 1
        while end < len(tokens) and end not in stop and plain < _MAX_NAME:
            t, nxt = tokens[end], tokens[end + 1] if end + 1 < len(tokens) else None
            prev = tokens[end - 1].norm
            if prev in ("عبد", "ابو", "بو", "ابي") and t.is_word and t.norm.startswith("ال") and t.space_before:
                end += 1  # عبد الله، أبو الغيط
                continue
            ordinal = lex.match("name_ordinals", tokens, end)
            if ordinal and t.space_before:
                end += ordinal  # عبد الله الثاني، محمد السادس
                break
            definite_ok = t.norm in ("ولد", "بن", "ابن", "بنت", "ابو", "بو")
            if nxt is not None and end + 1 not in stop and nxt.is_word and (definite_ok or not nxt.norm.startswith("ال")) and (
                    t.norm in conn or t.norm in heads and not t.norm.startswith("ال")
                    and nxt.norm not in lex["countries"]) and self.name_more(nxt):
                end += 2  # بن سلمان، أمير عبد اللهيان
                continue
            if not self.name_more(t) or plain >= 3 and not t.norm.startswith("ال"):
                break
            so_far = tuple(x.norm for x in tokens[j:end + 1])
            if plain >= 2 and (t.norm,) in self.names and so_far not in self.names:
                break  # هاتف جو بايدن عون: a second, known name
            end, plain = end + 1, plain + 1
        return max(end - j, gn)

    def _anchor(self, w: str) -> bool:
        """Words right after which a name begins: honorifics, nationality adjectives, countries."""
        lex = self.lex
        return (w in lex["honorifics"] or (self.is_nationality(w) and w.startswith(("ال", "وال")))
                or w in lex["countries"] or w in lex["kin_words"])

    def _after_title(self, tokens: list[Token], i: int, head: int, k: int, blocked: set[int]) -> PersonSpan | None:
        """The name after a title phrase, else the title phrase itself as an unnamed candidate."""
        lex = self.lex
        j = last = i + head
        while j < len(tokens) and j - i < 16 and j not in blocked and (not tokens[j].is_punct or tokens[j].norm in _QUOTES + "("):
            w = tokens[j].norm
            if w in _QUOTES:
                j += 1  # رئيس «غازبروم» أليكسي ميلر
                continue
            if w == "(":
                close = next((k for k in range(j + 1, min(len(tokens), j + 5)) if tokens[k].norm == ")"), None)
                if close is None:
                    break
                j = close + 1  # الأمين العام لحلف شمال الأطلسي (NATO) ينس ستولتنبرغ
                continue
            nxt = tokens[j + 1].norm if j + 1 < len(tokens) else ""
            gn, gk = self.gazetteer_at(tokens, j, strict=True)
            if gn and gk:
                break  # a clitic (و، ب) starts the next party: this title has no name
            prev = tokens[j - 1].norm
            anchored = self._anchor(prev)
            modifier = lex.match("title_modifiers", tokens, j)
            if modifier:
                j = last = j + modifier
                continue
            if gn or (anchored and self.name_start(tokens[j], anchored=True) and (
                    not w.startswith("ال") or w not in self.res.common and not self.is_nationality(w)
                    and w not in lex["title_heads"] and w not in lex["countries"])):
                n = self.name_len(tokens, j, blocked, anchored=True)
                if n:
                    return PersonSpan(j, j + n, 0, True)
            if w in lex["group_words"]:
                return None
            hk = self.title_at(tokens, j)[0] if w in lex["title_heads"] or w[:1] != "و" else 0
            if hk:
                j += hk
                continue
            if w in _TITLE_LINKS or w in lex["title_nouns"] or (w.endswith("ه") and nxt.startswith("ال")
                                                                and w not in self.name_tokens):
                j = last = j + 1
                continue
            if w in self.not_complement:
                break
            coordinated = w.startswith("وال") and not self._anchor(prev) and prev.startswith("ال")
            genitive = w[:1] == "ل" and len(w) > 3 and (nxt.startswith("ال") or w[1:] in lex["title_nouns"]
                                                        or w[1:] in lex["countries"])
            if self.is_nationality(w) or w in lex["countries"]:
                j = last = j + 1
                continue
            if w.startswith("ال") or coordinated or w.startswith("لل") or genitive:
                j = last = j + 1
                continue
            construct = (nxt.startswith("ال") and w not in self.name_tokens and w.endswith(("ه", "ي"))
                         and tokens[j - 1].norm in lex["title_heads"])
            if self.name_start(tokens[j]) and not construct:
                n = self.name_len(tokens, j, blocked)
                if n:
                    return PersonSpan(j, j + n, 0, True)
            if j == last and w[:1] not in "وف" and w not in self.closed and (construct or w in self.res.common) \
                    and tokens[j - 1].norm in lex["title_heads"]:
                j = last = j + 1  # a construct noun of the title (وزير خارجية، كبير مستشاري)
                continue
            break
        base = dict(clitic_split(tokens[i].norm)).get(k, tokens[i].norm)
        if base in lex["unnamed_heads"] or base in lex["kin_words"] or head > 1:
            while last > i + head and tokens[last - 1].norm in lex["honorifics"] | _TITLE_LINKS:
                last -= 1
            return PersonSpan(i, last, k, False)
        return None

    # --- names without a title -----------------------------------------------------------------

    def _slot(self, tokens: list[Token], i: int, prev_person_end: int) -> int:
        """Clitic letters to leave out when token i sits where a call party is named, else -1.

        After مع/بين, after من near a call, after a call verb, before a call verb at the start
        of a clause, after a reporting verb and before إن/أن, or joined by و to a person.
        """
        lex, w = self.lex, tokens[i].norm
        prev = tokens[i - 1].norm if i else ""
        nxt = tokens[i + 1].norm if i + 1 < len(tokens) else ""
        verbs = self.slot_verbs

        def is_verb(word: str) -> bool:
            return any(r in verbs for k, r in clitic_split(word) if k <= 1)

        if w[:1] == "و" and prev_person_end == i and len(w) > 3 and w not in self.res.common:
            return 1
        if w[:1] == "ب" and i and (is_verb(prev) or any(r in lex["call_nouns"] for _, r in clitic_split(prev))):
            return 1

        def near_call() -> bool:
            return any(any(r in lex["receive_verbs"] or r in lex["receive_after"] for _, r in clitic_split(tokens[k].norm))
                       or _nominal_call(lex, tokens[k].norm) or tokens[k].norm in lex["call_modifiers"]
                       for k in range(max(0, i - 3), i))

        def with_next() -> bool:
            return any(tokens[k].norm == "مع" for k in range(i + 1, min(len(tokens), i + 4)))

        # near_call and with_next only for the cue they qualify: most tokens need neither
        if prev in ("مع", "بين", "وبين", "ومع") or prev == "من" and near_call() or is_verb(prev) \
                or prev in lex["phone_adverbs"] and with_next():  # تحدث هاتفياً X مع Y
            return 0
        if (i == 0 or prev in lex["report_heads"] or prev in ("كان", "وكان", "وكانت", "كانت")) and (
                is_verb(nxt) or nxt in ("قد", "لم", "لن")):
            return 0
        if any(r in lex["common_verbs"] for k, r in clitic_split(prev) if k <= 1) and (
                nxt in lex["report_heads"] or nxt in ("في", "خلال", "عقب") or nxt in "،,."):
            return 0
        return -1

    def _before_call_verb(self, tokens: list[Token], i: int) -> bool:
        """Token i (or it and a و-joined name) stands right before a call verb: الفالح يتحدث."""
        for k in (i + 1, i + 2):
            if k < len(tokens) and any(r in self.slot_verbs or r in ("قد", "لم")
                                       for kk, r in clitic_split(tokens[k].norm) if kk <= 1):
                return True
        return False

    def find(self, tokens: list[Token], blocked: set[int]) -> list[PersonSpan]:
        """PERSON candidates, left to right, never on a blocked token (dates, triggers)."""
        found: list[PersonSpan] = []
        i = 0
        while i < len(tokens):
            if i in blocked or not tokens[i].is_word:
                i += 1
                continue
            span = None
            head, k = self.title_at(tokens, i)
            if head:
                span = self._after_title(tokens, i, head, k, blocked)
            if span is None or not span.named:
                n, k = self.gazetteer_at(tokens, i, strict=True)
                if n and not any(x in blocked for x in range(i, i + n)):
                    n = max(n, self.name_len(tokens, i, blocked) if k == 0 else n)
                    span = PersonSpan(i, i + n, k, True)
            w = tokens[i].norm
            if span is None and w.startswith("وال") and self.is_nationality(w[1:]) and i + 1 not in blocked:
                n = self.name_len(tokens, i + 1, blocked, anchored=True)  # ... والإماراتي عبدالله بن زايد
                if n:
                    span = PersonSpan(i + 1, i + 1 + n, 0, True)
            if span is None:
                skip = self._slot(tokens, i, found[-1].j if found else -1)
                if skip >= 0 and not (skip and w in self.closed):
                    rest = Token(i, w[skip:], tokens[i].start, tokens[i].end, True)
                    definite = rest.norm.startswith("ال")
                    if skip and self.gazetteer_at([rest], 0, strict=False)[0]:
                        n = self.name_len([*tokens[:i], rest, *tokens[i + 1:]], i, blocked)
                        span = PersonSpan(i, i + max(n, 1), skip, True)
                    elif definite and (rest.norm in self.res.common or self.is_nationality(rest.norm)
                                       or not self._before_call_verb(tokens, i)):
                        pass
                    elif self.name_start(rest):
                        n = self.name_len([*tokens[:i], rest, *tokens[i + 1:]], i, blocked)
                        if n:
                            span = PersonSpan(i, i + n, skip, True)
            if span is None:
                i += 1
                continue
            found.append(span)
            i = max(span.j, i + 1)
        return [p for n, p in enumerate(found) if p.named or not self._named_next(tokens, p, found[n + 1:])]

    def _named_next(self, tokens: list[Token], title: PersonSpan, rest: list[PersonSpan]) -> bool:
        """An unnamed title whose name follows after a qualifier (الوزير المسؤول عن ... يوسف بن علوي)."""
        if not rest or not rest[0].named or rest[0].skip or rest[0].i - title.j > 6:
            return False
        between = tokens[title.j:rest[0].i]
        return not any(t.is_punct and t.norm not in _QUOTES or t.norm[:1] == "و" or t.norm in self.slot_verbs
                       or t.norm in self.lex["common_verbs"] or t.norm in ("من", "مع", "بين", "الي")
                       or _nominal_call(self.lex, t.norm) for t in between)
