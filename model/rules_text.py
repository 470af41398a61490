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

from hatif.data.arabic import DIACRITICS, TATWEEL, normalize_key

LEXICON_PATH = Path(__file__).with_name("lexicon.json")
_TOKEN = re.compile(r"\d+|[^\W\d_]+|[^\w\s]")
PUNCT_CLAUSE = set("،,؛;:.!?؟()[]«»\"“”")


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


def _is_mark(ch: str) -> bool:
    return ch == TATWEEL or bool(DIACRITICS.match(ch))


def tokenize(text: str) -> list[Token]:
    """Tokens of `text`: words, digit runs and single punctuation marks, with original offsets.

    Diacritics and tatweel are dropped from the normalised form but stay inside the span
    (a trailing tanween belongs to its word: اتصالاً).
    """
    kept: list[str] = []
    where: list[int] = []
    for pos, ch in enumerate(text):
        if _is_mark(ch):
            continue
        kept.append(normalize_key(ch) if ch.strip() else " ")
        where.append(pos)
    norm = "".join(c if len(c) == 1 else " " for c in kept)
    tokens: list[Token] = []
    for m in _TOKEN.finditer(norm):
        start = where[m.start()]
        end = where[m.end() - 1] + 1
        while end < len(text) and _is_mark(text[end]) and not m.group().isdigit():
            end += 1
        space = m.start() == 0 or norm[m.start() - 1] == " "
        tokens.append(Token(len(tokens), m.group(), start, end, space))
    return tokens


def words_of(tokens: list[Token], start: int, end: int) -> list[str]:
    return [t.norm for t in tokens[start:end]]


class Lexicon:
    """The word lists of lexicon.json, normalised; multi-word entries become token tuples."""

    def __init__(self, raw: dict) -> None:
        self.raw = raw
        self.sets: dict[str, frozenset[str]] = {}
        self.phrases: dict[str, tuple[tuple[str, ...], ...]] = {}
        for key, values in raw.items():
            if key.startswith("_") or not isinstance(values, list):
                continue
            norm = [tuple(normalize_key(v).split()) for v in values]
            self.sets[key] = frozenset(" ".join(v) for v in norm if len(v) == 1)
            self.phrases[key] = tuple(sorted({v for v in norm if v}, key=len, reverse=True))

    def __getitem__(self, key: str) -> frozenset[str]:
        return self.sets[key]

    def match(self, key: str, tokens: list[Token], i: int, clitics: str = "") -> int:
        """Length in tokens of the longest entry of `key` starting at token i (0: none).

        The first token may carry one of the one-letter `clitics` (وكما، فيما).
        """
        for phrase in self.phrases[key]:
            n = len(phrase)
            if i + n > len(tokens):
                continue
            first = tokens[i].norm
            if first != phrase[0] and not (first[:1] in clitics and first[1:] == phrase[0]):
                continue
            if all(tokens[i + k].norm == phrase[k] for k in range(1, n)):
                return n
        return 0

    def has(self, key: str, word: str, clitics: str = "") -> bool:
        """Whether `word` (or `word` less one leading clitic from `clitics`) is in list `key`."""
        entries = self.sets[key]
        return word in entries or (len(word) > 2 and word[:1] in clitics and word[1:] in entries)


@lru_cache(maxsize=None)
def load_lexicon(path: str = str(LEXICON_PATH)) -> Lexicon:
    """The lexicon (cached)."""
    return Lexicon(json.loads(Path(path).read_text(encoding="utf-8")))


def clitic_split(word: str) -> Iterable[tuple[int, str]]:
    """(prefix length, rest) readings of a word with 0-2 attached one-letter clitics.

    لل is read as ل + ال (للملك → الملك, prefix 1); و/ف may precede ب/ل/ك.
    """
    yield 0, word
    if len(word) < 3:
        return
    if word.startswith("لل") and len(word) > 3:
        yield 1, "ا" + word[1:]
    if word[0] in "وف":
        yield 1, word[1:]
        if len(word) > 4 and word[1] in "بلك":
            yield 2, word[2:]
            if word[1:3] == "لل":
                yield 2, "ا" + word[2:]
    elif word[0] in "بلك":
        yield 1, word[1:]


def strip_conj(word: str) -> str:
    """The word without a leading و/ف conjunction when something word-like is left."""
    return word[1:] if len(word) > 3 and word[0] in "وف" else word
