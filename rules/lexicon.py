"""Text layer of the rule-based extractor: normalised tokens with exact offsets, and the lexicon.

Matching happens on a normalised copy of the sentence (no diacritics or tatweel, one alef,
ي for ى, ه for ة, Western digits); every token keeps the character offsets of its
original text, so the spans the rules emit are exact slices of the input.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from hatif.text.arabic import MARKS, normalize_key

LEXICON_PATH = Path(__file__).with_name("lexicon.json")
_TOKEN = re.compile(r"\d+|[^\W\d_]+|[^\w\s]")


@dataclass(frozen=True)
class Token:
    """One token: its normalised form and its [start, end) offsets in the original text."""

    i: int
    norm: str
    start: int
    end: int
    space_before: bool

    @property
    def is_word(self) -> bool:
        return self.norm[:1].isalpha()

    @property
    def is_num(self) -> bool:
        return self.norm.isdigit()

    @property
    def is_punct(self) -> bool:
        return not self.norm[:1].isalnum()


_RUN = re.compile(r"\S+")
_SPACE = re.compile(r"\s")
_word_key = lru_cache(maxsize=1 << 16)(normalize_key)  # news repeats its words


def tokenize(text: str) -> list[Token]:
    """Tokens of `text`: words, digit runs and single punctuation marks, with original offsets.

    Diacritics and tatweel are dropped from the normalised form but stay inside the span
    (a trailing tanween belongs to its word: اتصالاً).
    """
    marks = {m.start() for m in MARKS.finditer(text)}  # left out of the normalised copy
    # where[k]: offset in `text` of character k of the normalised copy
    where = [pos for pos in range(len(text)) if pos not in marks] if marks else range(len(text))
    # normalize_key keeps the length of a run without marks or spaces: one call per word, not per letter
    norm = _SPACE.sub(" ", _RUN.sub(lambda m: _word_key(m.group()), MARKS.sub("", text)))
    tokens: list[Token] = []
    for m in _TOKEN.finditer(norm):
        start = where[m.start()]
        end = where[m.end() - 1] + 1
        while end < len(text) and MARKS.match(text[end]) and not m.group().isdigit():
            end += 1
        space = m.start() == 0 or norm[m.start() - 1] == " "
        tokens.append(Token(len(tokens), m.group(), start, end, space))
    return tokens


class Phrases:
    """Token-tuple entries indexed by their first word, so that a match tries only the entries
    that can start at a token instead of scanning the whole list."""

    def __init__(self, entries: Iterable[tuple[str, ...]]) -> None:
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for entry in sorted(set(entries), key=len, reverse=True):  # longest first
            self.by_first.setdefault(entry[0], []).append(entry[1:])

    def longest(self, tokens: list[Token], i: int, clitics: str = "") -> int:
        """Length in tokens of the longest entry starting at token i (0: none).

        The first token may carry one of the one-letter `clitics` (وكما، فيما).
        """
        if i >= len(tokens):
            return 0
        first = tokens[i].norm
        n = self._longest_from(first, tokens, i)
        if first[:1] in clitics:
            n = max(n, self._longest_from(first[1:], tokens, i))
        return n

    def _longest_from(self, head: str, tokens: list[Token], i: int) -> int:
        """Length of the longest entry that begins with `head` and goes on with tokens i+1...; 0: none."""
        for rest in self.by_first.get(head, ()):
            if tuple(t.norm for t in tokens[i + 1:i + 1 + len(rest)]) == rest:
                return 1 + len(rest)
        return 0


class LexiconError(ValueError):
    """The lexicon breaks one of its own rules (a sub-list entry missing from the list it narrows)."""


class Lexicon:
    """The word lists of lexicon.json, normalised; multi-word entries become token tuples.

    ``_sublists`` maps a list to the list it narrows (unnamed_heads: title_heads), so that a word
    lives in one source list and a use that needs fewer words names them there; checked on load."""

    def __init__(self, raw: dict, source: str = LEXICON_PATH.name) -> None:
        self.raw = raw
        self.sets: dict[str, frozenset[str]] = {}
        self.phrases: dict[str, Phrases] = {}
        entries: dict[str, set[str]] = {}
        for key, values in raw.items():
            if key.startswith("_") or not isinstance(values, list):
                continue
            norm = [tuple(normalize_key(v).split()) for v in values]
            self.sets[key] = frozenset(" ".join(v) for v in norm if len(v) == 1)
            self.phrases[key] = Phrases(v for v in norm if v)
            entries[key] = {" ".join(v) for v in norm if v}
        for sub, parent in raw.get("_sublists", {}).items():
            if sub not in entries or parent not in entries:
                raise LexiconError(f"{source}: _sublists: {sub} -> {parent} names a list the lexicon lacks")
            missing = [w for w in raw[sub] if " ".join(normalize_key(w).split()) not in entries[parent]]
            if missing:
                raise LexiconError(f"{source}: {sub}: {', '.join(missing)} not in {parent}, the list it narrows")

    def __getitem__(self, key: str) -> frozenset[str]:
        return self.sets[key]

    def match(self, key: str, tokens: list[Token], i: int, clitics: str = "") -> int:
        """Length in tokens of the longest entry of `key` starting at token i (0: none).

        The first token may carry one of the one-letter `clitics` (وكما، فيما).
        """
        return self.phrases[key].longest(tokens, i, clitics)

    def starts(self, key: str, word: str) -> bool:
        """Whether an entry of `key` begins with `word`."""
        return word in self.phrases[key].by_first

    def has(self, key: str, word: str, clitics: str = "") -> bool:
        """Whether `word` (or `word` less one leading clitic from `clitics`) is in list `key`."""
        entries = self.sets[key]
        return word in entries or (len(word) > 2 and word[:1] in clitics and word[1:] in entries)


@lru_cache(maxsize=None)
def load_lexicon(path: str = str(LEXICON_PATH)) -> Lexicon:
    """The lexicon (cached)."""
    return Lexicon(json.loads(Path(path).read_text(encoding="utf-8")), path)


@lru_cache(maxsize=1 << 16)  # called for the same few thousand words many times a sentence
def clitic_split(word: str) -> tuple[tuple[int, str], ...]:
    """(prefix length, rest) readings of a word with 0-2 attached one-letter clitics.

    لل is read as ل + ال (للملك → الملك, prefix 1); و/ف may precede ب/ل/ك.
    """
    readings = [(0, word)]
    if len(word) < 3:
        return tuple(readings)
    if word.startswith("لل") and len(word) > 3:
        readings.append((1, "ا" + word[1:]))
    if word[0] in "وف":
        readings.append((1, word[1:]))
        if len(word) > 4 and word[1] in "بلك":
            readings.append((2, word[2:]))
            if word[1:3] == "لل":
                readings.append((2, "ا" + word[2:]))
    elif word[0] in "بلك":
        readings.append((1, word[1:]))
    return tuple(readings)
