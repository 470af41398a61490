"""Sentence splitting for Arabic news paragraphs, with character offsets.

A sentence ends at . ؟ ? ! followed by whitespace, the end of the text or a closing
quotation mark (which then belongs to the sentence). It never ends inside quotation
marks, at an ellipsis, inside a number (3.5) or after a one-letter abbreviation (د. ، U.S.).
"""

from __future__ import annotations

import re

TERMINATORS = ".؟?!"
OPENING = {"«": "»", "“": "”", "(": ")"}
CLOSING = {v: k for k, v in OPENING.items()}
STRAIGHT = '"'
# Tokens that end in a period without ending the sentence.
ABBREVIATIONS = {"ص.ب", "ق.م", "Mr", "Dr", "Mrs", "Ms", "Prof", "St", "etc", "vs", "No", "Jr", "Sr", "Inc", "Ltd", "Co"}
# The longest token an abbreviation check looks back over: keeps the check O(1) per period.
_ABBREVIATION_WINDOW = 32
_TOKEN_BEFORE = re.compile(r"([^\s\"«“(]+)$")
# A "sentence" longer than this is not one: an unclosed quotation mark or a text without
# terminators. It is split again without quotation state, then at spaces (see split_sentences).
MAX_SENTENCE_CHARS = 2000


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` closes an abbreviation rather than a sentence."""
    match = _TOKEN_BEFORE.search(text, max(0, dot - _ABBREVIATION_WINDOW), dot)
    if not match:
        return False
    token = match.group(1)
    # A single letter (د. م. أ. U.S.) or a dotted chain of them; digits are not abbreviations.
    if all(len(part) == 1 and part.isalpha() for part in token.split(".") if part):
        return True
    return token in ABBREVIATIONS


def _straight_quotes_balanced(text: str) -> bool:
    return text.count(STRAIGHT) % 2 == 0


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """Split a paragraph into sentences; returns [start, end) offsets with no edge whitespace.

    Linear in the text. A sentence over ``max_chars`` is split again ignoring quotation marks,
    and what is still too long is cut at the last space before the limit (or at the limit)."""
    out: list[tuple[int, int]] = []
    for start, end in _split(text, quotes=True):
        if end - start <= max_chars:
            out.append((start, end))
            continue
        piece = text[start:end]
        for s2, e2 in _split(piece, quotes=False):
            out.extend((start + a, start + b) for a, b in _cut_at_spaces(piece, s2, e2, max_chars))
    return out


def _cut_at_spaces(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + 1, start + max_chars + 1)
        cut = cut if cut > start else start + max_chars
        if trimmed := _trim(text, start, cut):
            pieces.append(trimmed)
        start = cut
    if trimmed := _trim(text, start, end):
        pieces.append(trimmed)
    return pieces


def _split(text: str, quotes: bool) -> list[tuple[int, int]]:
    """The terminator scan; with ``quotes`` False quotation marks do not hold sentences open."""
    use_straight = quotes and _straight_quotes_balanced(text)
    stack: list[str] = []
    in_straight = False
    bounds: list[tuple[int, int]] = []
    start = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quotes and ch in OPENING:
            stack.append(OPENING[ch])
        elif quotes and ch in CLOSING and stack and stack[-1] == ch:
            stack.pop()
        elif ch == STRAIGHT and use_straight:
            in_straight = not in_straight
        elif ch in TERMINATORS:
            j = i
            while j + 1 < n and text[j + 1] in TERMINATORS:
                j += 1
            if ch == "." and (j > i or (i > 0 and text[i - 1] == ".")):
                i = j + 1  # an ellipsis
                continue
            if ch == "." and _is_abbreviation(text, i):
                i += 1
                continue
            end = j + 1
            # Closing quotes right after the terminator close the sentence with it; `depth` is
            # how much of the stack they close (no copy of the stack: that would be quadratic).
            depth, straight = len(stack), in_straight
            while end < n and quotes and (text[end] in CLOSING or (text[end] == STRAIGHT and use_straight and straight)):
                if text[end] == STRAIGHT:
                    straight = False
                elif depth and stack[depth - 1] == text[end]:
                    depth -= 1
                else:
                    break
                end += 1
            quoted = bool(depth) or straight
            if not quoted and (end == n or text[end].isspace()):
                bounds.append((start, end))
                del stack[depth:]
                in_straight = straight
                start = end
            i = end
            continue
        i += 1
    bounds.append((start, n))
    return [trimmed for s, e in bounds if (trimmed := _trim(text, s, e))]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
