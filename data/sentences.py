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
_TOKEN_BEFORE = re.compile(r"([^\s\"«“(]+)$")


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` closes an abbreviation rather than a sentence."""
    match = _TOKEN_BEFORE.search(text, 0, dot)
    if not match:
        return False
    token = match.group(1)
    # A single letter (د. م. أ. U.S.) or a dotted chain of them; digits are not abbreviations.
    if all(len(part) == 1 and part.isalpha() for part in token.split(".") if part):
        return True
    return token in ABBREVIATIONS


def _straight_quotes_balanced(text: str) -> bool:
    return text.count(STRAIGHT) % 2 == 0


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split a paragraph into sentences; returns [start, end) offsets with no edge whitespace."""
    use_straight = _straight_quotes_balanced(text)
    stack: list[str] = []
    in_straight = False
    bounds: list[tuple[int, int]] = []
    start = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in OPENING:
            stack.append(OPENING[ch])
        elif ch in CLOSING and stack and stack[-1] == ch:
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
            # Closing quotes right after the terminator close the sentence with it.
            depth_stack, straight = list(stack), in_straight
            while end < n and (text[end] in CLOSING or (text[end] == STRAIGHT and use_straight and straight)):
                if text[end] == STRAIGHT:
                    straight = False
                elif depth_stack and depth_stack[-1] == text[end]:
                    depth_stack.pop()
                else:
                    break
                end += 1
            quoted = bool(depth_stack) or straight
            if not quoted and (end == n or text[end].isspace()):
                bounds.append((start, end))
                stack, in_straight = depth_stack, straight
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
